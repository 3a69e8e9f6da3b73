"""Who may post and change official alerts (issue 6).

Everyone, visitors too, reads alerts: a warning must reach people who never signed in. Only the fire
department and the disaster desk post them and change their status (administrators hold their own role
only, so they do not); every such action is written to the staff action log by the service.
"""

from __future__ import annotations

from sns.policies.core import *  # noqa: F401,F403
from sns.policies.core import Viewer, is_signed_in

ALERT_ROLES = frozenset({"fire", "disaster"})


def can_read_alerts(v: Viewer) -> bool:
    return True


def can_post_alert(v: Viewer) -> bool:
    return is_signed_in(v) and v.role in ALERT_ROLES


def can_change_alert(v: Viewer, alert) -> bool:
    """Change the status of (or correct) an alert posted here; imported ones follow their source."""
    return can_post_alert(v) and not getattr(alert, "source", "")


