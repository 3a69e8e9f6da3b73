"""Who may choose to be told of alerts, and who may see that choice (issue 6).

Any active resident (staff too) chooses for themself. The choice holds a home point, which is private:
only its owner ever sees or changes it; nobody else, administrators included, has a page showing it.
"""

from __future__ import annotations

from sns.policies.core import Viewer, is_signed_in

__all__ = ["can_choose_alert_notices", "can_see_alert_subscription"]


def can_choose_alert_notices(v: Viewer) -> bool:
    return is_signed_in(v)


def can_see_alert_subscription(v: Viewer, subscription) -> bool:
    return is_signed_in(v) and subscription.user_id == v.id
