"""Our fediverse inboxes, through the app, with a real server elsewhere on a loopback address of its own
(tests/fedi_servers.py) serving its actors' keys and receiving what we deliver: an unsigned, badly signed,
stale, replayed, over-large, wrongly typed, malformed or blocked post is refused with the status Mastodon
expects and logged for the administrators; a good Follow of the city is stored and answered with an Accept
that arrives at the follower's own inbox, signed so that our own verifier accepts it with the city's key;
Undo removes it; a rotated key is fetched again; a resident is followable only when they chose it; one
server posting too fast is answered 429 while another still gets through; a post signed the RFC 9421 way (by
the `http-message-signatures` library as the sender) is checked as carefully."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from http_message_signatures import HTTPMessageSigner, MappingKeyResolver, algorithms

from fedi_servers import AS, fediverse_peer, new_key
from fixtures import make_site
from sns.fediverse import delivery, signatures
from sns.fediverse.addresses import CITY, actor_url, inbox_url, shared_inbox_url
from sns.models import ActorKey, BlockedServer, Delivery, Follower, InboxRefusal, RemoteActor, User

CITY_URL = "http://test.example/ap/users/city"
LIMIT = 40  # posts per server and minute


@pytest.fixture(scope="module")
async def site(tmp_path_factory):
    async with make_site(tmp_path_factory.mktemp("fedi-inbox"), fediverse_loopback=True,
                         fediverse_timeout_seconds=3, fediverse_inbox_max_bytes=4096,
                         fediverse_inbox_posts_per_minute=LIMIT) as s:
        yield s


@pytest.fixture(scope="module")
def peer():
    with fediverse_peer("127.0.0.2") as p:
        p.key("alice"), p.key("bob")
        yield p


@pytest.fixture(scope="module")
def client(site):
    return site.client()


def follow(peer, name: str, target: str = CITY_URL, n: int = 1) -> dict:
    return {"@context": AS, "id": f"{peer.actor(name)}#follows/{n}", "type": "Follow", "actor": peer.actor(name),
            "object": target}


async def post(client, url: str, body: bytes, headers: dict):
    return await client.post(url, content=body, headers=headers)


async def refused(reason: str) -> InboxRefusal:
    row = await InboxRefusal.filter(reason=reason).order_by("-received_at").first()
    assert row is not None, f"no refusal {reason!r}: {[r.reason for r in await InboxRefusal.all()]}"
    return row


async def test_what_is_refused_answers_as_mastodon_expects_and_is_logged(site, client, peer):
    settings = site.settings
    inbox = inbox_url(settings, "city")
    good_follow = follow(peer, "alice", n=100)

    body = b'{"type": "Follow"}'
    r = await post(client, inbox, body, {"content-type": "application/activity+json"})
    assert r.status_code == 401
    assert (await refused("unsigned")).size == len(body)

    body, headers = peer.signed_post("alice", inbox, good_follow, key=new_key())  # another key than its actor's
    r = await post(client, inbox, body, headers)
    assert r.status_code == 401
    row = await refused("bad_signature")
    assert (row.host, row.key_id) == ("127.0.0.2", peer.key_id("alice"))

    body, headers = peer.signed_post("alice", inbox, good_follow, date=time.time() - 3600)
    assert (await post(client, inbox, body, headers)).status_code == 401
    await refused("stale_date")

    body, headers = peer.signed_post("alice", inbox, good_follow)
    headers["digest"] = "SHA-256=" + "A" * 43 + "="  # the body was changed after signing
    assert (await post(client, inbox, body, headers)).status_code == 401
    await refused("bad_digest")

    body, headers = peer.signed_post("alice", inbox, {**good_follow, "padding": "x" * 5000})
    assert (await post(client, inbox, body, headers)).status_code == 413
    assert (await refused("too_large")).host == "127.0.0.2"

    body, headers = peer.signed_post("alice", inbox, good_follow)
    headers["content-type"] = "text/plain"
    assert (await post(client, inbox, body, headers)).status_code == 415
    await refused("content_type")

    body, headers = peer.signed_post("alice", inbox, b"{not json")
    assert (await post(client, inbox, body, headers)).status_code == 400
    await refused("malformed")

    body, headers = peer.signed_post("alice", inbox, {**good_follow, "actor": peer.actor("bob")})
    assert (await post(client, inbox, body, headers)).status_code == 401  # alice signs what claims to be bob's
    await refused("actor_mismatch")

    assert await Follower.filter(actor=CITY).count() == 0  # nothing refused was acted on

    # the good post, then the very same request again: a replay
    body, headers = peer.signed_post("alice", inbox, good_follow)
    assert (await post(client, inbox, body, headers)).status_code == 202
    assert (await post(client, inbox, body, headers)).status_code == 401
    await refused("replay")

    # a blocked server: refused before its key is even fetched
    await BlockedServer.create(host="127.0.0.9", reason="spam")
    with fediverse_peer("127.0.0.9") as blocked:
        blocked.key("eve")
        body, headers = blocked.signed_post("eve", inbox, follow(blocked, "eve"))
        assert (await post(client, inbox, body, headers)).status_code == 403
        assert blocked.fetches == []
    assert (await refused("blocked")).host == "127.0.0.9"
    await Follower.filter(actor=CITY).delete()
    await Delivery.all().delete()


async def test_a_follow_is_stored_accepted_with_a_signed_accept_and_undone(site, client, peer):
    settings = site.settings
    activity = follow(peer, "bob", n=1)
    body, headers = peer.signed_post("bob", shared_inbox_url(settings), activity)
    assert (await post(client, shared_inbox_url(settings), body, headers)).status_code == 202
    row = await Follower.get(actor=CITY, remote_actor=peer.actor("bob"))
    assert (row.inbox, row.shared_inbox, row.host, row.follow_id) == (
        peer.inbox("bob"), peer.url + "/inbox", "127.0.0.2", activity["id"])
    # following again (a new signature) keeps one row
    body, headers = peer.signed_post("bob", inbox_url(settings, "city"), activity)
    assert (await post(client, inbox_url(settings, "city"), body, headers)).status_code == 202
    assert await Follower.filter(actor=CITY, remote_actor=peer.actor("bob")).count() == 1

    await delivery.send_due(settings)
    accepts = peer.received("/users/bob/inbox")  # the follower's own inbox, not the shared one
    assert len(accepts) == 2 and not peer.received("/inbox")
    accept = accepts[0]
    assert accept.headers["content-type"] == "application/activity+json"
    assert accept.activity["type"] == "Accept" and accept.activity["actor"] == actor_url(settings, "city")
    assert accept.activity["object"]["id"] == activity["id"] and accept.activity["object"]["type"] == "Follow"
    # signed by the city, as our own verifier checks what arrives
    sig = signatures.parse(accept.headers["signature"])
    assert sig.key_id == "http://test.example/ap/users/city#main-key"
    assert set(sig.headers) >= {"(request-target)", "host", "date", "digest"}
    signatures.check_request(sig, "POST", accept.headers, accept.body, skew=60)
    signatures.verify(sig, (await ActorKey.get(actor=CITY)).public_pem, "POST", "/users/bob/inbox", accept.headers)
    assert await Delivery.filter(state="sent").count() == 2

    undo = {"@context": AS, "id": f"{peer.actor('bob')}#undo/1", "type": "Undo", "actor": peer.actor("bob"),
            "object": activity}
    body, headers = peer.signed_post("bob", shared_inbox_url(settings), undo)
    assert (await post(client, shared_inbox_url(settings), body, headers)).status_code == 202
    assert not await Follower.filter(remote_actor=peer.actor("bob")).exists()


async def test_a_rotated_key_is_fetched_again(site, client, peer):
    settings = site.settings
    peer.key("carol")
    body, headers = peer.signed_post("carol", shared_inbox_url(settings), {
        "@context": AS, "id": peer.actor("carol") + "#like", "type": "Like", "actor": peer.actor("carol"),
        "object": CITY_URL})
    assert (await post(client, shared_inbox_url(settings), body, headers)).status_code == 202  # not imported
    fetched = len(peer.fetches)
    peer.keys["carol"] = new_key()  # carol's server rotates her key
    activity = follow(peer, "carol")
    body, headers = peer.signed_post("carol", shared_inbox_url(settings), activity)
    assert (await post(client, shared_inbox_url(settings), body, headers)).status_code == 202
    assert len(peer.fetches) == fetched + 1
    assert (await RemoteActor.get(key_id=peer.key_id("carol"))).public_pem.startswith("-----BEGIN PUBLIC KEY")
    assert await Follower.filter(remote_actor=peer.actor("carol")).exists()
    # the Delete of her account removes her follows
    gone = {"@context": AS, "id": peer.actor("carol") + "#delete", "type": "Delete", "actor": peer.actor("carol"),
            "object": peer.actor("carol")}
    body, headers = peer.signed_post("carol", shared_inbox_url(settings), gone)
    assert (await post(client, shared_inbox_url(settings), body, headers)).status_code == 202
    assert not await Follower.filter(remote_actor=peer.actor("carol")).exists()


async def test_a_resident_is_followable_only_when_they_chose_it(site, client, peer):
    settings = site.settings
    hana = await site.user("hana")
    hana_url = actor_url(settings, "hana")
    activity = follow(peer, "alice", target=hana_url, n=7)
    body, headers = peer.signed_post("alice", inbox_url(settings, "hana"), activity)
    assert (await post(client, inbox_url(settings, "hana"), body, headers)).status_code == 404
    body, headers = peer.signed_post("alice", shared_inbox_url(settings), activity)
    assert (await post(client, shared_inbox_url(settings), body, headers)).status_code == 202
    assert not await Follower.filter(actor=hana.id).exists()  # acknowledged, not stored

    await User.filter(id=hana.id).update(fediverse_followable=True)
    body, headers = peer.signed_post("alice", inbox_url(settings, "hana"), activity)
    assert (await post(client, inbox_url(settings, "hana"), body, headers)).status_code == 202
    assert await Follower.filter(actor=hana.id, remote_actor=peer.actor("alice")).exists()
    accept = await Delivery.get(actor=hana.id)
    assert accept.activity["actor"] == hana_url and accept.inbox == peer.inbox("alice")

    await User.filter(id=hana.id).update(state="suspended")
    body, headers = peer.signed_post("alice", inbox_url(settings, "hana"), follow(peer, "alice", hana_url, 8))
    assert (await post(client, inbox_url(settings, "hana"), body, headers)).status_code == 404


async def test_one_server_posting_too_fast_is_slowed_down_and_not_the_others(site, client, peer):
    inbox = shared_inbox_url(site.settings)
    with fediverse_peer("127.0.0.12") as flood:
        flood.key("bot")
        answers = []
        for n in range(LIMIT + 6):
            body, headers = flood.signed_post("bot", inbox, {"@context": AS, "id": f"{flood.actor('bot')}#like{n}",
                                                             "type": "Like", "actor": flood.actor("bot"),
                                                             "object": CITY_URL})
            answers.append((await post(client, inbox, body, headers)).status_code)
        assert set(answers[:LIMIT]) == {202} and answers[-1] == 429  # (a minute turning over lets a few more in)
        again = await post(client, inbox, body, headers)
        assert (again.status_code, again.headers.get("retry-after")) == (429, "60")
    body, headers = peer.signed_post("alice", inbox, {"@context": AS, "id": peer.actor("alice") + "#like",
                                                      "type": "Like", "actor": peer.actor("alice"), "object": CITY_URL})
    assert (await post(client, inbox, body, headers)).status_code == 202


def rfc9421_post(peer, name: str, url: str, activity: dict, *, created=None) -> tuple[bytes, dict]:
    """A POST signed as RFC 9421 says (Signature-Input, Signature, Content-Digest), by the library as a sender."""
    body = json.dumps(activity).encode()
    message = SimpleNamespace(method="POST", url=url, headers={"Content-Type": "application/activity+json"})
    signer = HTTPMessageSigner(signature_algorithm=algorithms.RSA_V1_5_SHA256,
                               key_resolver=MappingKeyResolver(public_keys={}, private_keys={
                                   peer.key_id(name): peer.key(name)}))
    signer.sign(message, key_id=peer.key_id(name), label="sig1", created=created, body=body,
                covered_component_ids=("@method", "@target-uri"))
    return body, message.headers


async def test_rfc9421_signatures_are_checked_too(site, client, peer):
    settings = site.settings
    inbox = shared_inbox_url(settings)
    peer.key("dan")
    activity = follow(peer, "dan", n=9421)
    body, headers = rfc9421_post(peer, "dan", inbox, activity)
    assert "content-digest" in {k.lower() for k in headers} and "signature-input" in {k.lower() for k in headers}
    changed = body.replace(b"Follow", b"Folloq")
    r = await post(client, inbox, changed, headers)
    assert r.status_code == 401, r.text
    row = await InboxRefusal.filter(key_id=peer.key_id("dan")).first()
    assert row is not None and row.reason == "bad_digest", (row and (row.reason, row.detail))
    assert (await post(client, inbox, body, headers)).status_code == 202
    assert await Follower.filter(actor=CITY, remote_actor=peer.actor("dan")).exists()
    assert (await post(client, inbox, body, headers)).status_code == 401  # the same again: a replay
    old = datetime.now(timezone.utc) - timedelta(hours=1)
    body, headers = rfc9421_post(peer, "dan", inbox, follow(peer, "dan", n=9422), created=old)
    assert (await post(client, inbox, body, headers)).status_code == 401
    await refused("stale_date")
    body, headers = rfc9421_post(peer, "dan", inbox, follow(peer, "dan", n=9423))
    forged = peer.signed_post("dan", inbox, follow(peer, "dan", n=9423), key=new_key())[1]["signature"]
    headers["Signature"] = "sig1=:" + forged.split('signature="')[1].rstrip('"') + ":"
    assert (await post(client, inbox, body, headers)).status_code == 401
    await Follower.filter(remote_actor=peer.actor("dan")).delete()
