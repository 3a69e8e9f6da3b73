"""A resident's profile: name, avatar, district, introduction and who sees each field."""

from __future__ import annotations

from sns import events
from sns.context import Ctx
from sns.errors import Invalid, NotFound
from sns.i18n import N_
from sns.models import PROFILE_FIELDS, VISIBILITIES, District, Photo, User
from sns.policies import can_view_profile, is_signed_in
from sns.services.base import clean_text, require, save_change, tombstone, transaction
from sns.services.photos import process_photos, store_photos
from sns.services.moderate import screen_without_waiting
from sns.services.shared import public_changed


async def get_profile(ctx: Ctx, username: str) -> User:
    user = await User.get_or_none(username=(username or "").lower(), deleted_at=None).select_related("district")
    if user is None or not can_view_profile(ctx.viewer, user):
        raise NotFound(N_("No such resident."))
    return user


async def update_profile(ctx: Ctx, *, display_name, introduction="", district_id="", visibility=None,
                         avatar: bytes | None = None, remove_avatar: bool = False) -> User:
    require(is_signed_in(ctx.viewer))
    user = ctx.user
    display_name = clean_text(display_name, field="display_name", max_chars=64, single_line=True)
    introduction = clean_text(introduction, field="introduction", max_chars=2000, required=False)
    district = None
    if district_id:
        district = await District.get_or_none(id=district_id, deleted_at=None)
        if district is None:
            raise Invalid(N_("Choose a district from the list."), field="district")
    chosen = {}
    for name in PROFILE_FIELDS:
        value = (visibility or {}).get(name) or user.visibility_of(name)
        if value not in VISIBILITIES:
            raise Invalid(N_("Choose who can see this."), field=f"visibility_{name}")
        chosen[name] = value
    images = await process_photos(ctx, [avatar] if avatar else [])
    # A profile has no waiting state: masked, or the form comes back with the words named.
    screened = await screen_without_waiting(ctx, display_name=display_name, introduction=introduction)
    display_name, introduction = screened["display_name"], screened["introduction"]
    async with transaction() as tx:
        old_avatar = await Photo.get_or_none(id=user.avatar_id).using_db(tx) if user.avatar_id else None
        if images:
            (photo,) = await store_photos(ctx, images, tx, purpose="avatar")
            user.avatar_id = photo.id
        elif remove_avatar:
            user.avatar_id = None
        if old_avatar is not None and old_avatar.id != user.avatar_id:
            await tombstone(old_avatar, tx)
        user.display_name, user.introduction = display_name, introduction
        user.district_id = district.id if district else None
        user.field_visibility = chosen
        await save_change(user, tx)
    public_changed()  # shared lists and feeds show the display name
    await events.publish("user.updated", {"id": user.id})
    return user
