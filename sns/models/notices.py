"""Official notices from municipal staff."""

from __future__ import annotations

from tortoise import fields

from sns.models.base import Replicated

NOTICE_SCOPES = ("town", "districts", "radius")


class Notice(Replicated):
    author = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    title = fields.CharField(max_length=200)
    body = fields.TextField()
    # The neighbour our staff posted it on while we were down ("" when posted here): docs/mirroring.md.
    posted_via = fields.CharField(max_length=255, default="", db_default="")
    # Who it is for: the whole town, some districts, or a circle around a point (road works, a water stop).
    # The town-wide list shows every notice; residents whose home is inside see theirs first on My page.
    scope = fields.CharField(max_length=16, default="town", db_default="town")  # NOTICE_SCOPES
    district_ids = fields.JSONField(null=True)  # scope "districts": their ids
    lat = fields.FloatField(null=True)
    lon = fields.FloatField(null=True)
    radius_m = fields.IntField(null=True)
    category = fields.CharField(max_length=32, default="", db_default="")  # road_works, permit, water... ("": none)

    class Meta:
        table = "notices"
