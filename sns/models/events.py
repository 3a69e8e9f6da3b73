"""Events on the town's calendar and the answers (RSVPs) to them."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sns.ids import uuid7
from sns.models.base import Replicated, utcnow

RSVP_ANSWERS = ("going", "maybe", "no")


class Event(Replicated):
    """Posted by a resident, by a community (then `community` is set) or by staff (`official`)."""

    organizer = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    community = fields.ForeignKeyField("models.Community", null=True, related_name="events",
                                       on_delete=fields.CASCADE)
    official = fields.BooleanField(default=False)
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    place = fields.CharField(max_length=200, default="")
    lat = fields.FloatField(null=True)
    lon = fields.FloatField(null=True)
    capacity = fields.IntField(null=True)  # None: no limit
    # public / members / friends / private as for diaries; a community's event follows the community.
    visibility = fields.CharField(max_length=16, default="public")
    state = fields.CharField(max_length=16, default="published")
    going_count = fields.IntField(default=0)
    cancelled = fields.BooleanField(default=False)
    client_token = fields.CharField(max_length=64, null=True)

    @property
    def author_id(self) -> str:
        """Who wrote it, as the review queue names the writer of a reported text."""
        return self.organizer_id

    class Meta:
        table = "events"
        unique_together = (("organizer", "client_token"),)
        indexes = (("starts_at",), ("community_id", "starts_at"), ("organizer_id", "starts_at"), ("lat", "lon"))  # map


class Rsvp(Replicated):
    event = fields.ForeignKeyField("models.Event", related_name="rsvps", on_delete=fields.CASCADE)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    answer = fields.CharField(max_length=8, default="going")
    waitlisted = fields.BooleanField(default=False)  # said "going" when the event was full
    answered_at = fields.DatetimeField(default=utcnow)  # the waiting list's order

    class Meta:
        table = "rsvps"
        unique_together = (("event", "user"),)
        indexes = (("user_id", "answer"), ("event_id", "answer", "waitlisted", "answered_at"))


class CalendarFeed(Model):
    """The secret address of one resident's iCalendar subscription (revocable). Local only."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(default=utcnow)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "calendar_feeds"
