"""What a neighbour's mirror pages show (issue 7, docs/mirroring.md "Serving a mirror").

A replica holds everything that travelled openly: public *and* members-only content. Members of the
fallen city are not signed in here (their accounts are not ours), so the mirror shows only what its
origin shows an anonymous visitor, to everyone, whoever is signed in on our side: public, published,
not deleted. These scopes are the only filters the mirror pages use, for lists and single records
alike (a record is looked up *through* its scope), so a list never shows what its page would refuse.
Nothing on the mirror is written: there is no rule for doing anything, only for reading.
"""

from __future__ import annotations

from tortoise.expressions import Q

from sns.policies.core import public_diary_scope
from sns.policies.reports import public_report_scope

__all__ = ["mirror_diary_scope", "mirror_comment_scope", "mirror_community_scope", "mirror_post_scope",
           "mirror_report_scope", "mirror_official_scope", "mirror_disaster_scope", "mirror_visible_city"]

VISIBLE_PEER_STATES = ("active", "paused")  # a removed neighbour is mirrored no more: its pages are gone


def mirror_visible_city(peer) -> bool:
    """May the mirror of this peer be shown at all? Not when unknown or removed by our administrator."""
    return peer is not None and peer.state in VISIBLE_PEER_STATES


def mirror_diary_scope() -> Q:
    """Diaries of the origin an anonymous visitor sees there: public, published, not deleted. Members-only
    diaries travel (the origin's residents read them when signed in there) but are never shown here."""
    return public_diary_scope()


def mirror_comment_scope() -> Q:
    """Comments shown under a diary the mirror already shows."""
    return Q(deleted_at=None, state="published")


def mirror_community_scope() -> Q:
    """Communities whose page and topics a visitor reads at the origin: readable by everyone."""
    return Q(deleted_at=None, state="published", readable_by="public")


def mirror_post_scope() -> Q:
    """Topics and replies shown within a community the mirror already shows."""
    return Q(deleted_at=None, state="published")


def mirror_report_scope() -> Q:
    """Street reports: what the origin shows a visitor (published, not deleted)."""
    return public_report_scope()


def mirror_official_scope() -> Q:
    """Official records everyone reads (alerts, their history, notices, shelters): not deleted."""
    return Q(deleted_at=None)


def mirror_disaster_scope() -> Q:
    """The origin's disaster mode, when on: its event, switched on and not ended or deleted."""
    return Q(deleted_at=None, live="on", ended_at=None)
