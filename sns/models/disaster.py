"""Disaster mode (issue 6): the named event the site is switched into, the damage reports residents post
on its board, and their safety check-ins ("I'm safe" / "I need help")."""

from __future__ import annotations

from tortoise import fields

from sns.models.base import Replicated

CHECKIN_STATUSES = ("safe", "need_help")


class DisasterEvent(Replicated):
    """A disaster (or a drill) the site was switched into. At most one is active per origin: `live` is
    "on" while it runs and NULL once it ended (a unique key, so two switches at once cannot both win)."""

    name = fields.CharField(max_length=200)
    kind = fields.CharField(max_length=16, default="other")  # one of sns.models.alerts.ALERT_KINDS
    drill = fields.BooleanField(default=False)  # an exercise (CAP status Exercise), marked as such everywhere
    live = fields.CharField(max_length=2, null=True)
    started_at = fields.DatetimeField()
    ended_at = fields.DatetimeField(null=True)
    started_by = fields.ForeignKeyField("models.User", null=True, related_name=False, on_delete=fields.SET_NULL)
    ended_by = fields.ForeignKeyField("models.User", null=True, related_name=False, on_delete=fields.SET_NULL)

    class Meta:
        table = "disaster_events"
        unique_together = (("origin", "live"),)
        indexes = (("ended_at", "started_at"),)


class DisasterPost(Replicated):
    """A resident's report of damage on the disaster board: text, optional photos and place. Public once
    published, held by the word filter like any resident's text."""

    event = fields.ForeignKeyField("models.DisasterEvent", related_name="posts", on_delete=fields.CASCADE)
    author = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    body = fields.TextField()
    place = fields.CharField(max_length=200, default="")
    lat = fields.FloatField(null=True)
    lon = fields.FloatField(null=True)
    state = fields.CharField(max_length=16, default="published")  # published / held / removed
    client_token = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "disaster_posts"
        unique_together = (("author", "client_token"),)
        indexes = (("event_id", "state", "id"),)


class SafetyCheckin(Replicated):
    """One check-in of a resident during an event. The newest one counts (`current`), the earlier ones stay
    as its history. Seen by the resident, their friends and the staff only, like a friends-only diary."""

    event = fields.ForeignKeyField("models.DisasterEvent", related_name="checkins", on_delete=fields.CASCADE)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    status = fields.CharField(max_length=16)  # CHECKIN_STATUSES
    message = fields.TextField(default="")
    place = fields.CharField(max_length=200, default="")
    lat = fields.FloatField(null=True)
    lon = fields.FloatField(null=True)
    current = fields.BooleanField(default=True)
    client_token = fields.CharField(max_length=64, null=True)
    # "Share with other registries (PFIF)": the resident agreed that staff may export this check-in to a
    # partner person finder during disaster mode (docs/pfif.md). Off unless they tick it.
    share_pfif = fields.BooleanField(default=False, db_default=False)

    class Meta:
        table = "safety_checkins"
        unique_together = (("user", "client_token"),)
        indexes = (("event_id", "current", "user_id"), ("user_id", "event_id", "current"))
