"""The city on the fediverse (ActivityPub, docs/federation.md): our actors' keys, who follows them from other
servers, servers an administrator blocked, signed deliveries waiting to go out, other servers' keys we fetched,
and inbox posts we refused. All local: none of it is mirrored (a neighbour serves no fediverse for us)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sns.ids import uuid7
from sns.models.base import utcnow

DELIVERY_STATES = ("pending", "sent", "failed")


class ActorKey(Model):
    """One local actor's RSA key pair (HTTP Signatures as Mastodon checks them): the city ("city") or a
    resident (their user id). Made the first time the actor is served or signs."""

    actor = fields.CharField(max_length=64, primary_key=True)
    private_pem = fields.TextField()
    public_pem = fields.TextField()
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "fedi_actor_keys"


class Follower(Model):
    """A remote actor following one of ours (accepted): where to deliver to them."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    actor = fields.CharField(max_length=64)  # whom they follow: "city" or a resident's user id
    remote_actor = fields.CharField(max_length=500)  # the follower's actor id (a URL)
    inbox = fields.CharField(max_length=500)
    shared_inbox = fields.CharField(max_length=500, default="")
    host = fields.CharField(max_length=255)  # the follower's server
    follow_id = fields.CharField(max_length=500, default="")  # their Follow activity's id (an Undo names it)
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "fedi_followers"
        unique_together = (("actor", "remote_actor"),)
        indexes = (("host",), ("actor", "created_at"))


class BlockedServer(Model):
    """A server an administrator refuses: its follows and posts are refused, nothing is delivered to it."""

    host = fields.CharField(max_length=255, primary_key=True)
    reason = fields.CharField(max_length=300, default="")
    blocked_by = fields.ForeignKeyField("models.User", null=True, related_name=False, on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "fedi_blocked_servers"


class Delivery(Model):
    """One activity to one receiving server's inbox (its shared inbox when it has one), signed by `actor` when
    sent; retried with back-off until `failed`."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    actor = fields.CharField(max_length=64)  # who signs: "city" or a resident's user id
    inbox = fields.CharField(max_length=500)
    host = fields.CharField(max_length=255)
    activity = fields.JSONField()
    state = fields.CharField(max_length=16, default="pending")  # DELIVERY_STATES
    attempts = fields.IntField(default=0)
    next_try_at = fields.DatetimeField(default=utcnow)
    last_error = fields.CharField(max_length=300, default="")
    created_at = fields.DatetimeField(default=utcnow)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "fedi_deliveries"
        indexes = (("state", "next_try_at"), ("host", "state"))


class RemoteActor(Model):
    """Another server's actor whose key we fetched to check a signature (kept, fetched again when it fails)."""

    key_id = fields.CharField(max_length=500, primary_key=True)
    actor = fields.CharField(max_length=500)
    inbox = fields.CharField(max_length=500, default="")
    shared_inbox = fields.CharField(max_length=500, default="")
    public_pem = fields.TextField()
    fetched_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "fedi_remote_actors"


class InboxRefusal(Model):
    """An inbox post we refused (unsigned, badly signed, replayed, too large, from a blocked server...)."""

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    received_at = fields.DatetimeField(default=utcnow)
    host = fields.CharField(max_length=255, default="")
    key_id = fields.CharField(max_length=500, default="")
    reason = fields.CharField(max_length=64)
    detail = fields.CharField(max_length=300, default="")
    size = fields.IntField(default=0)

    class Meta:
        table = "fedi_inbox_refusals"
        indexes = (("received_at",),)


class SeenSignature(Model):
    """A signature already accepted (its digest), kept while its Date is within the allowed skew: the same
    signed post sent again is a replay."""

    digest = fields.CharField(max_length=64, primary_key=True)
    seen_at = fields.DatetimeField(default=utcnow)

    class Meta:
        table = "fedi_seen_signatures"
        indexes = (("seen_at",),)
