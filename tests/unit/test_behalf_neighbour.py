"""The neighbour's side of acting on behalf, in one process: this site mirrors fallen.test, whose replica
holds its fire chief, its resident and their standby codes (as they travel: hashes only).

Sign-in attempts are rate-limited (per address and per username at the city); a city that is up, or
that did not let us act for it, gets nobody signed in; the acting session posts into the replica,
in a stream numbered under our origin, and opens nothing of this site.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from sns import journal
from sns.ids import uuid7
from sns.journal import Entry
from sns.mirror import replicas
from sns.models import Alert, Peer, StandbyCode, User
from sns.models.base import utcnow
from sns.security import hash_code
from sns.services.standby_codes import new_code, normalize

CITY = "fallen.test"


def _entry(seq: int, kind: str, obj) -> dict:
    return {"seq": seq, "origin": CITY, "kind": kind, "record_id": obj.id, "version": obj.version,
            "payload": journal.payload_of(obj), "recorded_at": utcnow().isoformat()}


@pytest.fixture(scope="module")
async def city(site):
    chief = User(id=uuid7(), username="chief", display_name="Chief", role="fire", origin=CITY)
    resident = User(id=uuid7(), username="plain", display_name="Plain", role="resident", origin=CITY)
    codes = {"chief": [new_code() for _ in range(3)], "plain": [new_code()]}
    rows = [StandbyCode(id=uuid7(), user_id=u.id, lookup=normalize(c)[:4], code_hash=hash_code(normalize(c)),
                        origin=CITY) for u in (chief, resident) for c in codes[u.username]]
    replica = await replicas.open_replica(site.settings, CITY)
    entries = [_entry(1, "user", chief), _entry(2, "user", resident)]
    entries += [_entry(n, "standby_code", r) for n, r in enumerate(rows, start=3)]
    await replicas.store_entries(replica, [Entry.from_wire(e, origin=CITY) for e in entries])
    peer = await Peer.create(origin=CITY, url="http://127.0.0.1:9", fingerprint="SHA256:y", public_key="eA==",
                             acts_for_them=True, last_ok_at=utcnow() - timedelta(hours=1), failures=5)
    return {"codes": codes, "replica": replica, "peer": peer}


async def _sign_in(client, username: str, code: str):
    await client.get("/mirror/fallen.test/staff")
    return await client.submit("/mirror/fallen.test/staff", {"username": username, "code": code})


async def test_a_city_that_is_up_or_did_not_allow_it(site, city):
    await Peer.filter(id=city["peer"].id).update(last_ok_at=utcnow(), failures=0)
    up = await _sign_in(site.client(), "chief", city["codes"]["chief"][0])
    assert up.status_code == 409 and "is up: sign in there" in up.text
    await Peer.filter(id=city["peer"].id).update(last_ok_at=utcnow() - timedelta(hours=1), failures=5,
                                                 acts_for_them=False)
    closed = await _sign_in(site.client(), "chief", city["codes"]["chief"][0])
    assert closed.status_code == 403 and "does not act for" in closed.text
    await Peer.filter(id=city["peer"].id).update(acts_for_them=True)
    assert await StandbyCode.filter(used_at=None).using_db(city["replica"]).count() == 4


async def test_attempts_are_rate_limited(site, city):
    limit = site.settings.login_attempts_per_15min
    guesser = site.client()
    for _ in range(limit):
        assert (await _sign_in(guesser, "chief", "0000-0000-0000-0000")).status_code == 400
    blocked = await _sign_in(guesser, "chief", city["codes"]["chief"][2])
    assert blocked.status_code == 429
    for key in ("acting-ip:127.0.0.1", "acting:fallen.test:chief"):  # the next tests sign in again
        await site.app.state.limits.logins.reset(key)


async def test_acting_posts_into_the_replica_and_nothing_else(site, city):
    assert (await _sign_in(site.client(), "plain", city["codes"]["plain"][0])).status_code == 400
    staff = site.client()
    signed = await _sign_in(staff, "chief", city["codes"]["chief"][1])
    assert signed.status_code == 303
    assert (await staff.get("/home")).status_code == 303  # not signed in to this site
    assert (await staff.get("/alerts/new")).status_code == 303
    await staff.get("/mirror/fallen.test/staff/alerts/new")
    posted = await staff.submit("/mirror/fallen.test/staff/alerts/new", {
        "kind": "flood", "title": "River over the bank", "description": "", "instruction": "Go uphill.",
        "address": "", "lat": "32.5", "lon": "130.6", "radius_m": "", "polygon": "", "severity": "Severe"})
    assert posted.status_code == 303, posted.text[:1000]
    alert = await Alert.filter(title="River over the bank").using_db(city["replica"]).first()
    assert (alert.origin, alert.sender, alert.posted_via, alert.version) == (CITY, CITY, site.settings.origin, 1)
    assert not await Alert.filter(title="River over the bank").exists()  # nothing in this site's own records
    ours = await replicas.cursor(city["replica"], site.settings.origin)
    theirs = await replicas.cursor(city["replica"], CITY)
    assert ours == 3 and theirs == 6  # code use, alert, its step; the city's own stream untouched
