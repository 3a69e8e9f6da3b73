"""Acting on behalf of a fallen neighbour (docs/mirroring.md, "Acting on behalf").

`StandbyCode` is made at the origin before any disaster and travels to its neighbours (only its hash):
one of them lets a fire or disaster staff member sign in on a neighbour while their own city is down.
`ActingSession` is the neighbour's own, local record of such a sign-in.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sns.models.base import Replicated, utcnow


class StandbyCode(Replicated):
    """One one-time code of a staff member, kept as an Argon2 hash, revoked by its tombstone.

    `lookup` is the code's first group in clear (20 of its 80 bits): it finds the one hash to check, since
    checking an Argon2 hash takes a good part of a second. `used_on` names the neighbour it was used on.
    """

    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    lookup = fields.CharField(max_length=8)
    code_hash = fields.CharField(max_length=255)
    used_at = fields.DatetimeField(null=True)
    used_on = fields.CharField(max_length=255, default="")
    made_by_id = fields.CharField(max_length=36, null=True)  # the administrator (no FK: a mere note)

    class Meta:
        table = "standby_codes"
        indexes = (("user_id", "lookup"),)


class ActingSession(Model):
    """Local to the neighbour: someone of `origin` signed in here with a standby code to act for it.

    It names the origin's user (a row of the origin's replica, not of ours: no foreign key) and grants
    nothing on this instance's own site. One code gives at most one session (unique together).
    """

    id = fields.CharField(max_length=64, primary_key=True)  # SHA-256 of the cookie's token
    origin = fields.CharField(max_length=255)
    user_id = fields.CharField(max_length=36)
    username = fields.CharField(max_length=32)
    role = fields.CharField(max_length=16)
    code_id = fields.CharField(max_length=36)
    created_at = fields.DatetimeField(default=utcnow)
    expires_at = fields.DatetimeField()
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "acting_sessions"
        unique_together = (("origin", "code_id"),)
