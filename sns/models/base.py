"""Fields every mirrored record carries (DESIGN invariants 1 and 2)."""

from __future__ import annotations

from datetime import datetime, timezone

from tortoise import fields
from tortoise.models import Model

from sns.ids import uuid7


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Replicated(Model):
    """A record with a global id, its origin, a version the origin bumps, and a tombstone.

    Subclasses list in `JOURNAL_EXCLUDE` the fields that must never leave the
    instance (secrets); everything else travels in the journal.
    """

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    origin = fields.CharField(max_length=255, db_index=True)
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField(default=utcnow)
    updated_at = fields.DatetimeField(default=utcnow)
    deleted_at = fields.DatetimeField(null=True)

    JOURNAL_EXCLUDE: frozenset[str] = frozenset()

    class Meta:
        abstract = True
