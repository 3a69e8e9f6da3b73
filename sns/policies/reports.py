"""Rules for street reports ("machikado reporter", issue 5).

A published report is public: everyone, visitors included, reads it, its photos and its history.
A report held by the word filter is seen by its author and by moderators only (the queue), and
does not reach its department until it is approved. The department the report's category routes
to works it (sets its status with a public comment); administrators act as staff of every
department. Department membership arrives as the viewer's `department_ids`, so nothing here queries.
"""

from __future__ import annotations

from tortoise.expressions import Q

from sns.policies.core import *  # noqa: F401,F403
from sns.policies.core import Viewer, is_admin, is_moderator, is_self, is_signed_in

__all__ = ["can_view_report", "can_file_report", "can_work_report", "can_edit_report", "can_follow_report",
           "can_manage_categories", "can_use_report_queue", "report_scope", "public_report_scope"]


def can_view_report(v: Viewer, report) -> bool:
    if report is None or report.deleted_at is not None:
        return False
    if report.state == "published":
        return True
    return is_signed_in(v) and (is_self(v, report.author_id) or is_moderator(v))


def can_file_report(v: Viewer) -> bool:
    """Any signed-in, active account (suspended and pending ones are not signed in)."""
    return is_signed_in(v)


def can_work_report(v: Viewer, report) -> bool:
    """Set the status and comment publicly: staff of the report's department, or an administrator,
    once the report is published (a held one waits for a moderator first)."""
    if report is None or report.deleted_at is not None or report.state != "published" or not is_signed_in(v):
        return False
    return is_admin(v) or (report.department_id is not None and report.department_id in v.department_ids)


def can_edit_report(v: Viewer, report) -> bool:
    """Its author, while the department has not started on it."""
    return (is_signed_in(v) and report is not None and report.deleted_at is None and is_self(v, report.author_id)
            and report.status == "received")


def can_follow_report(v: Viewer, report) -> bool:
    return is_signed_in(v) and can_view_report(v, report)


def can_manage_categories(v: Viewer) -> bool:
    return is_admin(v)


def can_use_report_queue(v: Viewer) -> bool:
    return is_signed_in(v) and (bool(v.department_ids) or is_admin(v))


def public_report_scope() -> Q:
    """What a visitor may see (lists, feeds, the map): mirrors `can_view_report` for nobody."""
    return Q(deleted_at=None) & Q(state="published")


def report_scope(v: Viewer) -> Q:
    """Reports `v` may see in lists, as a filter: the published ones and their own (held ones too).
    Moderators see other people's held reports through the review queue, not in lists."""
    scope = public_report_scope()
    if v.id:
        scope |= Q(author_id=v.id, deleted_at=None)
    return scope
