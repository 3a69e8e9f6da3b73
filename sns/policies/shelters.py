"""Who may do what with shelters and the map layers administrators upload (issue 5).

Everyone, visitors too, reads the shelter list and the uploaded layers: in a disaster nobody should
have to sign in to find where to go. Only administrators change the list; the disaster desk and
administrators say which shelters are open, full or closed.
"""

from __future__ import annotations

from sns.policies.core import *  # noqa: F401,F403
from sns.policies.core import Viewer, is_admin, is_signed_in


def can_read_shelters(v: Viewer) -> bool:
    return True


def can_manage_shelters(v: Viewer) -> bool:
    """Import the city's list, edit a shelter."""
    return is_admin(v)


def can_set_shelter_status(v: Viewer) -> bool:
    """Mark a shelter open, full or closed."""
    return is_admin(v) or (is_signed_in(v) and v.role == "disaster")




def can_manage_map_layers(v: Viewer) -> bool:
    """Upload, rename, hide, reorder and delete the hazard zones and routes shown on the map."""
    return is_admin(v)
