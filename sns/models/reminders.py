"""What residents ask to be reminded of (their documents' expiry, their district's garbage days), the city's
garbage calendar, and the one queue of things to tell a resident by mail or Web Push (`Telling`).

Private to each resident, local to this instance, never mirrored (sns/mirror never reads these tables)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sns.ids import uuid7
from sns.models.base import utcnow

DOCUMENT_KINDS = ("passport", "residence_card", "driving_licence")
TELLING_CHANNELS = ("email", "push")
TELLING_STATES = ("pending", "sent", "failed", "dropped")


class DocumentReminder(Model):
    """"My passport expires on ...": reminded 3 months and 1 month before."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=32)  # DOCUMENT_KINDS
    expires_on = fields.DateField()
    email = fields.BooleanField(default=True)
    push = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(default=utcnow)
    updated_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "document_reminders"
        indexes = (("user_id",), ("expires_on",))


class GarbageDay(Model):
    """One collection day of a district's calendar, as the city publishes it."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    district = fields.ForeignKeyField("models.District", related_name=False, on_delete=fields.CASCADE)
    day = fields.DateField()
    what = fields.CharField(max_length=200)  # "Burnable", in English
    what_ja = fields.CharField(max_length=200, default="")

    class Meta:
        table = "garbage_days"
        unique_together = (("district", "day"),)


class GarbageReminder(Model):
    """A resident's wish to be reminded the evening before their district's collection days."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    user = fields.OneToOneField("models.User", related_name=False, on_delete=fields.CASCADE)
    district = fields.ForeignKeyField("models.District", related_name=False, on_delete=fields.CASCADE)
    email = fields.BooleanField(default=True)
    push = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "garbage_reminders"


class Telling(Model):
    """One thing to tell one resident on one channel (sns/services/telling.py). `key` names the occasion
    ("document:<id>:3m", "appointment:<id>:day-before", "notice:<id>"); (key, user, channel) is unique, so a
    reminder fires once however many workers run the job. Texts are written in the resident's language."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    key = fields.CharField(max_length=200)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    channel = fields.CharField(max_length=16)  # TELLING_CHANNELS
    subject = fields.CharField(max_length=300)
    body = fields.TextField()
    url = fields.CharField(max_length=500, default="")
    state = fields.CharField(max_length=16, default="pending")  # TELLING_STATES
    attempts = fields.IntField(default=0)
    next_try_at = fields.DatetimeField(default=utcnow)
    claimed_until = fields.DatetimeField(null=True)
    claim = fields.CharField(max_length=36, default="")  # the round that claimed it
    last_error = fields.TextField(default="")
    created_at = fields.DatetimeField(default=utcnow)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "tellings"
        unique_together = (("key", "user", "channel"),)
        indexes = (("state", "next_try_at"),)
