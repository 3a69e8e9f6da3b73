"""Photo albums of residents and of communities (the photos are `Photo` rows with `album` set)."""

from __future__ import annotations

from tortoise import fields

from sns.models.base import Replicated


class Album(Replicated):
    owner = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    community = fields.ForeignKeyField("models.Community", null=True, related_name=False,
                                       on_delete=fields.CASCADE)
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    visibility = fields.CharField(max_length=16, default="members")  # a community album follows its community
    state = fields.CharField(max_length=16, default="published")
    photo_count = fields.IntField(default=0)
    cover_id = fields.CharField(max_length=36, null=True)  # a Photo id
    client_token = fields.CharField(max_length=64, null=True)

    @property
    def author_id(self) -> str:
        """Who wrote it, as the review queue names the writer of a reported text."""
        return self.owner_id

    class Meta:
        table = "albums"
        unique_together = (("owner", "client_token"),)
        indexes = (("owner_id", "id"), ("community_id", "id"))
