"""Official alerts (fire and other hazards), their visible history, and the record of staff actions on them."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sns.ids import uuid7
from sns.models.base import Replicated, utcnow

ALERT_KINDS = ("fire", "flood", "landslide", "earthquake", "tsunami", "storm", "other")
ALERT_STATUSES = ("outbreak", "under_control", "extinguished", "cancelled")
ACTIVE_STATUSES = ("outbreak", "under_control")
# CAP 1.2's own words (its <severity>, <urgency> and <certainty>), kept as CAP spells them.
SEVERITIES = ("Extreme", "Severe", "Moderate", "Minor", "Unknown")
URGENCIES = ("Immediate", "Expected", "Future", "Past", "Unknown")
CERTAINTIES = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")


class Alert(Replicated):
    """An official alert: posted here by the fire or disaster staff, or imported from a CAP source.

    Its area is a point (`lat`, `lon`) with an optional `radius_m`, or a closed `polygon` of
    [lat, lon] pairs. `identifier` and `sender` are CAP's: an imported alert keeps its source's, a local
    one gets `<origin>`'s. `exercise` marks a drill (CAP status Exercise), shown as such everywhere.
    """

    kind = fields.CharField(max_length=16, default="fire")
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    instruction = fields.TextField(default="")
    address = fields.CharField(max_length=300, default="")
    lat = fields.FloatField()
    lon = fields.FloatField()
    radius_m = fields.IntField(null=True)
    polygon = fields.JSONField(null=True)  # [[lat, lon], ...], first == last
    # The districts (District ids) the staff ticked as affected: residents who asked to be told of
    # alerts for their district are told of these (districts have no geometry). Empty for imported ones.
    districts = fields.JSONField(null=True)  # null on alerts older than this field, and on imported ones
    severity = fields.CharField(max_length=16, default="Severe")
    urgency = fields.CharField(max_length=16, default="Immediate")
    certainty = fields.CharField(max_length=16, default="Observed")
    status = fields.CharField(max_length=16, default="outbreak")
    exercise = fields.BooleanField(default=False)
    author = fields.ForeignKeyField("models.User", null=True, related_name=False, on_delete=fields.SET_NULL)
    # CAP: who sent it and its identifier there (unique together); an update or cancellation received
    # from a source changes the same row (its message identifiers are kept in AlertUpdate.cap_identifier).
    sender = fields.CharField(max_length=255)
    identifier = fields.CharField(max_length=255)
    source = fields.CharField(max_length=255, default="")  # "" for local alerts; the source's URL otherwise
    # (or "mirror:<origin>" for a neighbouring city's alert copied from its replica: sns/mirror/alerts.py)
    # The name pages show after "From" when it is not `sender` itself (a mirrored city's name).
    source_name = fields.CharField(max_length=200, default="", db_default="")
    sent_at = fields.DatetimeField(default=utcnow)
    expires_at = fields.DatetimeField(null=True)
    client_token = fields.CharField(max_length=64, null=True)
    # The neighbour our staff posted it on while we were down ("" when posted here): docs/mirroring.md.
    posted_via = fields.CharField(max_length=255, default="", db_default="")

    class Meta:
        table = "alerts"
        unique_together = (("sender", "identifier"),)
        indexes = (("status", "sent_at"), ("lat", "lon"))


class AlertUpdate(Replicated):
    """One step of an alert's visible history: posted, a status change, a correction, a cancellation."""

    alert = fields.ForeignKeyField("models.Alert", related_name="updates", on_delete=fields.CASCADE)
    author = fields.ForeignKeyField("models.User", null=True, related_name=False, on_delete=fields.SET_NULL)
    status = fields.CharField(max_length=16)
    note = fields.TextField(default="")
    cap_identifier = fields.CharField(max_length=255, default="")  # this step's own CAP message identifier
    posted_via = fields.CharField(max_length=255, default="", db_default="")  # as Alert.posted_via

    class Meta:
        table = "alert_updates"
        indexes = (("alert_id", "created_at"),)


class StaffActionLog(Model):
    """Append-only, local: who posted, changed or switched what (alerts, disaster mode), and when."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    actor = fields.ForeignKeyField("models.User", null=True, related_name=False, on_delete=fields.SET_NULL)
    action = fields.CharField(max_length=32)
    target_kind = fields.CharField(max_length=32)
    target_id = fields.CharField(max_length=36, default="")
    detail = fields.TextField(default="")
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "staff_action_log"
        indexes = (("created_at",),)
