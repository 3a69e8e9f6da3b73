"""Mail that reached the city's address (sns/services/mail_intake.py): what became of each message."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sns.ids import uuid7
from sns.models.base import utcnow

INTAKE_STATES = ("accepted", "quarantined", "refused")


class IncomingMail(Model):
    """One message received by the SMTP server or fetched over IMAP, and what was done with it. A quarantined
    message is kept (`raw_name`, a file in the data directory) for an administrator to look at."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    message_id = fields.CharField(max_length=255, default="")
    via = fields.CharField(max_length=8, default="smtp")  # smtp, imap
    mail_from = fields.CharField(max_length=320, default="")  # the envelope sender
    from_addr = fields.CharField(max_length=320, default="")  # the From header's address
    to_addr = fields.CharField(max_length=320, default="")
    subject = fields.CharField(max_length=300, default="")
    size = fields.IntField(default=0)
    state = fields.CharField(max_length=16, default="accepted")  # INTAKE_STATES
    reason = fields.CharField(max_length=300, default="")
    inquiry = fields.ForeignKeyField("models.Inquiry", null=True, related_name=False, on_delete=fields.SET_NULL)
    raw_name = fields.CharField(max_length=100, default="")
    received_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "incoming_mail"
        indexes = (("message_id",), ("received_at",))


class WeeklyActivity(Model):
    """Residents active in one week, per district ("" for none): counted by a job in aggregate only, no row
    names anyone (the staff dashboard, sns/services/dashboard.py)."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    week = fields.DateField()  # its Monday, in the site's time zone
    district_id = fields.CharField(max_length=36, default="")
    residents = fields.IntField(default=0)

    class Meta:
        table = "weekly_activity"
        unique_together = (("week", "district_id"),)
