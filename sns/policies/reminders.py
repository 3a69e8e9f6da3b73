"""Who may keep reminders, see them, and edit what the city publishes for them (issue 19).

A resident's reminders (a document's expiry date, the wish to be told of garbage days) are private: only
their owner, signed in, sees or changes them; nobody else has a page showing them, administrators included
(another resident asking for one gets "not found"). Administrators edit the garbage calendar and the texts
the reminders carry ("what to bring"); everyone, visitors too, reads the published calendar.
"""

from __future__ import annotations

from sns.policies.core import Viewer, is_admin, is_self, is_signed_in

__all__ = ["can_keep_reminders", "is_reminder_owner", "can_see_reminder", "can_manage_garbage_calendar",
           "can_edit_reminder_texts", "can_read_garbage_calendar"]


def can_keep_reminders(v: Viewer) -> bool:
    """Ask to be reminded (any resident, staff too, for themself)."""
    return is_signed_in(v)


def is_reminder_owner(v: Viewer, reminder) -> bool:
    return reminder is not None and is_self(v, reminder.user_id)


def can_see_reminder(v: Viewer, reminder) -> bool:
    """See, change or delete one reminder: its owner only."""
    return is_signed_in(v) and is_reminder_owner(v, reminder)


def can_manage_garbage_calendar(v: Viewer) -> bool:
    """Upload the calendar, add and remove collection days."""
    return is_admin(v)


def can_edit_reminder_texts(v: Viewer) -> bool:
    """What each document's reminder says to bring."""
    return is_admin(v)


def can_read_garbage_calendar(v: Viewer) -> bool:
    return True
