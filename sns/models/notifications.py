"""What a resident is told on their My page: new replies, mail, answers from the city, RSVPs..."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sns.ids import uuid7
from sns.models.base import utcnow


class Notification(Model):
    """Local to this instance (derived from replicated records, so never mirrored)."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=32)  # reply, message, inquiry, rsvp, membership, ...
    actor = fields.ForeignKeyField("models.User", null=True, related_name=False, on_delete=fields.SET_NULL)
    subject = fields.CharField(max_length=200, default="")  # the title of what it is about, as stored
    url = fields.CharField(max_length=300)  # where to read it, on this site
    created_at = fields.DatetimeField(default=utcnow)
    read_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notifications"
        indexes = (("user_id", "read_at", "id"),)
