"""Leaving: who may ask for their account to be deleted, and which of a leaving person's posts are "public
posts" that may stay under "a former resident" (docs/privacy.md, "Leaving").

Any signed-in account may delete itself, staff included (their official notices, alerts and answers to
inquiries are the city's and stay, anonymised), except the last active administrator: the city would be
left with nobody able to administer it. Public posts are those every resident could read: visibility
"public" or "members", published (a held text waits for a moderator and is not yet a post), in a place
that is not private to a few (community posts follow their community, which keeps them)."""

from __future__ import annotations

from sns.policies.core import Viewer, is_signed_in

PUBLIC_VISIBILITIES = frozenset({"public", "members"})


def is_last_admin(v: Viewer, other_active_admins: int) -> bool:
    return is_signed_in(v) and v.role == "admin" and other_active_admins <= 0


def can_ask_deletion(v: Viewer, *, other_active_admins: int) -> bool:
    """`other_active_admins`: how many other active, undeleted administrator accounts the city has."""
    return is_signed_in(v) and not is_last_admin(v, other_active_admins)


def is_public_post(visibility: str | None, state: str) -> bool:
    """A post every resident could read (None: a kind without visibility, public once published)."""
    return state == "published" and (visibility is None or visibility in PUBLIC_VISIBILITIES)


def stays_after_leaving(keep_public: bool, visibility: str | None, state: str) -> bool:
    """Whether a leaving person's post stays (under "a former resident") or goes with them."""
    return keep_public and is_public_post(visibility, state)
