"""Rules for internal mail and for residents' threads with the city's departments.

Only the participants of a conversation ever read it (not administrators, not moderators: a held
or reported message reaches moderators through the review queue only). A department thread is
read by the resident who wrote it and by that department's staff (administrators act as staff of
every department); nobody else, whatever their role. Department membership comes in as the
viewer's `department_ids` (loaded once with the viewer), so these predicates never query.
"""

from __future__ import annotations

from sns.policies.core import Viewer, is_admin, is_blocked, is_self, is_signed_in

INQUIRY_STATUSES = ("received", "in_progress", "answered", "closed")


# --- internal mail --------------------------------------------------------------------------

def can_receive_mail(user) -> bool:
    """An account that mail can reach: active, not deleted."""
    return user is not None and user.state == "active" and user.deleted_at is None


def can_write_mail(v: Viewer) -> bool:
    return is_signed_in(v)


def can_message(v: Viewer, recipient) -> bool:
    """Write to this person (or add them to a group): not myself, not blocked either way, reachable."""
    return (is_signed_in(v) and can_receive_mail(recipient) and not is_self(v, recipient.id)
            and not is_blocked(v, recipient.id))


def can_read_conversation(v: Viewer, participant_user_ids) -> bool:
    """Only the (remaining) participants, whatever the reader's role."""
    return is_signed_in(v) and v.id in set(participant_user_ids)


def can_reply_conversation(v: Viewer, participant_user_ids) -> bool:
    """A participant may answer unless someone else still in the conversation is blocked either way."""
    ids = set(participant_user_ids)
    return can_read_conversation(v, ids) and not any(is_blocked(v, uid) for uid in ids if uid != v.id)


def can_view_message(v: Viewer, message, participant_user_ids) -> bool:
    """A message in a conversation I may read: published, or my own; not from someone blocked."""
    if message.deleted_at is not None or not can_read_conversation(v, participant_user_ids):
        return False
    if is_self(v, message.author_id):
        return True
    return message.state == "published" and not is_blocked(v, message.author_id)


# --- the city's departments --------------------------------------------------------------------

def is_department_staff(v: Viewer, department_id: str) -> bool:
    return is_signed_in(v) and (department_id in v.department_ids or is_admin(v))


def can_manage_departments(v: Viewer) -> bool:
    return is_admin(v)


def can_write_to_department(v: Viewer, department) -> bool:
    return is_signed_in(v) and department is not None and department.active and department.deleted_at is None


def can_use_city_inbox(v: Viewer) -> bool:
    return is_signed_in(v) and (bool(v.department_ids) or is_admin(v))


def can_view_inquiry(v: Viewer, inquiry, staff_department_ids=None) -> bool:
    """The resident who wrote it; that department's staff once it reached them (not while its first
    words wait for a moderator). `staff_department_ids` defaults to the viewer's own."""
    if inquiry is None or inquiry.deleted_at is not None or not is_signed_in(v):
        return False
    if is_self(v, inquiry.resident_id):
        return True
    ids = v.department_ids if staff_department_ids is None else staff_department_ids
    return inquiry.last_activity_at is not None and (inquiry.department_id in ids or is_admin(v))


def can_work_inquiry(v: Viewer, inquiry, staff_department_ids=None) -> bool:
    """Reply as the city, assign, set the status: that department's staff (and administrators)."""
    if not can_view_inquiry(v, inquiry, staff_department_ids):
        return False
    ids = v.department_ids if staff_department_ids is None else staff_department_ids
    return inquiry.department_id in ids or is_admin(v)


def can_reply_inquiry(v: Viewer, inquiry, staff_department_ids=None) -> bool:
    """Staff always may; the resident may while the thread is not closed."""
    if can_work_inquiry(v, inquiry, staff_department_ids):
        return True
    return can_view_inquiry(v, inquiry, staff_department_ids) and is_self(v, inquiry.resident_id) \
        and inquiry.status != "closed"


def can_view_inquiry_entry(v: Viewer, entry, inquiry, staff_department_ids=None) -> bool:
    """An entry of a thread I may see: published, or my own waiting one."""
    if entry.deleted_at is not None or not can_view_inquiry(v, inquiry, staff_department_ids):
        return False
    return entry.state == "published" or is_self(v, entry.author_id)
