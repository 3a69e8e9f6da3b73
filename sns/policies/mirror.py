"""Who may manage mirroring with neighbouring cities (issue 7).

Only administrators add, confirm, pause, resume and remove peers: a peer receives every open record and
the sealed boxes of everything else. The disaster desk may read the peers' health (when a neighbour last
answered, how far behind it is), since failover concerns it; nobody else sees the page.
"""

from __future__ import annotations

from sns.policies.core import *  # noqa: F401,F403
from sns.policies.core import OFFERED_ELSEWHERE, Viewer, is_admin, is_signed_in


def can_manage_peers(v: Viewer) -> bool:
    return is_admin(v)


def can_read_peers(v: Viewer) -> bool:
    return is_admin(v) or (is_signed_in(v) and v.role == "disaster")


OFFERED_ELSEWHERE["mirror_peers"] = can_read_peers
