"""Standby codes and adoption at the origin, in one process (the two-city story is
tests/multi/test_mirror_behalf.py).

Codes: shown once, only hashes kept, typed loosely (lower case, spaces, a misread O), one set at a time,
revoked by tombstones that travel. Adoption: what a neighbour serves as posted on our behalf is taken
exactly once (a failure half-way takes nothing, the retry everything once), with versions past the
neighbour's copy, journaled, logged as posted at the neighbour; what our rules refuse is left out and logged.
"""

from __future__ import annotations

import pytest

from sns import journal
from sns.ids import uuid7
from sns.journal import Entry
from sns.mirror import adopt
from sns.mirror.pull import Batch
from sns.models import Alert, AlertUpdate, JournalEntry, MirrorLog, Notice, Peer, StaffActionLog, StandbyCode
from sns.models.base import utcnow
from sns.services import standby_codes

NEIGHBOUR = "nb.test"


@pytest.fixture(scope="module")
async def town(site):
    admin = await site.user("bhadmin", role="admin")
    fire = await site.user("bhfire", role="fire")
    resident = await site.user("bhresident")
    peer = await Peer.create(origin=NEIGHBOUR, url="http://127.0.0.1:9", fingerprint="SHA256:x", public_key="eA==",
                             acts_for_us=True)
    return {"admin": admin, "fire": fire, "resident": resident, "peer": peer,
            "admin_ctx": await site.ctx_for(admin)}


async def test_codes_are_kept_hashed_and_typed_loosely(site, town):
    _, codes = await standby_codes.make_codes(town["admin_ctx"], "bhfire", 3)
    rows = await StandbyCode.filter(user_id=town["fire"].id, deleted_at=None)
    assert len(rows) == 3 and all(r.code_hash.startswith("$argon2id$") for r in rows)
    assert not any(c.replace("-", "") in r.code_hash for c in codes for r in rows)
    loose = codes[0].lower().replace("-", " ").replace("0", "o")
    found = await standby_codes.matching_code(None, town["fire"].id, loose)
    assert found is not None and found.lookup == codes[0][:4]
    assert await standby_codes.matching_code(None, town["fire"].id, "0000-0000-0000-0000") is None
    assert await standby_codes.matching_code(None, town["resident"].id, codes[0]) is None
    # a new set revokes the old one, and the revocation is journaled (it travels)
    _, fresh = await standby_codes.make_codes(town["admin_ctx"], "bhfire", 2)
    assert await standby_codes.matching_code(None, town["fire"].id, codes[1]) is None
    assert await standby_codes.matching_code(None, town["fire"].id, fresh[1]) is not None
    tombstones = await JournalEntry.filter(kind="standby_code", record_id__in=[r.id for r in rows])
    assert sorted(e.version for e in tombstones) == [1, 1, 1, 2, 2, 2]
    assert await standby_codes.revoke_codes(town["admin_ctx"], "bhfire") == 2
    assert await standby_codes.matching_code(None, town["fire"].id, fresh[0]) is None


async def test_codes_are_shown_once_on_the_page(site, town):
    page = site.client()
    await page.login("bhadmin")
    made = await page.submit("/admin/standby", {"username": "bhfire", "count": "4", "action": "make"})
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    assert made.text.count("<code>") == 4
    again = await page.get("/admin/standby")
    assert "<code>" not in again.text and "bhfire" in again.text
    refused = await page.submit("/admin/standby", {"username": "bhresident", "count": "4", "action": "make"})
    assert refused.status_code == 400 and 'value="bhresident"' in refused.text


def _entries(site, town, title: str) -> list[dict]:
    """What a neighbour serves: a code used there, an alert and its first step, a notice."""
    origin, fire = site.settings.origin, town["fire"]
    now = utcnow()
    alert = Alert(id=uuid7(), kind="fire", title=title, lat=32.5, lon=130.6, sender=origin, status="outbreak",
                  author_id=fire.id, origin=origin, posted_via=NEIGHBOUR, created_at=now, updated_at=now,
                  sent_at=now)
    alert.identifier = alert.id
    step = AlertUpdate(id=uuid7(), alert_id=alert.id, author_id=fire.id, status="outbreak", cap_identifier=alert.id,
                       origin=origin, posted_via=NEIGHBOUR, created_at=now, updated_at=now)
    notice = Notice(id=uuid7(), author_id=fire.id, title=f"Notice: {title}", body="At the gym.", origin=origin,
                    posted_via=NEIGHBOUR, created_at=now, updated_at=now)
    records = [("alert", alert), ("alert_update", step), ("notice", notice)]
    return [{"seq": n, "kind": kind, "record_id": obj.id, "version": 1, "payload": journal.payload_of(obj),
             "recorded_at": now.isoformat()} for n, (kind, obj) in enumerate(records, start=1)]


def _serve(monkeypatch, entries: list[dict]) -> list[int]:
    asked: list[int] = []

    async def fake_fetch(settings, *, after, route, **_):
        assert route == "behalf"
        asked.append(after)
        return Batch(after=after, head=len(entries), entries=[Entry.from_wire(e, origin=NEIGHBOUR)
                                                                   for e in entries[after:]])

    monkeypatch.setattr(adopt, "fetch_batch", fake_fetch)
    return asked


async def test_adopted_exactly_once_even_after_a_failure(site, town, monkeypatch):
    entries = _entries(site, town, "Fire at the mill")
    alert_id, notice_id = entries[0]["record_id"], entries[2]["record_id"]
    _serve(monkeypatch, entries)
    real = adopt._adopt_notice

    async def crash(*args, **kwargs):
        raise RuntimeError("killed half-way")

    monkeypatch.setattr(adopt, "_adopt_notice", crash)
    with pytest.raises(RuntimeError):
        await adopt.adopt_from(site.settings, town["peer"], site.app.state.site)
    assert not await Alert.filter(id=alert_id).exists() and (await Peer.get(id=town["peer"].id)).behalf_cursor == 0
    monkeypatch.setattr(adopt, "_adopt_notice", real)
    assert await adopt.adopt_from(site.settings, town["peer"], site.app.state.site) == 3
    assert await adopt.adopt_from(site.settings, town["peer"], site.app.state.site) == 0  # nothing new: nothing twice
    alert = await Alert.get(id=alert_id)
    assert (alert.version, alert.posted_via, alert.author_id) == (2, NEIGHBOUR, town["fire"].id)
    assert (await Notice.get(id=notice_id)).version == 2
    for record_id in (alert_id, notice_id, entries[1]["record_id"]):
        assert await JournalEntry.filter(origin=site.settings.origin, record_id=record_id) \
            .values_list("version", flat=True) == [2]
    logged = await StaffActionLog.filter(target_id__in=[alert_id, notice_id]).values_list("action", "detail")
    assert sorted(logged) == [("behalf.alert.post", f"posted at {NEIGHBOUR} on our behalf: fire: Fire at the mill"),
                              ("behalf.notice.post", f"posted at {NEIGHBOUR} on our behalf: Notice: Fire at the mill")]
    assert (await Peer.get(id=town["peer"].id)).behalf_cursor == 3
    assert (await site.client().get("/alerts")).text.count("Fire at the mill") >= 1
    page = (await site.client().get(f"/alerts/{alert_id}")).text
    assert f"at {NEIGHBOUR} on this city's behalf" in page, page[page.find("Posted"):][:400]


async def test_what_our_rules_refuse_is_left_out(site, town, monkeypatch):
    await Peer.filter(id=town["peer"].id).update(behalf_cursor=0)
    entries = _entries(site, town, "Refused fire")
    entries[0]["payload"]["author_id"] = town["resident"].id  # a resident's alert
    entries[1]["payload"]["posted_via"] = "elsewhere.test"  # marked as posted somewhere else
    entries[2] = dict(entries[2], kind="diary")  # never posted on our behalf
    _serve(monkeypatch, entries)
    before = await MirrorLog.filter(what="behalf_refused").count()
    assert await adopt.adopt_from(site.settings, town["peer"], site.app.state.site) == 3
    assert not await Alert.filter(title="Refused fire").exists()
    assert await MirrorLog.filter(what="behalf_refused").count() == before + 3
    # a neighbour we do not let act for us is not even asked
    await Peer.filter(id=town["peer"].id).update(acts_for_us=False, behalf_cursor=0)
    asked = _serve(monkeypatch, _entries(site, town, "Not asked"))
    again = await adopt.adopt_from(site.settings, await Peer.get(id=town["peer"].id), site.app.state.site)
    assert again == 0 and asked == []
    await Peer.filter(id=town["peer"].id).update(acts_for_us=True)
