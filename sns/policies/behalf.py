"""Who may act on behalf of a fallen city on a neighbour's site (issue 7, docs/mirroring.md).

At the origin an administrator makes standby codes, before any disaster, for its fire and disaster staff
and its administrators. On a neighbour one of those codes signs such a person in as "acting for <city>",
only while that city is down and only if that city lets this neighbour act for it. Acting for the city,
the fire department and the disaster desk post and change alerts (as at home) and post notices (the
city's voice while its own site is dark); an administrator posts notices. The session grants nothing on
the neighbour's own site. The origin applies these same rules again when it adopts what was posted.

The rules take the person as a user row (of the origin's replica on the neighbour, of its own database at
the origin) because nobody is signed in as a local user when acting.
"""

from __future__ import annotations

from sns.policies.alerts import ALERT_ROLES
from sns.policies.core import Viewer, is_admin

ACTING_ROLES = frozenset({"fire", "disaster", "admin"})


def may_hold_standby_codes(user) -> bool:
    return user is not None and user.role in ACTING_ROLES and user.state == "active" and user.deleted_at is None


def can_manage_standby_codes(v: Viewer) -> bool:
    return is_admin(v)


def acting_refusal(peer, health: str, user) -> str | None:
    """Why `user` of `peer`'s city may not sign in here to act for it now (a word), or None when they may.

    `peer` is our Peer row for that city, `health` what sns.mirror.peers.health says of it."""
    if peer is None or peer.state != "active":
        return "not_a_peer"
    if not peer.acts_for_them:
        return "not_allowed"
    if health != "down":
        return "origin_up"
    if not may_hold_standby_codes(user):
        return "not_staff"
    return None


def may_post_alert_acting(user) -> bool:
    return may_hold_standby_codes(user) and user.role in ALERT_ROLES


def may_change_alert_acting(user, alert) -> bool:
    """Its status only (or cancel it): a correction waits for the city's own site. Imported alerts follow
    their source."""
    return may_post_alert_acting(user) and not alert.source and alert.deleted_at is None


def may_post_notice_acting(user) -> bool:
    return may_hold_standby_codes(user)


def may_adopt_from(peer) -> bool:
    """At the origin: do we take what was posted on `peer`'s site on our behalf?"""
    return peer is not None and peer.state == "active" and peer.acts_for_us


