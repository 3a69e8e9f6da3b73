"""Official notices from municipal staff."""

from __future__ import annotations

from tortoise import fields

from sns.models.base import Replicated


class Notice(Replicated):
    author = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    title = fields.CharField(max_length=200)
    body = fields.TextField()
    # The neighbour our staff posted it on while we were down ("" when posted here): docs/mirroring.md.
    posted_via = fields.CharField(max_length=255, default="", db_default="")

    class Meta:
        table = "notices"
