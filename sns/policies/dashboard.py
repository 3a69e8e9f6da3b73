"""Who may read the staff dashboard (/city/dashboard, sns/services/dashboard.py) and which of its figures.

The site's figures (active residents, posts, new members, moderation times) are aggregates that name nobody:
every member of staff and every administrator reads them. A department's figures (its requests, answer times,
oldest open requests, appointments) are read by that department's staff and by administrators, not by the
staff of another department. Department membership arrives as the viewer's `department_ids`, so nothing here
queries. Imported from this module (like `sns.policies.audit`), not re-exported by `sns.policies`."""

from __future__ import annotations

from sns.policies.core import STAFF_ROLES, Viewer, is_admin, is_signed_in


def is_city_staff(v: Viewer) -> bool:
    """Someone who works for the city here: the staff role, an administrator, or a department's member."""
    return is_signed_in(v) and (v.role in STAFF_ROLES or bool(v.department_ids))


def can_view_dashboard(v: Viewer) -> bool:
    return is_city_staff(v)


def can_view_department_figures(v: Viewer, department_id: str) -> bool:
    return is_city_staff(v) and (is_admin(v) or department_id in v.department_ids)
