"""Our actors' outboxes (the newest first, 20 `Create` activities a page, paged by id: `?page=true&max_id=<id>`)
and followers collections (their number only: who follows a resident is not published).

The city's outbox holds its notices and its own alerts; a resident's, their public diary entries. Each page is
read through the same scopes and predicates as the objects (sns/policies/fediverse.py), as a visitor would.
"""

from __future__ import annotations

import re
from typing import Any

from tortoise.expressions import Q

from sns.fediverse.addresses import followers_url, outbox_url
from sns.fediverse.objects import AS, activity, alert_note, diary_note, notice_note
from sns.models import Diary, Follower, Notice, Photo
from sns.models.alerts import Alert
from sns.policies import public_diary_scope
from sns.policies.fediverse import (
    fediverse_can_see_alert, fediverse_can_see_diary, fediverse_can_see_notice, fediverse_can_see_photo,
)
from sns.settings import Settings

PAGE_SIZE = 20
_ID = re.compile(r"^[0-9a-fA-F-]{1,36}$")


class BadCursor(ValueError):
    """A `max_id` that is no id of ours."""


def check_cursor(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not _ID.match(value):
        raise BadCursor(value)
    return value.lower()


def _older(query, max_id: str | None):
    return query.filter(id__lt=max_id) if max_id else query


def _city_notices():
    return Notice.filter(deleted_at=None)


def _city_alerts(settings: Settings):
    return Alert.filter(deleted_at=None, source="", origin=settings.origin)


def _diaries_of(user):
    return Diary.filter(public_diary_scope() & Q(author_id=user.id))


async def city_count(settings: Settings) -> int:
    return await _city_notices().count() + await _city_alerts(settings).count()


async def diary_count(user) -> int:
    return await _diaries_of(user).count()


async def city_page(settings: Settings, max_id: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the city's Creates, newest first, and the id the next page starts below (None: the last)."""
    handle = settings.fediverse_handle
    notices = await _older(_city_notices(), max_id).order_by("-id").limit(PAGE_SIZE + 1)
    alerts = await _older(_city_alerts(settings), max_id).order_by("-id").limit(PAGE_SIZE + 1)
    merged = sorted([*notices, *alerts], key=lambda r: r.id, reverse=True)
    items = []
    for record in merged[:PAGE_SIZE]:
        if isinstance(record, Notice) and fediverse_can_see_notice(record):
            items.append(activity("Create", settings, handle, notice_note(settings, handle, record), record.version))
        elif isinstance(record, Alert) and fediverse_can_see_alert(record, settings.origin):
            items.append(activity("Create", settings, handle, alert_note(settings, handle, record), record.version))
    return items, merged[PAGE_SIZE - 1].id if len(merged) > PAGE_SIZE else None


async def diary_page(settings: Settings, user, max_id: str | None) -> tuple[list[dict[str, Any]], str | None]:
    diaries = await _older(_diaries_of(user), max_id).order_by("-id").limit(PAGE_SIZE + 1)
    shown = diaries[:PAGE_SIZE]
    photos: dict[str, list[Photo]] = {}
    for photo in await Photo.filter(diary_id__in=[d.id for d in shown], deleted_at=None).order_by("position"):
        photos.setdefault(photo.diary_id, []).append(photo)
    items = []
    for diary in shown:
        if fediverse_can_see_diary(diary, user, settings.fediverse_handle):
            seen = [p for p in photos.get(diary.id, []) if fediverse_can_see_photo(p, diary)]
            items.append(activity("Create", settings, user.username, diary_note(settings, user, diary, seen),
                                  diary.version))
    return items, shown[-1].id if len(diaries) > PAGE_SIZE else None


def collection(settings: Settings, name: str, total: int) -> dict[str, Any]:
    url = outbox_url(settings, name)
    return {"@context": AS, "id": url, "type": "OrderedCollection", "totalItems": total,
            "first": f"{url}?page=true"}


def page(settings: Settings, name: str, max_id: str | None, items: list, next_id: str | None) -> dict[str, Any]:
    url = outbox_url(settings, name)
    found = {"@context": AS, "id": f"{url}?page=true" + (f"&max_id={max_id}" if max_id else ""),
             "type": "OrderedCollectionPage", "partOf": url, "orderedItems": items}
    if next_id is not None:
        found["next"] = f"{url}?page=true&max_id={next_id}"
    return found


async def followers(settings: Settings, name: str, actor: str) -> dict[str, Any]:
    """`actor`: "city" or the resident's user id (as `Follower.actor` names them)."""
    return {"@context": AS, "id": followers_url(settings, name), "type": "OrderedCollection",
            "totalItems": await Follower.filter(actor=actor).count()}


__all__ = ["PAGE_SIZE", "BadCursor", "check_cursor", "city_count", "diary_count", "city_page", "diary_page",
           "collection", "page", "followers"]
