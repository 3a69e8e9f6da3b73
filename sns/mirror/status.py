"""What `sns mirror status` and the peers page show: each peer's cursor, lag and health."""

from __future__ import annotations

from dataclasses import dataclass

from sns.mirror import peers as peer_rules
from sns.mirror import media_store, replicas
from sns.models import MirrorLog, Peer
from sns.models.base import utcnow
from sns.settings import Settings


@dataclass
class PeerStatus:
    peer: Peer
    health: str
    cursor: int
    behind: int  # entries the peer has that we do not yet
    lag_seconds: float | None  # how old the newest change we miss is (0 when caught up); None: unknown
    media_missing: int = 0  # photo files we should hold of it and do not yet (sns/mirror/media_store.py)

    @property
    def lag_text(self) -> str:
        if self.lag_seconds is None:
            return "?"
        return f"{self.lag_seconds:.1f} s" if self.lag_seconds < 120 else f"{self.lag_seconds / 60:.0f} min"


async def peer_status(settings: Settings, peer: Peer) -> PeerStatus:
    replica = await replicas.open_replica(settings.data_dir, peer.origin)
    cursor = await replicas.cursor(replica, peer.origin)
    behind = max(0, peer.head_seq - cursor)
    now = utcnow()
    if peer.last_ok_at is None:
        lag = None
    elif behind == 0:
        lag = 0.0 if peer.failures == 0 else (now - peer.last_ok_at).total_seconds()
    else:
        lag = (now - (peer.last_entry_at or peer.last_ok_at)).total_seconds()
    return PeerStatus(peer, peer_rules.health(peer, settings.mirror_down_after_seconds, now), cursor, behind, lag,
                      await media_store.missing_count(replica))


async def peer_statuses(settings: Settings) -> list[PeerStatus]:
    return [await peer_status(settings, p) for p in await Peer.exclude(state="removed").order_by("added_at")]


async def recent_problems(limit: int = 50) -> list[MirrorLog]:
    return await MirrorLog.all().order_by("-id").limit(limit)
