"""What `sns mirror status` and the peers page (/admin/mirror) show: this instance's identity, each peer's
cursor, lag and health, and the mirror log, with the words that explain its codes."""

from __future__ import annotations

from dataclasses import dataclass

from sns.i18n import N_
from sns.keys import fingerprint
from sns.mirror import peers as peer_rules
from sns.mirror import media_store, replicas, seal, signing
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
    replica = await replicas.open_replica(settings, peer.origin)
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


# What each health means, for people (msgids; the page translates them).
HEALTH_WORDS = {
    "ok": N_("In step"),
    "behind": N_("Behind: the last pull failed"),
    "down": N_("Down: not reached for a while"),
    "never": N_("Not reached yet"),
    "paused": N_("Paused"),
}

# The codes of the mirror log and of a peer's last problem (sns/mirror/pull.py, serve.py, signing.py).
PROBLEM_WORDS = {
    "bad_signature": N_("The signature does not match the key we confirmed"),
    "bad_time": N_("The request carried no valid time"),
    "stale_request": N_("The request's time is too far from our clock (check both clocks)"),
    "replay": N_("A replayed batch: it answered another request"),
    "out_of_order": N_("Entries out of order or with a gap"),
    "too_large": N_("Too large: refused unread"),
    "unknown_peer": N_("Not one of our peers"),
    "removed_peer": N_("A peer we removed"),
    "paused_peer": N_("A peer we paused"),
    "misaddressed": N_("Meant for another instance or journal"),
    "foreign_record": N_("A record of another city in this city's journal"),
    "bad_batch": N_("Not a valid batch"),
    "bad_entry": N_("A damaged entry"),
    "refused_by_peer": N_("The neighbour refused our request (has it added us?)"),
    "unreachable": N_("Could not reach the neighbour"),
    "unknown_stream": N_("Asked for a journal we do not serve to it"),
}
OTHER_PROBLEM = N_("Refused")


def problem_word(code: str) -> str:
    """The msgid that explains a log code (an unknown code gets a plain "Refused")."""
    return PROBLEM_WORDS.get(code, OTHER_PROBLEM)


def split_problem(last_error: str) -> tuple[str, str]:
    """A peer's `last_error` ("code: detail") as its code and its technical detail."""
    code, _, detail = last_error.partition(":")
    return code.strip(), detail.strip()


@dataclass
class ThisInstance:
    """What an administrator reads to a neighbour's administrator, and whether private content is backed up."""

    origin: str
    url: str
    fingerprint: str
    backup_key: str  # the backup key's public half (base64), "" when none is set


def this_instance(settings: Settings) -> ThisInstance:
    backup = seal.load_public(settings.keys_dir)
    return ThisInstance(settings.origin, settings.base_url, fingerprint(settings.keys_dir),
                        signing.b64(backup) if backup else "")
