"""External CAP 1.2 sources the administrator configures, and the log of what polling them refused.

Both are local to this instance (never mirrored): a source is where *this* instance fetches alerts
from; the alerts it brings are the mirrored records (sns/models/alerts.py).
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sns.ids import uuid7
from sns.models.base import utcnow

MAX_URL_CHARS = 1000


class CapSource(Model):
    """A URL serving one CAP 1.2 document or an Atom feed of them, polled by the `cap_poll` job.

    `lease_until` is set by the worker polling it right now (so two workers never poll the same source at
    once); `seen_links` are the linked CAP documents of a feed already applied (CAP messages never change:
    a change is a new message), so they are not fetched again.
    """

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    url = fields.CharField(max_length=MAX_URL_CHARS, unique=True)
    label = fields.CharField(max_length=100)
    enabled = fields.BooleanField(default=True)
    poll_seconds = fields.IntField(null=True)  # None: the cap_poll_seconds setting
    created_by = fields.ForeignKeyField("models.User", null=True, related_name=False, on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(default=utcnow)
    last_polled_at = fields.DatetimeField(null=True)
    last_success_at = fields.DatetimeField(null=True)
    last_error_at = fields.DatetimeField(null=True)
    last_error_code = fields.CharField(max_length=16, default="")  # sns.services.cap_poll.ERROR_LABELS
    last_error = fields.TextField(default="")  # "" after a round without any refusal
    imported = fields.IntField(default=0)  # alerts this source brought
    changes = fields.IntField(default=0)  # updates and cancellations it applied
    refused = fields.IntField(default=0)  # documents and rounds it refused
    etag = fields.CharField(max_length=500, default="")
    last_modified = fields.CharField(max_length=100, default="")
    seen_links = fields.JSONField(default=list)
    lease_until = fields.DatetimeField(null=True)

    class Meta:
        table = "cap_sources"


class CapPollLog(Model):
    """One refused document or failed poll (the newest few hundred are kept), for the administrator."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    source = fields.ForeignKeyField("models.CapSource", null=True, related_name=False, on_delete=fields.SET_NULL)
    url = fields.CharField(max_length=MAX_URL_CHARS, default="")  # the document's (a feed's entry may differ)
    code = fields.CharField(max_length=16, default="")
    reason = fields.TextField(default="")
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "cap_poll_log"
        indexes = (("created_at",),)
