"""Appointments at the city's counters: the counters, the days they are closed, the places taken per slot,
and the appointments. Local to this instance, never mirrored (an appointment is made where the counter is)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sns.ids import uuid7
from sns.models.base import utcnow

APPOINTMENT_STATES = ("booked", "cancelled", "arrived", "no_show")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Counter(Model):
    """One counter of a department ("Resident registration, window 3"): when it is open and how it books.

    `hours` maps a weekday (WEEKDAYS) to its opening periods in the site's time zone, e.g.
    {"mon": [["08:30", "12:00"], ["13:00", "17:00"]]}; a weekday not named is closed."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    department = fields.ForeignKeyField("models.Department", related_name=False, on_delete=fields.CASCADE)
    name = fields.CharField(max_length=100)
    name_ja = fields.CharField(max_length=100, default="")
    place = fields.CharField(max_length=200, default="")  # where it is ("City hall, 1st floor")
    what_to_bring = fields.TextField(default="")
    hours = fields.JSONField(default=dict)
    slot_minutes = fields.IntField(default=15)
    capacity = fields.IntField(default=1)  # residents served at once in one slot
    book_days_ahead = fields.IntField(default=28)  # how far ahead residents may book
    active = fields.BooleanField(default=True)
    position = fields.IntField(default=0)
    created_at = fields.DatetimeField(default=utcnow)
    updated_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "counters"


class ClosedDay(Model):
    """A day the city's counters are closed: a holiday of the city's list (no counter: every counter, and not
    a working day for the departments' answer times), or one counter's own closed day."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    day = fields.DateField()
    name = fields.CharField(max_length=100, default="")
    counter = fields.ForeignKeyField("models.Counter", null=True, related_name=False, on_delete=fields.CASCADE)

    class Meta:
        table = "closed_days"
        indexes = (("day",),)


class SlotTaken(Model):
    """How many places of one slot are taken: raised with one conditional UPDATE (`taken < capacity`), so
    concurrent bookings never overfill a slot on either database."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    counter = fields.ForeignKeyField("models.Counter", related_name=False, on_delete=fields.CASCADE)
    start = fields.DatetimeField()  # UTC
    taken = fields.IntField(default=0)

    class Meta:
        table = "slots_taken"
        unique_together = (("counter", "start"),)


class Appointment(Model):
    """A resident's appointment (or one staff booked for someone who phoned: `resident` may be None, then
    `name` and `phone` say who). Appointments of one visit (several services back to back) share `visit_id`."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    counter = fields.ForeignKeyField("models.Counter", related_name=False, on_delete=fields.CASCADE)
    resident = fields.ForeignKeyField("models.User", null=True, related_name=False, on_delete=fields.CASCADE)
    booked_by = fields.ForeignKeyField("models.User", null=True, related_name=False, on_delete=fields.SET_NULL)
    name = fields.CharField(max_length=100, default="")
    phone = fields.CharField(max_length=40, default="")
    start = fields.DatetimeField()  # UTC
    end = fields.DatetimeField()
    state = fields.CharField(max_length=16, default="booked")  # APPOINTMENT_STATES
    note = fields.CharField(max_length=500, default="")
    cancel_reason = fields.CharField(max_length=500, default="")
    visit_id = fields.CharField(max_length=36, null=True)
    # how the resident asked to be reminded the day before (their choice when booking)
    remind_email = fields.BooleanField(default=True)
    remind_push = fields.BooleanField(default=False)
    client_token = fields.CharField(max_length=64, null=True)
    created_at = fields.DatetimeField(default=utcnow)
    updated_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "appointments"
        unique_together = (("resident", "client_token"),)
        indexes = (("counter_id", "start"), ("resident_id", "start"))
