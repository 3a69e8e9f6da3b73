"""What keeps a city running on several machines (docs/deploying.md): job leases, the mail outbox and the
rate-limit counts. Local to this instance: none of it is journalled or mirrored."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sns.ids import uuid7
from sns.models.base import utcnow

OUTBOX_STATES = ("queued", "sent", "failed")


class JobLease(Model):
    """One background job's lease. The machine holding it runs the job's rounds until `expires_at`, renewing
    it each round; another machine takes it only once it has expired (sns/tasks.py)."""

    name = fields.CharField(max_length=64, primary_key=True)
    holder = fields.CharField(max_length=128, default="")  # "<host>:<pid>:<random>" of the process holding it
    expires_at = fields.DatetimeField(default=utcnow)
    runs = fields.BigIntField(default=0)  # rounds run, by any holder
    failures = fields.IntField(default=0)  # failed rounds in a row
    last_started_at = fields.DatetimeField(null=True)
    last_finished_at = fields.DatetimeField(null=True)
    last_error = fields.TextField(default="")

    class Meta:
        table = "job_leases"


class OutboxMail(Model):
    """A mail to send, written in the same transaction as what caused it, which the mail job claims, sends and
    retries it with back-off (sns/mail.py). `message_id` is fixed when it is written, so a retry is the
    same message to the receiving server."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    message_id = fields.CharField(max_length=255)
    to_addr = fields.CharField(max_length=320)
    subject = fields.CharField(max_length=998)
    body = fields.TextField()
    # JSON: more header lines ({"Reply-To": ..., "In-Reply-To": ...}) and attachments ([{"name", "type", "text"}])
    headers = fields.TextField(default="", db_default="")
    attachments = fields.TextField(default="", db_default="")
    state = fields.CharField(max_length=16, default="queued", db_index=True)
    attempts = fields.IntField(default=0)
    next_at = fields.DatetimeField(default=utcnow, db_index=True)  # not tried again before
    claimed_by = fields.CharField(max_length=128, default="")
    claimed_until = fields.DatetimeField(null=True)
    last_error = fields.TextField(default="")
    created_at = fields.DatetimeField(default=utcnow)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "mail_outbox"


class RateCount(Model):
    """Rate-limit counts shared by every process and machine when there is no Redis (sns/security.py),
    one row per key and window."""

    key = fields.CharField(max_length=255, primary_key=True)
    window_start = fields.BigIntField(default=0)  # the window's start, in whole seconds since the epoch
    hits = fields.IntField(default=0)

    class Meta:
        table = "rate_counts"
