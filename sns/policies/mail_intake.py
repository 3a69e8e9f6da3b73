"""Who may read the log of mail to the city and decide about quarantined messages (/admin/mail-intake), and
whom a mail's inquiry belongs to.

The log names senders and subjects of mail nobody has screened yet: administrators only. A quarantined
message (unreadable, or a resident's address without proof) is released or deleted by an administrator.
An inquiry that came by mail belongs to the resident only when the sender was proven
(sns/services/mail_intake_parse.py); otherwise it belongs to the mail-intake account, which nobody can
sign in as, so only the department's staff read it (`can_view_inquiry`)."""

from __future__ import annotations

from sns.policies.core import Viewer, is_admin


def can_manage_mail_intake(v: Viewer) -> bool:
    return is_admin(v)


def is_system_account(user) -> bool:
    """The mail-intake account: never signed in, listed or told anything."""
    return user is not None and user.state == "system"
