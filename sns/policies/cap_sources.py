"""Who may configure the external CAP 1.2 sources alerts are imported from (issue 6).

Only administrators add, pause, resume, remove and poll sources: a source's alerts reach every page.
The disaster desk may read their health (when each last answered, what it refused), since it relies
on them in an emergency; the fire role and everyone else never see the page.
"""

from __future__ import annotations

from sns.policies.core import *  # noqa: F401,F403
from sns.policies.core import Viewer, is_admin, is_signed_in


def can_manage_alert_sources(v: Viewer) -> bool:
    return is_admin(v)


def can_read_alert_sources(v: Viewer) -> bool:
    return is_admin(v) or (is_signed_in(v) and v.role == "disaster")


