"""The moderators' queue and their audit log. Local to this instance: never mirrored."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sns.ids import uuid7
from sns.models.base import utcnow

# What a flag points at, and why it is in the queue.
FLAG_KINDS = ("diary", "comment", "notice")
FLAG_REASONS = ("filter", "grey", "report", "appeal")
MODERATION_ACTIONS = ("approve", "remove", "mask", "warn", "suspend", "false_alarm", "restore", "keep")


class Flag(Model):
    """One item in the review queue: a text the filter held, a grey person's post, a report, an appeal."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    kind = fields.CharField(max_length=16)
    target_id = fields.CharField(max_length=36, db_index=True)
    author = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    reason = fields.CharField(max_length=16, default="filter")
    terms = fields.JSONField(default=list)  # the matched terms, as the filter named them
    reporter = fields.ForeignKeyField("models.User", null=True, related_name=False, on_delete=fields.SET_NULL)
    note = fields.TextField(default="")  # a report's reason or an appeal's words
    created_at = fields.DatetimeField(default=utcnow)
    resolved_at = fields.DatetimeField(null=True)
    resolution = fields.CharField(max_length=16, default="")

    class Meta:
        table = "moderation_flags"
        indexes = (("resolved_at", "created_at"),)


class ModerationLog(Model):
    """Append-only: every moderator action, who took it, on what, and why."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    moderator = fields.ForeignKeyField("models.User", null=True, related_name=False, on_delete=fields.SET_NULL)
    action = fields.CharField(max_length=16)
    kind = fields.CharField(max_length=16)
    target_id = fields.CharField(max_length=36)
    subject = fields.ForeignKeyField("models.User", null=True, related_name=False, on_delete=fields.SET_NULL)
    terms = fields.JSONField(default=list)
    note = fields.TextField(default="")
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "moderation_log"
