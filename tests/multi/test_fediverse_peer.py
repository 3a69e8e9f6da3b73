"""The city against fediverse software this project did not write (docs/federation.md, "How it is tested").

A bovine-based peer (tests/fediverse_peer, a program in its own environment: bovine and the city's webauthn
need different versions of cryptography) follows a real `sns serve` process and checks, with bovine's own
verifier, the signature of everything the city delivers; it sends the city's inbox the posts a broken or
hostile server would. fediverse-pasture's actor verifier checks the city's actor and a followable resident's.

Not about the database (the rows behind it are tested on both in tests/web): SQLite only. One city, one peer.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
import pytest

from browser.live import ON_POSTGRES, LiveServer, migrated_database, wait_for
from fedi_peer import PeerProcess, peer_python, verify_actors
from fixtures import PASSWORD

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


# The administrator posts notices and reads /admin/fediverse, the fire department posts alerts, hanako is a
# resident who chooses to be followable.
ACCOUNTS = ("admin", "firefighter", "hanako")
AS_PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
INBOX_LIMIT = 60


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """`sns serve` on a loopback port, allowed to fetch keys from and deliver to this machine (the peer); the
    delivery job's retries paced at a second (a queued delivery nudges it at once anyway); at most INBOX_LIMIT
    posts a minute from one server (this module's signed posts, all from 127.0.0.1, stay well below)."""
    peer_python()  # skip before starting anything when the peer's environment is missing
    data = tmp_path_factory.mktemp("city")
    server = LiveServer(data, migrated_database(data))
    server.extra_env.update({"SNS_ORIGIN": "fedi-city.test", "SNS_FEDIVERSE_LOOPBACK": "true",
                             "SNS_FEDIVERSE_DELIVERY_SECONDS": "1",
                             "SNS_FEDIVERSE_INBOX_POSTS_PER_MINUTE": str(INBOX_LIMIT)})
    server.create_user("admin", "admin")  # the first `sns` command makes the instance's keys: alone
    with ThreadPoolExecutor(3) as pool:  # each `sns` command is a process of its own; the server starts meanwhile
        starting = pool.submit(server.start)
        list(pool.map(server.create_user, ["firefighter", "hanako"], ["fire", "resident"]))
        server.tokens = dict(zip(ACCOUNTS, pool.map(lambda name: server.sns("token", "create", name).strip(),
                                                    ACCOUNTS)))
        starting.result()
    server.host = f"127.0.0.1:{server.port}"
    server.actor = f"{server.url}/ap/users/city"
    yield server
    server.stop()


def api(city, who: str, method: str, path: str, **body) -> dict:
    answer = httpx.request(method, city.url + path, json=body or None, timeout=30, trust_env=False,
                           headers={"Authorization": f"Bearer {city.tokens[who]}"})
    assert answer.status_code in (200, 201, 204), (method, path, answer.status_code, answer.text)
    return answer.json() if answer.content else {}


@contextmanager
def signed_in(city, username: str):
    """A browser's session, signed in through the form (CSRF token and all): (client, its CSRF token)."""
    with httpx.Client(base_url=city.url, trust_env=False, timeout=30) as browser:
        page = browser.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        done = browser.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": csrf})
        assert done.status_code == 303, done.text[:2000]
        yield browser, csrf


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


def from_city(peer, since: int) -> list[dict]:
    return [r for r in peer.received()[since:] if r["activity"] and r["activity"].get("type") != "Accept"]


def follow_and_wait_for_accept(peer, handle: str, actor: str) -> dict:
    """The peer follows `handle`: WebFinger, a signed fetch of the actor, a signed Follow; then the Accept must
    arrive, signed by that actor, and bovine must verify it."""
    follow = peer.follow(handle)
    assert follow["actor"] == actor and follow["status"] == 202, follow
    wait_for(lambda: peer.state()["follows"][handle]["accepted"], f"the Accept of {handle}", timeout=30)
    accept = next(r for r in peer.received() if r["activity"] and r["activity"].get("type") == "Accept"
                  and r["activity"].get("actor") == actor)
    assert accept["verified"] and accept["signer"] == actor and accept["key_id"] == actor + "#main-key", accept
    assert accept["activity"]["object"]["id"] == follow["follow_id"]
    return follow


@pytest.fixture(scope="module")
def following_city(city, peer):
    return follow_and_wait_for_accept(peer, f"city@{city.host}", city.actor)


@pytest.fixture(scope="module")
def hanako(city, peer):
    """hanako switches on "followable" in Settings (the form, as a person does) and the peer follows her."""
    with signed_in(city, "hanako") as (browser, csrf):
        on = browser.post("/settings/fediverse", data={"followable": "1", "csrf_token": csrf})
        assert on.status_code == 303, on.text[:2000]
    actor = f"{city.url}/ap/users/hanako"
    follow_and_wait_for_accept(peer, f"hanako@{city.host}", actor)
    return actor


def test_a_notice_an_alert_its_correction_and_its_cancellation_arrive_signed_in_order(city, peer, following_city):
    """What the city publishes reaches a server that follows it: each activity signed by the city's actor with
    a signature bovine verifies (the key fetched from the city's actor document), to the peer's shared inbox,
    in the order it happened, with the objects' own ids. (A cancelled alert stays readable, as on its page:
    an Update showing "Cancelled", docs/federation.md.)"""
    since = len(peer.received())
    notice = api(city, "admin", "POST", "/api/v1/notices", title="Water off on Tuesday",
                 body="The water is off from 9 to 12 in the whole town.")
    alert = api(city, "firefighter", "POST", "/api/v1/alerts", kind="fire", title="Fire near the station",
                description="Smoke over the station square.", lat=32.508, lon=130.597)
    api(city, "firefighter", "PATCH", f"/api/v1/alerts/{alert['id']}", title="Fire behind the station")
    api(city, "firefighter", "POST", f"/api/v1/alerts/{alert['id']}/status", status="cancelled",
        note="A bonfire, put out.")
    arrived = wait_for(lambda: (lambda got: got if len(got) >= 4 else None)(from_city(peer, since)),
                       "four activities from the city", timeout=30)
    notice_id, alert_id = f"{city.url}/notices/{notice['id']}", f"{city.url}/alerts/{alert['id']}"
    assert [(r["activity"]["type"], r["activity"]["object"]["type"], r["activity"]["object"]["id"])
            for r in arrived] == [("Create", "Note", notice_id), ("Create", "Note", alert_id),
                                  ("Update", "Note", alert_id), ("Update", "Note", alert_id)]
    for r in arrived:
        assert r["verified"] and r["signer"] == city.actor and r["key_id"] == city.actor + "#main-key", r
        assert r["path"] == "/inbox" and r["activity"]["actor"] == city.actor
        assert AS_PUBLIC in r["activity"]["to"] and r["activity"]["object"]["attributedTo"] == city.actor
    contents = [r["activity"]["object"]["content"] for r in arrived]
    assert "Water off on Tuesday" in contents[0] and "Fire near the station" in contents[1]
    assert "Fire behind the station" in contents[2] and "Cancelled" in contents[3]
    assert len({r["activity"]["id"] for r in arrived}) == 4  # each its own activity, none sent twice
    served = peer.control("fetch", url=alert_id)  # the object at its own address, as bovine fetches it
    assert served["status"] == 200 and served["content_type"].startswith("application/activity+json"), served
    assert served["document"]["id"] == alert_id and served["document"]["content"] == contents[3]


def test_a_followable_residents_public_diary_arrives_and_a_friends_only_one_never(city, peer, hanako):
    """hanako writes a friends-only entry, then a public one: the public one arrives (signed by her own actor,
    verified), the friends-only one, written first, never did; deleting the public one sends its Delete."""
    since = len(peer.received())
    secret = api(city, "hanako", "POST", "/api/v1/diaries", title="Only for friends",
                 body="My new address is a secret.", visibility="friends")
    public = api(city, "hanako", "POST", "/api/v1/diaries", title="Cherry blossoms",
                 body="The park is pink today.", visibility="public")
    public_id = f"{city.url}/diaries/{public['id']}"
    [created] = wait_for(lambda: from_city(peer, since), "hanako's public diary", timeout=30)
    assert created["activity"]["type"] == "Create" and created["activity"]["object"]["id"] == public_id
    assert "Cherry blossoms" in created["activity"]["object"]["content"]
    assert created["verified"] and created["signer"] == hanako and created["activity"]["actor"] == hanako
    api(city, "hanako", "DELETE", f"/api/v1/diaries/{public['id']}")
    deleted = wait_for(lambda: from_city(peer, since)[1:], "the Delete of hanako's diary", timeout=30)
    assert [(r["activity"]["type"], r["activity"]["object"]["type"], r["activity"]["object"]["id"], r["verified"])
            for r in deleted] == [("Delete", "Tombstone", public_id, True)]
    everything = json.dumps(peer.received())
    assert secret["id"] not in everything and "Only for friends" not in everything and "secret" not in everything


# Each crafted post (sns_fediverse_peer/crafted.py), the status the city answers, and how /admin/fediverse
# names the refusal.
REFUSALS = [("unsigned", 401, "Not signed"), ("bad_signature", 401, "Bad signature"),
            ("stale_date", 401, "Signed at a wrong time"), ("tampered", 401, "Body changed after signing"),
            ("oversized", 413, "Too large"), ("replay", 401, "Sent again (a replay)")]


def test_unsigned_badly_signed_stale_tampered_oversized_and_replayed_posts_are_refused_and_logged(city, peer):
    """The posts a broken or hostile server sends the city's inbox are refused, and each is listed on the
    administrators' page. The replay is a correct signed post (accepted the first time) sent again; a post
    correctly signed by the peer in another actor's name is refused too."""
    inbox = city.actor + "/inbox"
    someone_else = {"@context": "https://www.w3.org/ns/activitystreams", "type": "Like", "object": city.actor,
                    "id": f"{peer.url}/activities/not-mine", "actor": f"{peer.url}/users/someone-else"}
    posing = peer.send("signed", inbox, activity=someone_else)  # correctly signed, by another actor than its own
    assert posing["status"] == 401, posing
    first = peer.send("signed", inbox)
    assert first["status"] == 202, first
    answers = {kind: peer.send(kind, inbox, size=300 * 1024)["status"] for kind, _, _ in REFUSALS}
    assert answers == {kind: status for kind, status, _ in REFUSALS}
    with signed_in(city, "admin") as (admin, _):
        page = admin.get("/admin/fediverse")
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    refused = page.text.split('id="refused"')[1]
    for kind, _, shown in [*REFUSALS, ("posing", 401, "Signed by someone else than its author")]:
        assert shown in refused, (kind, refused[:3000])
    assert "127.0.0.1" in refused


def test_fediverse_pastures_verifier_passes_the_citys_actor_and_a_residents(city, hanako, tmp_path_factory):
    """WebFinger, unsigned and signed fetches, unsigned posts refused, signed posts taken, also from actors whose
    keys answer only signed fetches: fediverse-pasture's verdict on both of our kinds of actor."""
    results = verify_actors(tmp_path_factory.mktemp("pasture"), city.actor, hanako)
    for result in results:
        assert passes(result), result["report"]


def test_an_undo_of_the_follow_is_verified_and_ends_it(city, peer, following_city):
    """The peer unfollows the city (a signed Undo of its Follow): the city checks it and forgets the follower,
    as its followers collection counts."""
    def followers() -> int:
        answer = httpx.get(city.actor + "/followers", headers={"Accept": "application/activity+json"},
                           timeout=10, trust_env=False)
        assert answer.status_code == 200, answer.text
        return answer.json()["totalItems"]

    assert followers() == 1
    undone = peer.control("unfollow", handle=f"city@{city.host}")
    assert undone["status"] == 202, undone
    assert followers() == 0


def test_a_resident_who_stops_being_followable_is_deleted_at_the_peer(city, peer, hanako, tmp_path_factory):
    """hanako switches "followable" off: the peer receives the signed Delete of her actor (verified with the key
    it kept, as Mastodon does: her actor is gone at once) and her actor is 404 from then on."""
    since = len(peer.received())
    with signed_in(city, "hanako") as (browser, csrf):
        off = browser.post("/settings/fediverse", data={"csrf_token": csrf})
        assert off.status_code == 303, off.text[:2000]
    [gone] = wait_for(lambda: from_city(peer, since), "the Delete of hanako's actor", timeout=30)
    assert gone["activity"]["type"] == "Delete" and gone["activity"]["object"] == hanako, gone
    assert gone["verified"] and gone["signer"] == hanako, gone
    assert peer.control("fetch", url=hanako)["status"] == 404


def test_a_flood_of_unsigned_posts_is_limited_like_a_flood_of_signed_ones(city, peer):
    """More unsigned posts from one address in a minute than one server may send: beyond the limit they are
    answered 429 (and not each written to the refusal log), as signed ones are. Last in the module: once the
    limit holds, this address has used up its minute."""
    inbox = city.actor + "/inbox"
    statuses = [peer.send("unsigned", inbox)["status"] for _ in range(INBOX_LIMIT + 10)]
    assert statuses[0] == 401 and statuses[-1] == 429, f"{len(statuses)} unsigned posts in a row: {statuses}"


def test_a_flood_of_posts_naming_ever_new_key_servers_is_limited(city, peer):
    """Badly signed posts from one address, each naming its key on another server (here 127.0.0.N: nothing
    answers there): beyond one server's limit a minute they should be answered 429 as well, before the city
    fetches anything or writes a refusal for each."""
    inbox = city.actor + "/inbox"
    statuses = [peer.send("bad_signature", inbox, key_id=f"http://127.0.0.{2 + n}:9/users/x#main-key")["status"]
                for n in range(INBOX_LIMIT + 10)]
    assert statuses[-1] == 429, f"{len(statuses)} posts naming {len(statuses)} key servers: {set(statuses)}"
