"""The city against fediverse software this project did not write (docs/federation.md, "How it is tested").

A bovine-based peer (tests/fediverse_peer, a program in its own environment: bovine and the city's webauthn
need different versions of cryptography) follows a real `sns serve` process and checks, with bovine's own
verifier, the signature of everything the city delivers; it sends the city's inbox the posts a broken or
hostile server would. fediverse-pasture's actor verifier checks the city's actor and a followable resident's.

Not about the database (the rows behind it are tested on both in tests/web): SQLite only. One city, one peer.
"""

from __future__ import annotations

import json

import pytest

from browser.live import ON_POSTGRES
from fedi_peer import PeerProcess, verify_actors

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="HTTP between processes, not about the database: SQLite only")

# What fediverse-pasture's verifier should find for a server that checks signatures properly: "alice" and
# "dean" post unsigned and must be refused; the others sign and must get through, "claire" and "frank" only
# when the server signs its own fetch of their keys (their actor documents answer signed fetches only).
PASSES = {"alice": {"get_actor": True, "post_inbox": False}, "bob": {"get_actor": True, "post_inbox": True},
          "claire": {"get_actor": True, "post_inbox": True}, "dean": {"get_actor": True, "post_inbox": False},
          "emily": {"get_actor": True, "post_inbox": True}, "frank": {"get_actor": True, "post_inbox": True},
          "webfinger": True}


def passes(result: dict) -> bool:
    return result["verify_actor_table"] == PASSES


@pytest.fixture(scope="module")
def peer(tmp_path_factory):
    process = PeerProcess(tmp_path_factory.mktemp("peer"))
    process.start()
    yield process
    process.stop()


def test_the_peer_tells_a_good_signature_from_a_bad_one(peer, tmp_path_factory):
    """The yardstick first: a second peer follows the first and sends it each kind of crafted post. bovine's
    verifier in the first accepts the Follow and a correct signature, and refuses an unsigned post, a wrong
    key, a stale Date and a changed body; so "verified" from the peer means something. (A replay gets
    through here: the peer keeps no memory of signatures. Refusing replays is the city's job, tested below.)
    fediverse-pasture's verifier passes the peer's actor, and would not pass one that took unsigned posts."""
    other = PeerProcess(tmp_path_factory.mktemp("other"), name="other")
    other.start()
    try:
        follow = other.follow(peer.handle)
        assert follow["actor"] == peer.actor and follow["status"] == 202, follow
        answers = {kind: other.send(kind, peer.url + "/inbox")["status"]
                   for kind in ("signed", "replay", "unsigned", "bad_signature", "stale_date", "tampered")}
        assert answers == {"signed": 202, "replay": 202, "unsigned": 401, "bad_signature": 401, "stale_date": 401,
                           "tampered": 401}
        received = peer.received()
        assert [(r["activity"]["type"], r["verified"]) for r in received] == [
            ("Follow", True), ("Like", True), ("Like", True), ("Like", False), ("Like", False), ("Like", False),
            ("Like", False)]
        assert {r["signer"] for r in received if r["verified"]} == {other.actor}
    finally:
        other.stop()
    [result] = verify_actors(tmp_path_factory.mktemp("verifier"), peer.actor)
    assert passes(result), result["report"]
    assert json.loads(result["messages"])["steps"], "the verifier kept no log"
