"""Communities (forums): their members, topics and replies."""

from __future__ import annotations

from tortoise import fields

from sns.models.base import Replicated

JOIN_POLICIES = ("open", "approval", "invitation")
# Who may read a community's topics: anyone, signed-in residents, or its members only.
READABLE_BY = ("public", "members", "community")
MEMBER_ROLES = ("member", "moderator", "admin")  # moderator = the community's sub-moderator
MEMBER_STATES = ("pending", "invited", "active", "banned", "left")


class Community(Replicated):
    name = fields.CharField(max_length=100)
    description = fields.TextField(default="")
    official = fields.BooleanField(default=False)  # run by the city; only staff set it
    join_policy = fields.CharField(max_length=16, default="open")
    readable_by = fields.CharField(max_length=16, default="public")
    creator = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    state = fields.CharField(max_length=16, default="published")  # moderation state (TEXT_STATES)
    member_count = fields.IntField(default=0)
    topic_count = fields.IntField(default=0)
    last_activity_at = fields.DatetimeField(null=True)
    client_token = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "communities"
        unique_together = (("creator", "client_token"),)


class Membership(Replicated):
    """One person's place in one community: asked to join, invited, member, banned or gone."""

    community = fields.ForeignKeyField("models.Community", related_name="memberships", on_delete=fields.CASCADE)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    role = fields.CharField(max_length=16, default="member")
    state = fields.CharField(max_length=16, default="active")
    invited_by = fields.ForeignKeyField("models.User", null=True, related_name=False, on_delete=fields.SET_NULL)

    class Meta:
        table = "memberships"
        unique_together = (("community", "user"),)
        indexes = (("user_id", "state"), ("community_id", "state", "role"))


class Topic(Replicated):
    community = fields.ForeignKeyField("models.Community", related_name="topics", on_delete=fields.CASCADE)
    author = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    title = fields.CharField(max_length=200)
    body = fields.TextField()
    state = fields.CharField(max_length=16, default="published")
    pinned = fields.BooleanField(default=False)
    locked = fields.BooleanField(default=False)
    reply_count = fields.IntField(default=0)
    last_reply_at = fields.DatetimeField(null=True)
    # When the topic last moved up the list (its creation or its newest reply): the community's
    # topic list is ordered by (pinned, bumped_at, id) and paged by keyset on that order.
    bumped_at = fields.DatetimeField()
    lat = fields.FloatField(null=True)
    lon = fields.FloatField(null=True)
    client_token = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "topics"
        unique_together = (("author", "client_token"),)
        indexes = (("community_id", "deleted_at", "pinned", "bumped_at", "id"), ("author_id", "id"))


class Reply(Replicated):
    topic = fields.ForeignKeyField("models.Topic", related_name="replies", on_delete=fields.CASCADE)
    author = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    body = fields.TextField()
    state = fields.CharField(max_length=16, default="published")
    client_token = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "replies"
        unique_together = (("author", "client_token"),)
        indexes = (("topic_id", "id"),)


class TopicFollow(Replicated):
    """A resident follows a topic to be told of new replies (the author follows their own)."""

    topic = fields.ForeignKeyField("models.Topic", related_name=False, on_delete=fields.CASCADE)
    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)

    class Meta:
        table = "topic_follows"
        unique_together = (("topic", "user"),)
