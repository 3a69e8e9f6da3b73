"""Being told of alerts (issue 6): a resident's choice, their browsers' Web Push subscriptions, and the
outbox of notices. All local, never mirrored: a home point is private, and each instance tells only its
own residents."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sns.ids import uuid7
from sns.models.base import utcnow

NOTICE_CHANNELS = ("email", "push")
NOTICE_STATES = ("pending", "sent", "failed", "dropped")


class AlertSubscription(Model):
    """What one resident wants to be told of: alerts for their district and/or within `radius_km` of a
    home point, by e-mail and/or Web Push (their browsers' PushSubscription rows), drills or not."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    user = fields.OneToOneField("models.User", related_name=False, on_delete=fields.CASCADE)
    by_district = fields.BooleanField(default=False)
    home_lat = fields.FloatField(null=True)
    home_lon = fields.FloatField(null=True)
    radius_km = fields.FloatField(null=True)  # with a home point: alerts whose area comes this close
    email = fields.BooleanField(default=True)
    push = fields.BooleanField(default=True)
    drills = fields.BooleanField(default=True)
    # notices near my home (posted to my district or around a point near my home point), told like alerts
    notice_email = fields.BooleanField(default=False, db_default=False)
    notice_push = fields.BooleanField(default=False, db_default=False)
    updated_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "alert_subscriptions"


class PushSubscription(Model):
    """One browser's Web Push subscription (its push service endpoint and keys, RFC 8291)."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    endpoint = fields.CharField(max_length=1000, unique=True)
    p256dh = fields.CharField(max_length=200)
    auth = fields.CharField(max_length=100)
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "push_subscriptions"
        indexes = (("user_id",),)


class AlertNoticeStep(Model):
    """An alert history step (AlertUpdate) the notice job has handled: `what` is posting, change or quiet."""

    step_id = fields.CharField(max_length=36, primary_key=True)
    alert_id = fields.CharField(max_length=36)
    what = fields.CharField(max_length=16)
    step_created_at = fields.DatetimeField()
    handled_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "alert_notice_steps"
        indexes = (("step_created_at",),)


class AlertNotice(Model):
    """One notice to send: (step, resident, channel) is unique, so a repeated round or a second worker
    never writes (nor sends) it twice. `target` is "email" or "push:<PushSubscription id>"."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    step_id = fields.CharField(max_length=36)
    alert_id = fields.CharField(max_length=36)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    channel = fields.CharField(max_length=16)
    target = fields.CharField(max_length=48)
    state = fields.CharField(max_length=16, default="pending")
    attempts = fields.IntField(default=0)
    next_try_at = fields.DatetimeField(default=utcnow)
    claimed_until = fields.DatetimeField(null=True)
    claim = fields.CharField(max_length=36, default="")  # the round that claimed it (one UPDATE per round)
    last_error = fields.CharField(max_length=500, default="")
    sent_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "alert_notices"
        unique_together = (("step_id", "user_id", "target"),)
        indexes = (("state", "next_try_at"), ("alert_id",), ("claim",))
