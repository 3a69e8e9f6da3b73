"""The map layers of diaries and events: one query each, filtered by the same scopes as their lists."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sns.context import Ctx
from sns.i18n import N_, format_time
from sns.models import Diary, Event
from sns.models.base import utcnow
from sns.policies import diary_scope, event_scope
from sns.services import maps
from sns.services.event_access import readable_community_ids

DIARY_DAYS = 365  # the diaries layer shows the last year's entries with a place
DIARY_FIELDS = ("id", "title", "lat", "lon", "author__display_name")


def _diaries(ctx: Ctx, **filters):
    """Diaries with a place that the viewer may read (the same scope as every diary list), of the last year."""
    return Diary.filter(diary_scope(ctx.viewer), created_at__gte=utcnow() - timedelta(days=DIARY_DAYS), **filters)


async def locate_diaries(ctx: Ctx, bbox: maps.BBox, limit: int) -> list[tuple[str, float, float]]:
    return await _diaries(ctx, **bbox.around()).order_by("-id").limit(limit).values_list("id", "lat", "lon")


def _diary_points(rows) -> list[dict[str, Any]]:
    return [maps.point(r["lat"], r["lon"], id=r["id"], title=r["title"], url=f"/diaries/{r['id']}",
                       detail=r["author__display_name"]) for r in rows]


async def describe_diaries(ctx: Ctx, ids: list[str]) -> list[dict[str, Any]]:
    return _diary_points(await _diaries(ctx, id__in=ids).values(*DIARY_FIELDS))


async def diary_features(ctx: Ctx, bbox: maps.BBox, limit: int) -> list[dict[str, Any]]:
    """All of them in the box, in one query (when every one is sent by itself)."""
    return _diary_points(await _diaries(ctx, **bbox.around()).order_by("-id").limit(limit).values(*DIARY_FIELDS))


async def event_features(ctx: Ctx, bbox: maps.BBox, limit: int) -> list[dict[str, Any]]:
    """Events not yet over, with a place, that the viewer may see."""
    scope = event_scope(ctx.viewer, await readable_community_ids(ctx.viewer))
    rows = await (Event.filter(scope, ends_at__gte=utcnow(), cancelled=False, **bbox.around())
                  .order_by("starts_at").limit(limit)
                  .values("id", "title", "lat", "lon", "starts_at", "place"))
    return [maps.point(r["lat"], r["lon"], id=r["id"], title=r["title"], url=f"/events/{r['id']}",
                       detail=r["place"], when=format_time(r["starts_at"], "short"))
            for r in rows]


DIARIES = maps.Layer("diaries", N_("Diaries"), diary_features, order=40, colour="#2f6db5", list_url="/diaries",
                     locate=locate_diaries, describe=describe_diaries)
EVENTS = maps.Layer("events", N_("Events"), event_features, order=35, colour="#c77d00", list_url="/events")
