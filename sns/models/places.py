"""The town on a map: street reports, shelters, and the layers administrators upload (hazard zones, routes)."""

from __future__ import annotations

from tortoise import fields

from sns.models.base import Replicated

REPORT_STATUSES = ("received", "in_progress", "resolved", "closed")
SHELTER_STATUSES = ("open", "full", "closed")
# The hazards a designated evacuation site serves, as the national map agency lists them
# (and as the columns of a city's CSV name them).
HAZARDS = ("flood", "landslide", "storm_surge", "earthquake", "tsunami", "fire", "inland_flood", "volcano")


class ReportCategory(Replicated):
    """One kind of street report (pothole, fallen tree...): the city's own list, each sent to a department."""

    name = fields.CharField(max_length=100)
    name_ja = fields.CharField(max_length=100, default="")
    department = fields.ForeignKeyField("models.Department", null=True, related_name=False,
                                        on_delete=fields.SET_NULL)
    position = fields.IntField(default=0)
    active = fields.BooleanField(default=True)

    class Meta:
        table = "report_categories"


class StreetReport(Replicated):
    """A resident's report of something wrong in the street ("machikado reporter"). Public once published."""

    author = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    category = fields.ForeignKeyField("models.ReportCategory", related_name="reports", on_delete=fields.RESTRICT)
    department = fields.ForeignKeyField("models.Department", null=True, related_name=False,
                                        on_delete=fields.SET_NULL)
    title = fields.CharField(max_length=200)
    body = fields.TextField(default="")
    place = fields.CharField(max_length=200, default="")
    lat = fields.FloatField()
    lon = fields.FloatField()
    status = fields.CharField(max_length=16, default="received")
    state = fields.CharField(max_length=16, default="published")  # moderation: published / held / removed
    last_activity_at = fields.DatetimeField(null=True)
    client_token = fields.CharField(max_length=64, null=True)
    # how it reached us: "web" (a resident's form or the API) or "open311" (a partner's system, with its key
    # and the resident's name and address as the partner sent them; those stay here, never mirrored)
    channel = fields.CharField(max_length=16, default="web", db_default="web")
    partner_key_id = fields.CharField(max_length=36, null=True)  # a PartnerKey (no FK: the row is mirrored)
    contact_name = fields.CharField(max_length=200, default="", db_default="")
    contact_email = fields.CharField(max_length=254, default="", db_default="")
    contact_phone = fields.CharField(max_length=30, default="", db_default="")

    JOURNAL_EXCLUDE = frozenset({"partner_key_id", "contact_name", "contact_email", "contact_phone"})

    class Meta:
        table = "street_reports"
        unique_together = (("author", "client_token"),)
        indexes = (("lat", "lon"), ("category_id", "status"), ("department_id", "status", "last_activity_at"),
                   ("author_id", "created_at"))


class ReportUpdate(Replicated):
    """One step in a report's public history: a status change and the department's public comment."""

    report = fields.ForeignKeyField("models.StreetReport", related_name="updates", on_delete=fields.CASCADE)
    author = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    status = fields.CharField(max_length=16)
    comment = fields.TextField(default="")

    class Meta:
        table = "report_updates"
        indexes = (("report_id", "id"),)


class ReportFollow(Replicated):
    """Someone told of each change to a report (the reporter follows their own)."""

    report = fields.ForeignKeyField("models.StreetReport", related_name="follows", on_delete=fields.CASCADE)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)

    class Meta:
        table = "report_follows"
        unique_together = (("report", "user"),)


class Shelter(Replicated):
    """A designated evacuation site from the city's list, with its status now."""

    name = fields.CharField(max_length=200)
    address = fields.CharField(max_length=300, default="")
    lat = fields.FloatField()
    lon = fields.FloatField()
    capacity = fields.IntField(null=True)
    hazards = fields.JSONField(default=list)  # names from HAZARDS
    remark = fields.CharField(max_length=500, default="")
    status = fields.CharField(max_length=16, default="closed")
    status_changed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "shelters"
        indexes = (("lat", "lon"), ("name",))


class MapLayer(Replicated):
    """A layer an administrator uploaded as GeoJSON (hazard zones, evacuation routes), shown as it is."""

    name = fields.CharField(max_length=100)
    name_ja = fields.CharField(max_length=100, default="")
    description = fields.CharField(max_length=500, default="")
    geojson = fields.TextField()  # a FeatureCollection, validated and normalised on upload
    features = fields.IntField(default=0)
    vertices = fields.IntField(default=0)
    # The layer's bounding box, so a map showing another part of the world skips it.
    west = fields.FloatField()
    south = fields.FloatField()
    east = fields.FloatField()
    north = fields.FloatField()
    position = fields.IntField(default=0)
    shown = fields.BooleanField(default=True)  # hidden layers stay stored but off the map
    uploaded_by = fields.ForeignKeyField("models.User", null=True, related_name=False, on_delete=fields.SET_NULL)

    class Meta:
        table = "map_layers"
