"""Who must have a second factor, and what follows from having one or not (docs/privacy.md, "Second factors").

The roles that can alert a town or act on other people (`second_factor_roles`: by default administrators,
moderators, the fire department, the disaster desk and municipal staff) must have one. Such an account
without one is held at the Security setup page until it adds one: it may sign in with its password, and
then do nothing else. An authenticator app or a passkey counts as a factor; recovery codes only stand in
for one. JSON API tokens are unaffected (a token is made only after the factor was given).

The rules take the account as a user row and the settings, and whether it has a factor as a count or a
flag, so that the pages (read with the session, sns/web/session_read.py) and the services ask alike.
"""

from __future__ import annotations

from sns.settings import Settings


def must_have_second_factor(user, settings: Settings) -> bool:
    """The account's role is one that must have a second factor."""
    return user is not None and user.role in settings.second_factor_role_set


def held_for_second_factor(user, has_factor: bool, settings: Settings) -> bool:
    """The account must have a second factor and has none: only the setup pages until it adds one."""
    return must_have_second_factor(user, settings) and not has_factor


def asks_second_factor_at_sign_in(has_factor: bool) -> bool:
    """After a right password: on to the second-factor step (else signed in with the password alone)."""
    return has_factor


def may_remove_factor(user, factors_after: int, settings: Settings) -> bool:
    """Removing one of the account's own factors, leaving `factors_after`: never the last one of an account
    whose role must have one (it would be held at once; a lost phone is reset by two administrators)."""
    return user is not None and (factors_after > 0 or not must_have_second_factor(user, settings))


def may_make_recovery_codes(has_factor: bool) -> bool:
    """Recovery codes stand in for a factor: there must be one to stand in for."""
    return has_factor


def token_confirmation(has_factor: bool) -> str:
    """What making an API token on the Settings page asks for: "code" (the second factor) when the account
    has one, else "password"."""
    return "code" if has_factor else "password"
