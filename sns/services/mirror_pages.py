"""Reading a neighbouring city's replica for its mirror pages (docs/mirroring.md, "Serving a mirror").

Every read goes to the origin's replica (`sns.mirror.replicas`), through a scope of
`sns.policies.mirror_pages`, and is bounded: a page runs a fixed number of queries whatever the size of
the replica. A replica is opened only for a neighbour our administrator added (and did not remove), so a
made-up address never creates a file. Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.expressions import Q

from sns.errors import NotFound
from sns.i18n import N_, gettext
from sns.ids import is_id
from sns.mirror import peers as peer_rules
from sns.mirror import replicas
from sns.models import (
    Alert, AlertUpdate, Comment, Community, Diary, DisasterEvent, Notice, Peer, Photo, Reply, ReportCategory,
    ReportUpdate, Shelter, StreetReport, Topic, User,
)
from sns.models.alerts import ACTIVE_STATUSES
from sns.models.base import utcnow
from sns.policies.mirror_pages import (
    mirror_comment_scope, mirror_community_scope, mirror_diary_scope, mirror_disaster_scope,
    mirror_official_scope, mirror_post_scope, mirror_report_scope, mirror_visible_city,
)
from sns.services.shared import SharedCache, database_of
from sns.settings import Settings

LIST_LIMIT = 50
FRONT_DIARIES = 10
FRONT_NOTICES = 5
UP = ("ok", "behind")  # what a resident reads as "up"; down, paused and never are said as they are

_shared = SharedCache()
MISSING = N_("This page does not exist or is not shown to you.")


@dataclass
class MirroredCity:
    """A neighbour we mirror, as its mirror pages show it."""

    origin: str
    name: str
    url: str
    health: str  # sns.mirror.peers.health: ok / behind / down / paused / never
    last_ok_at: datetime | None  # our last pull it answered
    last_entry_at: datetime | None  # when its newest change we hold was made there
    replica: Any = None
    disaster: DisasterEvent | None = None  # its disaster mode, while on
    names: dict[str, str] = field(default_factory=dict)  # user id -> display name, filled per page

    @property
    def up(self) -> bool:
        return self.health in UP

    @property
    def link(self) -> str:
        return f"/mirror/{self.origin}"

    def author(self, user_id: str | None) -> str:
        """The author's name; an account the replica no longer holds was deleted (docs/privacy.md, "Leaving")."""
        if not user_id:
            return ""
        return self.names.get(user_id) or gettext("a former resident")


def _city(settings: Settings, peer: Peer) -> MirroredCity:
    return MirroredCity(peer.origin, peer.name or peer.origin, peer.url,
                        peer_rules.health(peer, settings.mirror_down_after_seconds, utcnow()),
                        peer.last_ok_at, peer.last_entry_at)


async def cities(settings: Settings) -> list[MirroredCity]:
    """The neighbours we mirror, with their health (one query)."""
    peers = await Peer.filter(state__in=["active", "paused"]).order_by("name", "origin")
    return [_city(settings, p) for p in peers if mirror_visible_city(p)]


async def _load_fallen(settings: Settings) -> list[MirroredCity]:
    return [c for c in await cities(settings) if c.health == "down"]


async def fallen_cities(settings: Settings) -> list[MirroredCity]:
    """Neighbours not answering now, whose residents the front page and the alerts page point to their
    mirror. The same for every reader: kept in the shared cache (no query when warm)."""
    return await _shared.get((database_of(settings), "fallen_cities"), settings.shared_cache_seconds,
                             lambda: _load_fallen(settings))


async def city(settings: Settings, origin: str) -> MirroredCity:
    """The neighbour `origin` with its replica open and its disaster mode read; NotFound when we do not
    mirror it."""
    peer = await Peer.get_or_none(origin=origin) if origin and len(origin) <= 255 else None
    if not mirror_visible_city(peer):
        raise NotFound(MISSING)
    found = _city(settings, peer)
    found.replica = await replicas.open_replica(settings, peer.origin)
    found.disaster = await DisasterEvent.filter(mirror_disaster_scope()).using_db(found.replica) \
        .order_by("-started_at").first()
    return found


def _id(value: str) -> str:
    if not is_id(value):
        raise NotFound(MISSING)
    return value


async def _one(model, scope: Q, c: MirroredCity, record_id: str):
    row = await model.filter(scope, id=_id(record_id)).using_db(c.replica).first()
    if row is None:
        raise NotFound(MISSING)
    return row


async def _name(c: MirroredCity, rows: list, column: str = "author_id") -> None:
    """Fill `c.names` with the display names of the authors of `rows` (one query)."""
    ids = {getattr(r, column) for r in rows if getattr(r, column, None)} - set(c.names)
    if ids:
        for user_id, name in await User.filter(id__in=list(ids)).using_db(c.replica).values_list("id",
                                                                                               "display_name"):
            c.names[user_id] = name


def _before(before: str | None) -> Q:
    return Q(id__lt=before) if before and is_id(before) else Q()


# --- official: alerts, notices, shelters ------------------------------------------------------

async def active_alerts(c: MirroredCity) -> list[Alert]:
    return await Alert.filter(mirror_official_scope(), status__in=list(ACTIVE_STATUSES)).using_db(c.replica) \
        .order_by("-sent_at", "-id").limit(LIST_LIMIT)


async def alerts(c: MirroredCity) -> list[Alert]:
    """Active ones first, then the others, newest first."""
    active = await active_alerts(c)
    over = await Alert.filter(mirror_official_scope()).exclude(status__in=list(ACTIVE_STATUSES)) \
        .using_db(c.replica).order_by("-sent_at", "-id").limit(LIST_LIMIT)
    return active + over


async def alert(c: MirroredCity, alert_id: str) -> tuple[Alert, list[AlertUpdate]]:
    found = await _one(Alert, mirror_official_scope(), c, alert_id)
    steps = await AlertUpdate.filter(mirror_official_scope(), alert_id=found.id).using_db(c.replica) \
        .order_by("created_at", "id").limit(500)
    return found, steps


async def notices(c: MirroredCity, limit: int = LIST_LIMIT) -> list[Notice]:
    return await Notice.filter(mirror_official_scope()).using_db(c.replica).order_by("-id").limit(limit)


async def notice(c: MirroredCity, notice_id: str) -> Notice:
    return await _one(Notice, mirror_official_scope(), c, notice_id)


async def shelters(c: MirroredCity) -> list[Shelter]:
    """Open ones first, then full, then closed; by name."""
    rows = await Shelter.filter(mirror_official_scope()).using_db(c.replica).order_by("name", "id").limit(1000)
    order = {"open": 0, "full": 1}
    return sorted(rows, key=lambda s: order.get(s.status, 2))


# --- residents' public pages ------------------------------------------------------------------

async def diaries(c: MirroredCity, before: str | None = None, limit: int = LIST_LIMIT) -> list[Diary]:
    rows = await Diary.filter(mirror_diary_scope(), _before(before)).using_db(c.replica).order_by("-id") \
        .limit(limit)
    await _name(c, rows)
    return rows


async def _photos(c: MirroredCity, **owner) -> list[Photo]:
    """The photos of a record the mirror shows (they travelled with it; another part serves their bytes)."""
    return await Photo.filter(deleted_at=None, **owner).using_db(c.replica).order_by("position", "id").limit(20)


async def diary(c: MirroredCity, diary_id: str) -> tuple[Diary, list[Comment], list[Photo]]:
    found = await _one(Diary, mirror_diary_scope(), c, diary_id)
    comments = await Comment.filter(mirror_comment_scope(), diary_id=found.id).using_db(c.replica) \
        .order_by("id").limit(500)
    await _name(c, [found, *comments])
    return found, comments, await _photos(c, purpose="diary", diary_id=found.id)


async def _categories(c: MirroredCity) -> dict[str, ReportCategory]:
    return {k.id: k for k in await ReportCategory.filter(deleted_at=None).using_db(c.replica).limit(500)}


async def reports(c: MirroredCity, before: str | None = None) -> tuple[list[StreetReport], dict]:
    rows = await StreetReport.filter(mirror_report_scope(), _before(before)).using_db(c.replica) \
        .order_by("-id").limit(LIST_LIMIT)
    return rows, await _categories(c)


async def report(c: MirroredCity, report_id: str) -> tuple[StreetReport, list[ReportUpdate], dict, list[Photo]]:
    found = await _one(StreetReport, mirror_report_scope(), c, report_id)
    steps = await ReportUpdate.filter(deleted_at=None, report_id=found.id).using_db(c.replica) \
        .order_by("id").limit(500)
    return found, steps, await _categories(c), await _photos(c, purpose="report", parent_id=found.id)


async def communities(c: MirroredCity) -> list[Community]:
    return await Community.filter(mirror_community_scope()).using_db(c.replica) \
        .order_by("-last_activity_at", "name").limit(200)


async def community(c: MirroredCity, community_id: str) -> tuple[Community, list[Topic]]:
    found = await _one(Community, mirror_community_scope(), c, community_id)
    topics = await Topic.filter(mirror_post_scope(), community_id=found.id).using_db(c.replica) \
        .order_by("-pinned", "-bumped_at", "-id").limit(LIST_LIMIT)
    await _name(c, topics)
    return found, topics


async def topic(c: MirroredCity, topic_id: str) -> tuple[Topic, Community, list[Reply]]:
    found = await _one(Topic, mirror_post_scope(), c, topic_id)
    group = await Community.filter(mirror_community_scope(), id=found.community_id).using_db(c.replica).first()
    if group is None:  # a topic of a community the mirror does not show
        raise NotFound(MISSING)
    replies = await Reply.filter(mirror_post_scope(), topic_id=found.id).using_db(c.replica) \
        .order_by("id").limit(500)
    await _name(c, [found, *replies])
    return found, group, replies


async def front(c: MirroredCity) -> dict[str, Any]:
    """What the city's front page shows a visitor: its active alerts, notices, shelters, newest diaries."""
    return {"alerts": await active_alerts(c), "notices": await notices(c, FRONT_NOTICES),
            "shelters": await shelters(c), "diaries": await diaries(c, limit=FRONT_DIARIES)}
