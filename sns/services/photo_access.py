"""Who may see a photo: whoever may see what it belongs to.

Diary photos and avatars are decided here; each other kind of owner (album, topic, reply, event...) is
named by its area in the manifest (sns/areas.py, `photo_owners`: purpose -> async check), which the
caller passes in (`ctx.site.photo_owners`). A check is written in the owner's service module, or, when
the photo's `parent_id` names its owner, made with `owner_check(Model, visible)` from the owner's rule.
"""

from __future__ import annotations

import inspect
from typing import Any, Awaitable, Callable, Mapping

from sns.models import Diary, Photo, User
from sns.policies import Viewer, can_view_photo

Check = Callable[[Viewer, Photo], Awaitable[bool]]


def owner_check(model, visible: Callable[[Viewer, Any], Any]) -> Check:
    """The photo is seen by whoever may see the `model` row its `parent_id` names (`visible` may be async)."""

    async def check(viewer: Viewer, photo: Photo) -> bool:
        owner = await model.get_or_none(id=photo.parent_id) if photo.parent_id else None
        if owner is None:
            return False
        seen = visible(viewer, owner)
        return bool(await seen) if inspect.isawaitable(seen) else bool(seen)

    return check


async def may_view_photo(viewer: Viewer, photo: Any, owners: Mapping[str, Check]) -> bool:
    if photo.deleted_at is not None:
        return False
    if photo.purpose in ("diary", "avatar"):
        diary = await Diary.get_or_none(id=photo.diary_id) if photo.diary_id else None
        owner = await User.get_or_none(id=photo.owner_id) if photo.purpose == "avatar" else None
        return can_view_photo(viewer, photo, diary=diary, owner=owner)
    check = owners.get(photo.purpose)
    return check is not None and await check(viewer, photo)
