"""Accounts a city can trust (docs/privacy.md): second factors, recovery codes, the account's own security log,
browsers it has signed in from, second-factor resets two administrators agree on, data exports and account
deletions. Local to this instance: none of it is journalled or mirrored (a deletion travels as the
tombstones of what it removes)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sns.ids import uuid7
from sns.models.base import utcnow

FACTOR_KINDS = ("totp", "passkey")
EXPORT_STATES = ("waiting", "working", "ready", "failed")
RESET_STATES = ("waiting", "done", "cancelled")
DELETION_STATES = ("waiting", "cancelled", "done")


class SecondFactor(Model):
    """An authenticator app (TOTP) or a passkey or security key (WebAuthn) of one account, with its name.

    Secrets never leave the instance and are never shown again, to the owner or to an administrator.
    """

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    user = fields.ForeignKeyField("models.User", related_name="second_factors", on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=16)  # FACTOR_KINDS
    name = fields.CharField(max_length=64, default="")
    secret = fields.CharField(max_length=255, default="")  # totp: the shared secret (base32)
    last_step = fields.BigIntField(default=0)  # totp: the last time step accepted (a code works once)
    credential_id = fields.CharField(max_length=255, null=True, unique=True)  # passkey: base64url
    public_key = fields.TextField(default="")  # passkey: COSE key, base64url
    sign_count = fields.BigIntField(default=0)  # passkey: the authenticator's counter (a clone shows)
    transports = fields.JSONField(default=list)  # passkey: "usb", "internal", "hybrid"...
    created_at = fields.DatetimeField(default=utcnow)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "second_factors"
        indexes = (("user_id", "kind"),)


class RecoveryCode(Model):
    """One of an account's ten one-time recovery codes, stored hashed (shown once, when made)."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    code_hash = fields.CharField(max_length=255)
    created_at = fields.DatetimeField(default=utcnow)
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "recovery_codes"


class AccountEvent(Model):
    """The account's own security log: sign-ins, and every change to its password, second factors, recovery
    codes, tokens and sessions (sns/services/account_log.py). The owner reads it under Settings, Security."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=32)  # sns.services.account_log.KINDS
    ip = fields.CharField(max_length=64, default="")
    user_agent = fields.CharField(max_length=200, default="")
    detail = fields.CharField(max_length=200, default="")  # a factor's or token's name, never a secret
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "account_events"
        indexes = (("user_id", "created_at"), ("created_at",))


class KnownBrowser(Model):
    """A browser an account has signed in from (a long-lived cookie, stored hashed): a sign-in from any other
    browser is mailed to the owner."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    browser_hash = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(default=utcnow)
    last_seen_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "known_browsers"
        unique_together = (("user_id", "browser_hash"),)


class FactorReset(Model):
    """Removing someone's second factors (a lost phone): asked by one administrator, done only when a second,
    different administrator confirms it."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    asked_by = fields.ForeignKeyField("models.User", null=True, related_name=False, on_delete=fields.SET_NULL)
    reason = fields.CharField(max_length=200, default="")
    state = fields.CharField(max_length=16, default="waiting")  # RESET_STATES
    created_at = fields.DatetimeField(default=utcnow)
    expires_at = fields.DatetimeField()
    decided_by = fields.ForeignKeyField("models.User", null=True, related_name=False, on_delete=fields.SET_NULL)
    decided_at = fields.DatetimeField(null=True)

    class Meta:
        table = "factor_resets"


class DataExport(Model):
    """Download my data: one archive, made in the background (sns/services/data_export.py)."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    state = fields.CharField(max_length=16, default="waiting")  # EXPORT_STATES
    created_at = fields.DatetimeField(default=utcnow)
    finished_at = fields.DatetimeField(null=True)
    expires_at = fields.DatetimeField(null=True)  # the archive is removed then
    file_name = fields.CharField(max_length=128, default="")  # under <media_dir>/exports/
    size = fields.BigIntField(default=0)
    error = fields.CharField(max_length=200, default="")

    class Meta:
        table = "data_exports"
        indexes = (("user_id", "created_at"), ("state",))


class AccountDeletion(Model):
    """Delete my account: done after a grace period (account_deletion_days), cancelled by signing in meanwhile."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    user = fields.ForeignKeyField("models.User", null=True, related_name=False, on_delete=fields.SET_NULL)
    user_ref = fields.CharField(max_length=36)  # the account's id, kept once the deletion is done
    keep_public = fields.BooleanField(default=True)  # public posts stay under "a former resident"
    state = fields.CharField(max_length=16, default="waiting")  # DELETION_STATES
    created_at = fields.DatetimeField(default=utcnow)
    due_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "account_deletions"
        indexes = (("state", "due_at"),)
