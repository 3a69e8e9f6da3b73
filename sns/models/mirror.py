"""Mirroring peers (neighbouring cities this instance exchanges journals with) and what went wrong."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from sns.ids import uuid7
from sns.models.base import utcnow

PEER_STATES = ("active", "paused", "removed")


class Peer(Model):
    """A neighbour: its URL, its origin, and the Ed25519 key whose fingerprint our administrator confirmed.

    Only an `active` peer may pull from us, and only active peers are pulled. A removed peer keeps its
    row (so what it still sends is refused as "removed", and adding it again is one step), and its
    replica stays on disk until `sns mirror forget`.
    """

    id = fields.CharField(max_length=36, primary_key=True, default=uuid7)
    origin = fields.CharField(max_length=255, unique=True)
    url = fields.CharField(max_length=500)
    name = fields.CharField(max_length=200, default="")
    fingerprint = fields.CharField(max_length=64)
    public_key = fields.CharField(max_length=64)  # raw Ed25519 public key, base64; hashes to `fingerprint`
    backup_key = fields.CharField(max_length=64, default="")  # its backup public key (X25519, base64), if any
    state = fields.CharField(max_length=16, default="active")
    # May this neighbour post alerts and notices for us while we are down (its staff acting on our behalf)?
    acts_for_us = fields.BooleanField(default=True)
    # Does this neighbour let us act for it (its staff posting here while it is down)? What its newest
    # signed batch said; False until one said so.
    acts_for_them = fields.BooleanField(default=False, db_default=False)
    # How far we adopted what our staff posted on its site on our behalf (its stream of them, numbered there).
    behalf_cursor = fields.BigIntField(default=0, db_default=0)
    added_at = fields.DatetimeField(default=utcnow)
    changed_at = fields.DatetimeField(default=utcnow)
    last_attempt_at = fields.DatetimeField(null=True)
    last_ok_at = fields.DatetimeField(null=True)  # the last pull that reached it and was accepted
    last_entry_at = fields.DatetimeField(null=True)  # when its newest entry we hold was written there
    head_seq = fields.BigIntField(default=0)  # its journal's newest number, as it last told us
    failures = fields.IntField(default=0)  # pulls in a row that failed
    last_error = fields.CharField(max_length=500, default="")

    class Meta:
        table = "mirror_peers"


class MirrorLog(Model):
    """One refusal or failure in mirroring, either side: what, from or to whom, and why (newest kept)."""

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField(default=utcnow)
    peer = fields.CharField(max_length=255, default="")  # the origin it concerns ("" when unknown)
    direction = fields.CharField(max_length=8)  # "in": something sent to us; "out": our pull of theirs
    what = fields.CharField(max_length=32)  # e.g. bad_signature, replay, out_of_order, too_large, unknown_peer
    detail = fields.CharField(max_length=500, default="")

    class Meta:
        table = "mirror_log"
        indexes = (("at",),)
