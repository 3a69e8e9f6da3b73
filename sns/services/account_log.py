"""The account's own security log (Settings, Security): sign-ins and every change to its password, second
factors, recovery codes, tokens and sessions. Written in the same transaction as the change it tells of;
read only by the account's owner. Sign-ins are removed after `sign_in_log_keep_days` (the retention job)."""

from __future__ import annotations

from sns.i18n import N_
from sns.models import AccountEvent

# kind -> what the owner reads (translated when shown)
KINDS: dict[str, str] = {
    "sign_in": N_("Signed in"),
    "sign_in_new_browser": N_("Signed in from a new browser"),
    "second_factor_refused": N_("A wrong second-factor code or passkey was refused"),
    "password_changed": N_("Password changed"),
    "password_reset": N_("Password reset by e-mail link"),
    "totp_added": N_("Authenticator app added"),
    "passkey_added": N_("Passkey added"),
    "factor_removed": N_("Second factor removed"),
    "factors_reset": N_("Second factors removed by administrators"),
    "recovery_codes_made": N_("New recovery codes made"),
    "recovery_code_used": N_("Recovery code used"),
    "token_created": N_("API token created"),
    "token_revoked": N_("API token revoked"),
    "sessions_ended": N_("Other sessions signed out"),
    "session_ended": N_("A session signed out"),
    "export_asked": N_("Data download asked for"),
    "deletion_asked": N_("Account deletion asked for"),
    "deletion_cancelled": N_("Account deletion cancelled"),
}
SIGN_IN_KINDS = ("sign_in", "sign_in_new_browser", "second_factor_refused")


async def record(user_id: str, kind: str, *, ip: str = "", user_agent: str = "", detail: str = "",
                 conn=None) -> AccountEvent:
    """One line of the account's log; `conn`: the transaction of the change it tells of."""
    if kind not in KINDS:
        raise ValueError(f"unknown account event {kind!r}")
    return await AccountEvent.create(user_id=user_id, kind=kind, ip=(ip or "")[:64],
                                     user_agent=(user_agent or "")[:200], detail=(detail or "")[:200],
                                     using_db=conn)


async def recent(user_id: str, limit: int = 200) -> list[AccountEvent]:
    return await AccountEvent.filter(user_id=user_id).order_by("-created_at").limit(limit)
