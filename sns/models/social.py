"""Friendships and blocks."""

from __future__ import annotations

from tortoise import fields

from sns.models.base import Replicated


class Friendship(Replicated):
    """One direction of a relation: `user` asked `friend` (requested) or they are friends (accepted).

    An accepted friendship is two rows (A->B and B->A), so the friends of a user are one
    indexed lookup.
    """

    user = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    friend = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    state = fields.CharField(max_length=16, default="requested")  # requested | accepted

    class Meta:
        table = "friendships"
        unique_together = (("user", "friend"),)
        indexes = (("friend_id", "state"),)


class Block(Replicated):
    blocker = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)
    blocked = fields.ForeignKeyField("models.User", related_name=False, on_delete=fields.CASCADE)

    class Meta:
        table = "blocks"
        unique_together = (("blocker", "blocked"),)
        indexes = (("blocked_id",),)
