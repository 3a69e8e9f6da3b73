"""The append-only journal of replicated changes (DESIGN invariant 5)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sns.models.base import utcnow


class JournalEntry(Model):
    """One change to one record, numbered per origin, carrying the full new state of the record."""

    id = fields.BigIntField(primary_key=True)
    origin = fields.CharField(max_length=255)
    seq = fields.BigIntField()
    kind = fields.CharField(max_length=32)
    record_id = fields.CharField(max_length=36)
    version = fields.IntField()
    payload = fields.JSONField()
    # On a neighbour's replica only: an entry that travelled sealed (private content) keeps the sealed
    # box here, base64, and `payload` is empty; only the origin's backup key opens it (sns/mirror/seal.py).
    sealed = fields.TextField(null=True)
    recorded_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "journal"
        unique_together = (("origin", "seq"),)


class JournalCounter(Model):
    origin = fields.CharField(max_length=255, primary_key=True)
    value = fields.BigIntField(default=0)

    class Meta:
        table = "journal_counters"


class ViewVersion(Model):
    """A number bumped in the same transaction as any change to what some readers see (sns/view_versions.py).

    Local, never mirrored. Keys name whose view changed: `u:<user id>` (what that person sees of their own
    account and relations), `f:<user id>` (what that person's friends did), `d:<diary id>`, `c:<community id>`
    and `site` (anything else a cached page may show)."""

    key = fields.CharField(max_length=80, primary_key=True)
    n = fields.BigIntField(default=0)

    class Meta:
        table = "view_versions"
