"""Diary entries, their comments and photos."""

from __future__ import annotations

from tortoise import fields

from sns.models.base import Replicated

VISIBILITIES = ("public", "members", "friends", "private")
# Moderation state of a text: published, held (waits for a moderator), removed.
TEXT_STATES = ("published", "held", "removed")


class Diary(Replicated):
    author = fields.ForeignKeyField("models.User", related_name="diaries", on_delete=fields.CASCADE)
    title = fields.CharField(max_length=200)
    body = fields.TextField()
    visibility = fields.CharField(max_length=16, default="members")
    lat = fields.FloatField(null=True)
    lon = fields.FloatField(null=True)
    state = fields.CharField(max_length=16, default="published")
    client_token = fields.CharField(max_length=64, null=True)  # makes a double-submitted form post once

    class Meta:
        table = "diaries"
        unique_together = (("author", "client_token"),)
        # No index leads with `visibility`: SQLite (no statistics unless someone runs ANALYZE) then
        # answers "newest visible diaries" with a union of one index scan per visibility, sorting
        # almost the whole table (0.3-0.8 s at 200,000 diaries). Without it, the newest-first walk
        # of the primary key stops after a page of rows.
        # By author: newest first, with what `diary_scope` checks, so that "the newest entries of my
        # 50 friends" is answered from the index alone; and what is new since a time (My page).
        indexes = (("author_id", "id", "deleted_at", "state", "visibility"), ("author_id", "created_at"),
                   ("lat", "lon"))  # the map: the diaries in a box


class Comment(Replicated):
    diary = fields.ForeignKeyField("models.Diary", related_name="comments", on_delete=fields.CASCADE)
    author = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    body = fields.TextField()
    state = fields.CharField(max_length=16, default="published")
    client_token = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "comments"
        unique_together = (("author", "client_token"),)
        indexes = (("diary_id", "id"),)


class Photo(Replicated):
    """An uploaded image, re-encoded without metadata. Who sees it follows what it belongs to."""

    owner = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    diary = fields.ForeignKeyField("models.Diary", null=True, related_name="photos", on_delete=fields.CASCADE)
    purpose = fields.CharField(max_length=16, default="diary")  # diary | avatar | album | topic | reply | event
    album = fields.ForeignKeyField("models.Album", null=True, related_name="photos", on_delete=fields.CASCADE)
    # What a topic, reply or event photo belongs to (purpose names the kind); diaries and albums use their FK.
    parent_id = fields.CharField(max_length=36, null=True)
    caption = fields.CharField(max_length=200, default="", db_default="")
    width = fields.IntField()
    height = fields.IntField()
    bytes = fields.IntField()
    position = fields.IntField(default=0)

    class Meta:
        table = "photos"
        # The photos of a page's diaries (or of an album, or of a topic's posts), in order.
        indexes = (("diary_id", "position"), ("album_id", "position"), ("parent_id", "position"))
