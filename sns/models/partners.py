"""Partners' systems that file street reports over Open311 GeoReport v2 (docs/open311.md), each with an API
key an administrator issues. The key is shown once; only its SHA-256 is kept."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sns.ids import uuid7
from sns.models.base import utcnow


class PartnerKey(Model):
    """One partner's Open311 API key. Reports it files are written by `account` (a system account of the
    partner's own, nobody signs in as it), with the resident's name and address as the report's contact."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    name = fields.CharField(max_length=100)
    key_hash = fields.CharField(max_length=64, unique=True)  # SHA-256 of the key, hex
    prefix = fields.CharField(max_length=12, default="")  # the key's first characters, to tell keys apart
    account = fields.ForeignKeyField("models.User", null=True, related_name=False, on_delete=fields.SET_NULL)
    created_by = fields.ForeignKeyField("models.User", null=True, related_name=False, on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(default=utcnow)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "partner_keys"
