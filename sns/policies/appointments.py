"""Who may do what with the city's counters and the appointments made at them (issue 19).

Everyone, visitors too, sees the counters and their free times (like opening hours on a door); booking
takes an account. A resident sees and changes only their own appointments. The staff of a counter's
department (and administrators) see the counter's day list, mark arrivals and no-shows, and book for
someone who phoned. Only administrators define counters and keep the city's holiday list.
Imported from this module (not re-exported by `sns.policies`).
"""

from __future__ import annotations

from sns.policies.core import Viewer, is_admin, is_self, is_signed_in


def can_manage_counters(v: Viewer) -> bool:
    """Add and change counters, their opening hours and closed days, and the city's holidays."""
    return is_admin(v)


def is_counter_staff(v: Viewer) -> bool:
    """Works for some department (or administers): the staff's counter pages are offered."""
    return is_signed_in(v) and (bool(v.department_ids) or is_admin(v))


def can_staff_counter(v: Viewer, counter) -> bool:
    """See the counter's day list, mark arrived / no-show, book for a resident who phoned."""
    return is_admin(v) or (is_signed_in(v) and counter.department_id in v.department_ids)


def can_book(v: Viewer) -> bool:
    """Book a time for oneself."""
    return is_signed_in(v)


def can_see_appointment(v: Viewer, appointment, counter) -> bool:
    """The resident it is for, and the counter's staff."""
    own = appointment.resident_id is not None and is_self(v, appointment.resident_id)
    return own or can_staff_counter(v, counter)


def can_change_appointment(v: Viewer, appointment, counter) -> bool:
    """Move, cancel, add a service after: the resident it is for, and the counter's staff."""
    return can_see_appointment(v, appointment, counter)
