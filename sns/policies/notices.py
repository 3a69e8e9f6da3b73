"""Who may post notices for an area, and who sees whom a notice concerns (issue 19, notices near my home).

Staff post notices (`can_post_notice`, in `core`) for the town, districts or around a point; everyone reads
every notice and its area. Which notices concern a resident depends on their home district and home point:
only that resident sees it (My page's "Near my home", /notices?near=1), and nobody, staff and administrators
included, has a page or an API operation listing the residents a notice concerns. Imported from here, not
re-exported by `sns.policies`.
"""

from __future__ import annotations

from sns.policies.core import Viewer, can_post_notice, is_signed_in

__all__ = ["can_post_area_notice", "can_filter_near_home", "can_see_near_home", "can_see_who_notice_concerns",
           "can_choose_notice_telling"]


def can_post_area_notice(v: Viewer) -> bool:
    """A notice for districts or around a point: whoever posts notices."""
    return can_post_notice(v)


def can_filter_near_home(v: Viewer) -> bool:
    return is_signed_in(v)


def can_see_near_home(v: Viewer, resident_id: str) -> bool:
    """The notices that concern a resident: theirs alone."""
    return is_signed_in(v) and v.id == resident_id


def can_see_who_notice_concerns(v: Viewer) -> bool:
    """Nobody: a notice never shows who lives in its area."""
    return False


def can_choose_notice_telling(v: Viewer) -> bool:
    return is_signed_in(v)
