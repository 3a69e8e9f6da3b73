"""Rules for My requests and for inquiries staff log on a resident's behalf (issue 19).

My requests lists only the signed-in resident's own inquiries, street reports and appointments: there is no
way to ask for anyone else's. Staff of a department (administrators act as staff of every department) may log
a phone call or a visit to a counter as an inquiry for a resident, to that department only, and only for an
active account that is not their own. Nothing here queries.
"""

from __future__ import annotations

from sns.policies.core import Viewer, is_self, is_signed_in
from sns.policies.messages import is_department_staff

__all__ = ["LOGGED_CHANNELS", "can_list_my_requests", "can_log_inquiry", "can_log_inquiry_for"]

LOGGED_CHANNELS = ("phone", "counter")  # how a request staff log reached them


def can_list_my_requests(v: Viewer) -> bool:
    return is_signed_in(v)


def can_log_inquiry(v: Viewer, department) -> bool:
    """Log a call or a visit for this department: its staff, while it exists."""
    return department is not None and department.deleted_at is None and is_department_staff(v, department.id)


def can_log_inquiry_for(v: Viewer, department, resident) -> bool:
    """... for this person: an active account, and not the staff member themselves."""
    return can_log_inquiry(v, department) and resident is not None and resident.state == "active" \
        and resident.deleted_at is None and not is_self(v, resident.id)
