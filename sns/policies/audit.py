"""Who may read the administrators' audit log, and the rules of second-factor resets (docs/privacy.md, "What
administrators see").

A reset removes someone's second factors (a lost phone). One administrator asks for it, with a reason; only a
second, different administrator may confirm it, before it expires. Nobody resets their own factors this way
(an administrator who lost their phone asks a colleague, who asks a third to confirm), and the person whose
factors are concerned neither confirms nor cancels."""

from __future__ import annotations

from datetime import datetime

from sns.policies.core import Viewer, is_admin


def can_read_audit_log(v: Viewer) -> bool:
    return is_admin(v)


def is_same_person(v: Viewer, user_id: str | None) -> bool:
    return v.id is not None and user_id is not None and v.id == user_id


def can_ask_factor_reset(v: Viewer, user) -> bool:
    """Ask for a reset of `user`'s second factors: an administrator, for an existing account not their own."""
    return is_admin(v) and user is not None and user.deleted_at is None and not is_same_person(v, user.id)


def is_waiting(reset, now: datetime) -> bool:
    return reset is not None and reset.state == "waiting" and reset.expires_at > now


def can_confirm_factor_reset(v: Viewer, reset, now: datetime) -> bool:
    """Confirm a waiting, unexpired reset: an administrator who neither asked for it nor is its subject."""
    return (is_admin(v) and is_waiting(reset, now) and not is_same_person(v, reset.asked_by_id)
            and not is_same_person(v, reset.user_id))


def can_cancel_factor_reset(v: Viewer, reset, now: datetime) -> bool:
    """Cancel a waiting reset: any administrator but its subject (the asker may take their ask back)."""
    return is_admin(v) and is_waiting(reset, now) and not is_same_person(v, reset.user_id)
