"""Who manages the city on the fediverse (/admin/fediverse): the page names servers that follow the city
and residents, lists refused inbox posts and the delivery queue, and removes or blocks a server:
administrators only. (Whom a server elsewhere may follow is sns/policies/fediverse.py's
`fediverse_can_see_actor`: a `Follow` is accepted for an actor that is served.)"""

from __future__ import annotations

from sns.policies.core import Viewer, is_admin


def can_manage_fediverse(v: Viewer) -> bool:
    return is_admin(v)

