"""Photo albums of residents and of communities: create, edit, delete; add photos, caption, cover, remove."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError

from sns import events as live
from sns.context import Ctx
from sns.errors import Invalid, NotFound
from sns.i18n import N_
from sns.models import Album, Photo
from sns.policies import (
    Viewer, album_scope, can_add_album_photo, can_create_album, can_delete_album, can_edit_album, can_remove_album_photo,
    can_view_album,
)
from sns.services import review
from sns.services.base import (
    clean_text, idempotency_key, rate_limit_post, require, save_change, save_new, tombstone, transaction,
)
from sns.services.diaries import check_visibility
from sns.services.photos import reencode_photos, remove_photos, store_photos
from sns.services.event_access import community_and_membership, readable_community_ids
from sns.services.moderate import open_flag, screen, screen_without_waiting, tell_moderators

MAX_PHOTOS_PER_ALBUM = 500
MAX_UPLOAD_AT_ONCE = 20


async def get_album(ctx: Ctx, album_id: str) -> Album:
    """The album if the viewer may see it (with `.community_row` and `.membership`), else NotFound."""
    album = await Album.get_or_none(id=album_id).select_related("owner") if isinstance(album_id, str) \
        and len(album_id) <= 36 else None
    community, membership = await community_and_membership(ctx.viewer, album.community_id if album else None)
    if album is None or not can_view_album(ctx.viewer, album, community, membership):
        raise NotFound(N_("This album does not exist or is not shared with you."))
    album.community_row, album.membership = community, membership
    return album


async def album_photos(album_id: str) -> list[Photo]:
    return await Photo.filter(album_id=album_id, purpose="album", deleted_at=None).order_by("position", "id")


async def visible_albums(ctx: Ctx, *, owner_id: str | None = None, community_id: str | None = None,
                         limit: int = 60) -> list[Album]:
    """Albums the viewer may see, newest first."""
    q = Album.filter(album_scope(ctx.viewer, await readable_community_ids(ctx.viewer)))
    if owner_id:
        q = q.filter(owner_id=owner_id)
    if community_id:
        q = q.filter(community_id=community_id)
    return await q.order_by("-id").limit(limit).select_related("owner")


def _clean(ctx: Ctx, title, description):
    title = clean_text(title, field="title", max_chars=200, single_line=True)
    description = clean_text(description, field="description", max_chars=5000, required=False)
    return title, description


async def create_album(ctx: Ctx, *, title, description="", visibility="members", community_id=None,
                       client_token=None) -> Album:
    client_token = idempotency_key(client_token)
    community, membership = await community_and_membership(ctx.viewer, community_id or None)
    if community_id and community is None:
        raise Invalid(N_("There is no such community."), field="community")
    require(can_create_album(ctx.viewer, community, membership), N_("Only the community's members add albums."))
    if client_token:
        earlier = await Album.get_or_none(client_token=client_token, owner_id=ctx.user.id)
        if earlier is not None:
            return earlier
    title, description = _clean(ctx, title, description)
    visibility = "public" if community else check_visibility(visibility)
    await rate_limit_post(ctx)
    screening = await screen(ctx, title, description)
    title, description = screening.texts
    try:
        async with transaction() as tx:
            album = await save_new(Album(owner_id=ctx.user.id, community_id=community.id if community else None,
                                         title=title, description=description, visibility=visibility,
                                         state=screening.state, client_token=client_token, origin=ctx.origin), tx)
            flag = await open_flag(screening, "album", album.id, ctx.user.id, tx)
    except IntegrityError:
        return await Album.get(client_token=client_token, owner_id=ctx.user.id)
    await tell_moderators(ctx, flag)
    await live.publish("album.created", {"id": album.id})
    return album


async def edit_album(ctx: Ctx, album_id: str, *, title, description, visibility, cover_id=None) -> Album:
    album = await get_album(ctx, album_id)
    require(can_edit_album(ctx.viewer, album))
    title, description = _clean(ctx, title, description)
    visibility = "public" if album.community_id else check_visibility(visibility)
    if cover_id and not await Photo.exists(id=cover_id, album_id=album.id, deleted_at=None):
        raise Invalid(N_("Choose one of this album's photos as its cover."), field="cover")
    screening = await screen(ctx, title, description)
    title, description = screening.texts
    async with transaction() as tx:
        album.title, album.description, album.visibility = title, description, visibility
        if cover_id:
            album.cover_id = cover_id
        if screening.state != "published":
            album.state = screening.state
        await save_change(album, tx)
        flag = await open_flag(screening, "album", album.id, ctx.user.id, tx)
    await tell_moderators(ctx, flag)
    return album


async def delete_album(ctx: Ctx, album_id: str) -> None:
    album = await get_album(ctx, album_id)
    require(can_delete_album(ctx.viewer, album))
    async with transaction() as tx:
        await tombstone(album, tx)
        await remove_photos(tx, album_id=album.id)
    await live.publish("album.deleted", {"id": album.id})


async def add_photos(ctx: Ctx, album_id: str, uploads: list[bytes], caption: str = "") -> list[Photo]:
    """Several photos at once (EXIF removed); the first ever becomes the cover."""
    album = await get_album(ctx, album_id)
    require(can_add_album_photo(ctx.viewer, album, album.community_row, album.membership),
            N_("You cannot add photos to this album."))
    uploads = [u for u in uploads or [] if u]
    if not uploads:
        raise Invalid(N_("Choose one or more photos."), field="photos")
    if len(uploads) > MAX_UPLOAD_AT_ONCE:
        raise Invalid(N_("At most %(n)d photos at once."), field="photos", n=MAX_UPLOAD_AT_ONCE)
    caption = clean_text(caption, field="caption", max_chars=200, required=False, single_line=True)
    if album.photo_count + len(uploads) > MAX_PHOTOS_PER_ALBUM:
        raise Invalid(N_("An album holds at most %(n)d photos."), field="photos", n=MAX_PHOTOS_PER_ALBUM)
    images = await reencode_photos(ctx, uploads)
    await rate_limit_post(ctx)
    if caption:
        caption = (await screen_without_waiting(ctx, caption=caption))["caption"]
    async with transaction() as tx:
        fresh = await Album.filter(id=album.id).select_for_update().using_db(tx).first()
        last = await Photo.filter(album_id=album.id).using_db(tx).order_by("-position").first()
        start = last.position + 1 if last else 0
        photos = await store_photos(ctx, images, tx, album_id=album.id, purpose="album", start=start,
                                    caption=caption)
        fresh.photo_count = await Photo.filter(album_id=album.id, deleted_at=None).using_db(tx).count()
        if fresh.cover_id is None:
            fresh.cover_id = photos[0].id
        await save_change(fresh, tx)
    await live.publish("album.updated", {"id": album.id})
    return photos


async def _photo_and_album(ctx: Ctx, photo_id: str) -> tuple[Photo, Album]:
    photo = await Photo.get_or_none(id=photo_id, purpose="album", deleted_at=None) if isinstance(photo_id, str) \
        and len(photo_id) <= 36 else None
    if photo is None or photo.album_id is None:
        raise NotFound(N_("This photo does not exist or is not shared with you."))
    return photo, await get_album(ctx, photo.album_id)


async def caption_photo(ctx: Ctx, photo_id: str, caption, *, make_cover: bool = False) -> Photo:
    photo, album = await _photo_and_album(ctx, photo_id)
    require(can_edit_album(ctx.viewer, album) or (ctx.user is not None and photo.owner_id == ctx.user.id))
    caption = clean_text(caption, field="caption", max_chars=200, required=False, single_line=True)
    if caption:
        caption = (await screen_without_waiting(ctx, caption=caption))["caption"]
    async with transaction() as tx:
        photo.caption = caption
        await save_change(photo, tx)
        if make_cover:
            require(can_edit_album(ctx.viewer, album))
            album.cover_id = photo.id
            await save_change(album, tx)
    return photo


async def remove_photo(ctx: Ctx, photo_id: str) -> Album:
    photo, album = await _photo_and_album(ctx, photo_id)
    require(can_remove_album_photo(ctx.viewer, album, photo))
    async with transaction() as tx:
        await tombstone(photo, tx)
        fresh = await Album.filter(id=album.id).select_for_update().using_db(tx).first()
        fresh.photo_count = await Photo.filter(album_id=album.id, deleted_at=None).using_db(tx).count()
        if fresh.cover_id == photo.id:
            nxt = await Photo.filter(album_id=album.id, deleted_at=None).using_db(tx).order_by("position").first()
            fresh.cover_id = nxt.id if nxt else None
        await save_change(fresh, tx)
    return fresh


# --- registrations ----------------------------------------------------------------------------------

async def _album_visible(viewer: Viewer, album) -> bool:
    community, membership = await community_and_membership(viewer, album.community_id)
    return can_view_album(viewer, album, community, membership)


async def _photo_visible(viewer: Viewer, photo) -> bool:
    album = await Album.get_or_none(id=photo.album_id) if photo.album_id else None
    return album is not None and await _album_visible(viewer, album)


# What this area hands to the site (sns/areas.py): the review queue's kind "album", who sees its photos.
REVIEWABLE = review.Reviewable(Album, N_("Album"), _album_visible, lambda a: f"/albums/{a.id}",
                               fields=("title", "description"))
photo_visible = _photo_visible
