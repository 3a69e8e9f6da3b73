"""Who may ask for, see and download a "Download my data" archive (sns/services/data_export.py).

Only its owner, signed in on this site (a session of their own, or their own API token): nobody else, whatever
their role. An administrator never reads a resident's archive, and a neighbour's staff acting for their
fallen city (sns/web/acting.py) has no session here, so no viewer that these rules let in.
"""

from __future__ import annotations

from sns.policies.core import Viewer, is_self, is_signed_in

__all__ = ["can_ask_export", "can_see_export", "can_download_export", "is_export_owner"]


def is_export_owner(v: Viewer, export) -> bool:
    return export is not None and is_self(v, export.user_id)


def can_ask_export(v: Viewer) -> bool:
    return is_signed_in(v)


def can_see_export(v: Viewer, export, now=None) -> bool:
    """Its state and its page: the owner, signed in."""
    return is_signed_in(v) and is_export_owner(v, export)


def can_download_export(v: Viewer, export, now) -> bool:
    """The archive itself: the owner, while it is ready and not yet past its keeping time."""
    return (can_see_export(v, export) and export.state == "ready" and bool(export.file_name)
            and export.expires_at is not None and export.expires_at > now)
