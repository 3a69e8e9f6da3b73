"""Accounts, sessions, tokens, invitations and the city's own lists."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sns.ids import uuid7
from sns.models.base import Replicated, utcnow

ROLES = ("resident", "staff", "moderator", "fire", "disaster", "admin")
USER_STATES = ("active", "pending", "suspended")
# Who may see a profile field: the same words as diary visibility.
PROFILE_FIELDS = ("district", "introduction", "avatar")


class User(Replicated):
    username = fields.CharField(max_length=32, unique=True)
    display_name = fields.CharField(max_length=64)
    email = fields.CharField(max_length=254, default="")
    password_hash = fields.CharField(max_length=255, default="")
    role = fields.CharField(max_length=16, default="resident")
    state = fields.CharField(max_length=16, default="active")
    locale = fields.CharField(max_length=8, default="")
    district = fields.ForeignKeyField("models.District", null=True, on_delete=fields.SET_NULL, related_name=False)
    introduction = fields.TextField(default="")
    avatar_id = fields.CharField(max_length=36, null=True)  # a Photo id (no FK: avoids a users<->photos cycle)
    field_visibility = fields.JSONField(default=dict)
    last_seen_home_at = fields.DatetimeField(null=True)
    email_on_mail = fields.BooleanField(default=False, db_default=False)  # an email notice of new internal mail
    # The "grey person" score (moderation/grey.py): what the filter found, fading with time. Local only.
    grey_score = fields.FloatField(default=0.0, db_default=0.0)  # db_default: existing rows get 0 on upgrade
    grey_updated_at = fields.DatetimeField(null=True)
    # "Followable from the fediverse" (Settings): their public diaries are published to followers elsewhere
    fediverse_followable = fields.BooleanField(default=False, db_default=False)

    JOURNAL_EXCLUDE = frozenset({"password_hash", "email", "last_seen_home_at", "locale", "grey_score",
                                 "grey_updated_at", "email_on_mail", "fediverse_followable"})

    class Meta:
        table = "users"

    def visibility_of(self, name: str) -> str:
        return (self.field_visibility or {}).get(name, "members")


class Session(Model):
    """A signed-in browser. The cookie holds only this id, and deleting the row signs it out."""

    id = fields.CharField(max_length=64, primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name="sessions", on_delete=fields.CASCADE)
    csrf_token = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(default=utcnow)
    last_seen_at = fields.DatetimeField(default=utcnow)
    user_agent = fields.CharField(max_length=200, default="")
    ip = fields.CharField(max_length=64, default="", db_default="")  # the address it signed in from
    # "signed_in"; "password": the password was right and the second factor is still to come (not signed in)
    stage = fields.CharField(max_length=16, default="signed_in", db_default="signed_in")
    how = fields.CharField(max_length=16, default="", db_default="")  # password, totp, passkey, recovery...

    class Meta:
        table = "sessions"


class ApiToken(Model):
    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    user = fields.ForeignKeyField("models.User", related_name="api_tokens", on_delete=fields.CASCADE)
    name = fields.CharField(max_length=64, default="")
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(default=utcnow)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_tokens"


class Invitation(Model):
    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    token_hash = fields.CharField(max_length=64, unique=True)
    email = fields.CharField(max_length=254, default="")
    note = fields.CharField(max_length=200, default="")
    invited_by = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    created_at = fields.DatetimeField(default=utcnow)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    used_by = fields.ForeignKeyField("models.User", null=True, related_name=False, on_delete=fields.SET_NULL)

    class Meta:
        table = "invitations"


class PasswordReset(Model):
    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    token_hash = fields.CharField(max_length=64, unique=True)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    created_at = fields.DatetimeField(default=utcnow)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "password_resets"


class District(Replicated):
    """One district (ward) of the city, from a list administrators edit."""

    name = fields.CharField(max_length=100)
    position = fields.IntField(default=0)

    class Meta:
        table = "districts"


class SiteSetting(Model):
    """Per-instance choices an administrator edits on the site (town name, map centre...)."""

    key = fields.CharField(max_length=64, primary_key=True)
    value = fields.JSONField()

    class Meta:
        table = "site_settings"
