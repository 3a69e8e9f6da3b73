"""Rules for the city's Open311 partners (docs/open311.md): who issues and revokes their API keys, which key may
file a street report, what a partner (or anyone) reads of street reports over Open311.

- Keys are issued, listed and revoked by administrators only (/admin/partners): a key files reports in the
  city's name of a partner, so it is a credential of the site, like its staff roles.
- A key files reports while it is not revoked; the report is written by the partner's own system account
  (state "system": nobody signs in as it, `is_signed_in` is false for it), never by a resident's.
- What Open311 lists and shows is what a visitor sees of street reports (`can_view_report(ANONYMOUS, ...)`,
  `public_report_scope()`): a held, removed or deleted report is absent, whoever asks, the partner that
  filed it included (its key is not a viewer). The reporter's account, name, e-mail and phone never appear.
"""

from __future__ import annotations

from tortoise.expressions import Q

from sns.policies.core import ANONYMOUS, Viewer, is_admin
from sns.policies.reports import can_view_report, public_report_scope

__all__ = ["can_manage_partner_keys", "key_may_file", "can_file_for_partner", "open311_may_show",
           "open311_scope"]


def can_manage_partner_keys(v: Viewer) -> bool:
    """Issue, list and revoke partners' keys: administrators."""
    return is_admin(v)


def key_may_file(key) -> bool:
    """A partner's key files reports until an administrator revokes it."""
    return key is not None and key.revoked_at is None and key.account_id is not None


def can_file_for_partner(v: Viewer) -> bool:
    """The viewer a partner's report is written as: the key's system account, which is no resident."""
    user = v.user
    return user is not None and user.state == "system" and getattr(user, "deleted_at", None) is None


def open311_may_show(report) -> bool:
    """One request over Open311 (requests/{id}): exactly what a visitor may see."""
    return can_view_report(ANONYMOUS, report)


def open311_scope() -> Q:
    """The list over Open311 (requests.json): exactly the visitor's scope, mirroring `open311_may_show`."""
    return public_report_scope()
