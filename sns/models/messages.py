"""Internal mail between residents, and residents' threads with the city's departments."""

from __future__ import annotations

from tortoise import fields

from sns.models.base import Replicated

INQUIRY_STATUSES = ("received", "in_progress", "answered", "closed")
# What one entry of a department thread is: words, a status change, or a hand-over to a colleague.
INQUIRY_ENTRY_KINDS = ("message", "status", "assign")
# How a request reached the city: this site, a mail to the city's address, a phone call or a visit to a counter
# that staff logged for the resident.
INQUIRY_CHANNELS = ("web", "mail", "phone", "counter")


class Conversation(Replicated):
    """One-to-one or a small group. Private: mirrors only keep it sealed."""

    subject = fields.CharField(max_length=200, default="")
    started_by = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    last_message_at = fields.DatetimeField(null=True)

    class Meta:
        table = "conversations"


class Participant(Replicated):
    conversation = fields.ForeignKeyField("models.Conversation", related_name="participants",
                                          on_delete=fields.CASCADE)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    last_read_at = fields.DatetimeField(null=True)
    archived = fields.BooleanField(default=False)  # gone from my inbox until a new message arrives
    left = fields.BooleanField(default=False)

    class Meta:
        table = "participants"
        unique_together = (("conversation", "user"),)
        indexes = (("user_id", "archived"),)


class Message(Replicated):
    conversation = fields.ForeignKeyField("models.Conversation", related_name="messages",
                                          on_delete=fields.CASCADE)
    author = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    body = fields.TextField()
    state = fields.CharField(max_length=16, default="published")
    client_token = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "messages"
        unique_together = (("author", "client_token"),)
        indexes = (("conversation_id", "id"),)


class Department(Replicated):
    """One of the city's departments (roads, waste, welfare, disaster desk...): the city's own list."""

    name = fields.CharField(max_length=100)
    name_ja = fields.CharField(max_length=100, default="")
    description = fields.TextField(default="")
    active = fields.BooleanField(default=True)
    position = fields.IntField(default=0)
    # the answer times it promises, in working days (weekends and the city's holidays not counted; 0: none)
    first_answer_days = fields.IntField(default=0, db_default=0)
    close_days = fields.IntField(default=0, db_default=0)
    # the address residents may write to (mail intake routes a mail sent to it here; "" for none)
    mail_address = fields.CharField(max_length=320, default="", db_default="")

    class Meta:
        table = "departments"


class DepartmentStaff(Replicated):
    department = fields.ForeignKeyField("models.Department", related_name="staff", on_delete=fields.CASCADE)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)

    class Meta:
        table = "department_staff"
        unique_together = (("department", "user"),)


class Inquiry(Replicated):
    """A resident's thread with a department, with a status the resident sees."""

    department = fields.ForeignKeyField("models.Department", related_name="inquiries", on_delete=fields.CASCADE)
    # a mail from someone who has no account here: the instance's mail-intake account (state "system", it
    # cannot sign in), and `contact_email` says whom to answer by mail
    resident = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    subject = fields.CharField(max_length=200)
    status = fields.CharField(max_length=16, default="received")
    assignee = fields.ForeignKeyField("models.User", null=True, related_name=False, on_delete=fields.SET_NULL)
    last_activity_at = fields.DatetimeField(null=True)
    resident_read_at = fields.DatetimeField(null=True)
    client_token = fields.CharField(max_length=64, null=True)
    channel = fields.CharField(max_length=16, default="web", db_default="web")  # INQUIRY_CHANNELS
    logged_by = fields.ForeignKeyField("models.User", null=True, related_name=False, on_delete=fields.SET_NULL)
    contact_email = fields.CharField(max_length=320, default="", db_default="")  # mail intake: who wrote
    contact_name = fields.CharField(max_length=100, default="", db_default="")
    # when staff first answered and when it was closed: the answer times the dashboard and the targets measure
    first_answered_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    mail_key = fields.CharField(max_length=40, null=True, unique=True)  # in the reply address of mailed answers

    class Meta:
        table = "inquiries"
        unique_together = (("resident", "client_token"),)
        indexes = (("department_id", "status", "last_activity_at"), ("resident_id", "last_activity_at"))


class InquiryEntry(Replicated):
    inquiry = fields.ForeignKeyField("models.Inquiry", related_name="entries", on_delete=fields.CASCADE)
    author = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=16, default="message")
    body = fields.TextField(default="")
    status = fields.CharField(max_length=16, null=True)  # the new status, for kind "status"
    assignee = fields.ForeignKeyField("models.User", null=True, related_name=False, on_delete=fields.SET_NULL)
    from_staff = fields.BooleanField(default=False)
    state = fields.CharField(max_length=16, default="published")
    client_token = fields.CharField(max_length=64, null=True)
    channel = fields.CharField(max_length=16, default="web", db_default="web")  # INQUIRY_CHANNELS
    mail_message_id = fields.CharField(max_length=255, default="", db_default="")  # the mail it came in or left as

    class Meta:
        table = "inquiry_entries"
        unique_together = (("author", "client_token"),)
        indexes = (("inquiry_id", "id"), ("mail_message_id",))
