"""Notes from a partner's person finder (PFIF 1.4, docs/pfif.md): "reported safe elsewhere" about one of our
residents, shown to their friends during disaster mode. Each expires (`expiry_date`) like the record it
came with."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sns.ids import uuid7
from sns.models.base import utcnow


class PfifNote(Model):
    """One PFIF note imported from a partner registry. `user` is the resident it is about when its
    person_record_id is one we exported; notes about nobody of ours are not kept."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    note_record_id = fields.CharField(max_length=500, unique=True)
    person_record_id = fields.CharField(max_length=500)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    event = fields.ForeignKeyField("models.DisasterEvent", null=True, related_name=False, on_delete=fields.SET_NULL)
    source = fields.CharField(max_length=255, default="")  # the registry it came from (its domain or name)
    author_name = fields.CharField(max_length=200, default="")
    status = fields.CharField(max_length=32, default="")  # PFIF's status (is_note_author, believed_alive...)
    author_made_contact = fields.BooleanField(null=True)
    last_known_location = fields.CharField(max_length=500, default="")
    text = fields.TextField(default="")
    source_date = fields.DatetimeField(null=True)
    entry_date = fields.DatetimeField(null=True)
    expiry_date = fields.DatetimeField(null=True)
    imported_by = fields.ForeignKeyField("models.User", null=True, related_name=False, on_delete=fields.SET_NULL)
    imported_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "pfif_notes"
        indexes = (("user_id", "expiry_date"),)
