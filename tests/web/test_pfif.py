"""Safety check-ins over PFIF 1.4 (docs/pfif.md), through the app over HTTP: the consent on the check-in form
(off unless ticked, kept when the form comes back, in the API too); the disaster desk's export (valid against
the PFIF 1.4 schema in tests/data, only consenting current check-ins, only what was agreed, dated file name,
never cached, logged); our own export imported back as a partner would (notes about our residents stored,
once); a partner's notes (ours stored, the others skipped and counted); expired notes never shown and removed
by the retention job. Hostile documents: tests/web/test_pfif_hostile.py."""

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from lxml import etree

from sns.models import District, PfifNote, SafetyCheckin, StaffActionLog, User
from sns.models.base import utcnow
from sns.services import disaster, friends, retention
from sns.services.pfif_format import NS
from sns.services.tokens import create_token

SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).resolve().parents[1] / "data" / "pfif-1.4.xsd")))
P = f"{{{NS}}}"
SAKURA_SAYS = "At the community centre with my family & the cat <3"
KEN_SAYS = "Ken's private words, never to leave"
HELD_SAYS = "What a fucking mess at the station"  # the word filter would hold it (hold mode)


async def signed_in(site, user):
    client = site.client()
    await client.login(user.username)
    return client


async def check_in(client, **fields):
    return await client.submit("/disaster/checkin", {"status": "safe", **fields})


@pytest.fixture(scope="module")
async def town(site):
    ctx = site.ctx()
    kita = await District.create(name="Kita", position=1, origin=ctx.origin)
    users = {name: await site.user(f"pf{name}", display_name=f"{name.title()} Person")
             for name in ("sakura", "ken", "held", "friend", "later")}
    users["desk"] = await site.user("pfdesk", role="disaster")
    await User.filter(id=users["sakura"].id).update(district_id=kita.id, field_visibility={"district": "public"})
    await User.filter(id=users["held"].id).update(district_id=kita.id)  # members only: never in an export
    await friends.request_friend(await site.ctx_for(users["sakura"]), users["friend"].id)
    await friends.accept(await site.ctx_for(users["friend"]), users["sakura"].id)
    event = await disaster.start_event(await site.ctx_for(users["desk"]), name="PFIF quake", drill=True)
    clients = {name: await signed_in(site, user) for name, user in users.items()}
    assert (await check_in(clients["sakura"], message=SAKURA_SAYS, place="Kita community centre", lat="32.51",
                           lon="130.60", share_pfif="1")).status_code == 303
    assert (await check_in(clients["ken"], status="need_help", message=KEN_SAYS)).status_code == 303
    assert (await check_in(clients["held"], status="need_help", message=HELD_SAYS, share_pfif="1")).status_code == 303
    # agreed once, then checked in again without agreeing: the current check-in is not shared
    assert (await check_in(clients["later"], message="first, shared", share_pfif="1")).status_code == 303
    assert (await check_in(clients["later"], message="second, kept here")).status_code == 303
    return {"users": users, "clients": clients, "event": event}


async def export(client):
    r = await client.submit("/disaster/pfif/export", {})
    assert r.status_code == 200, r.text
    return r


async def import_document(client, data: bytes, source="Partner finder"):
    return await client.submit("/disaster/pfif/import", {"source": source},
                               files={"document": ("partner.xml", data, "application/xml")})


async def test_the_consent_is_off_by_default_and_kept_when_the_form_comes_back(site, town):
    client = town["clients"]["friend"]
    form = (await client.get("/disaster/checkin")).text
    assert 'name="share_pfif" value="1"' in form and "checked>" not in form.split('name="share_pfif"')[1][:80]
    back = await check_in(client, status="", message="typed", share_pfif="1")  # no status: the form comes back
    assert back.status_code == 400 and "typed" in back.text
    assert 'name="share_pfif" value="1" aria-describedby="share-pfif-hint" checked' in back.text
    assert (await check_in(client, message="fine, not shared")).status_code == 303
    mine = await SafetyCheckin.get(user_id=town["users"]["friend"].id, current=True)
    assert mine.share_pfif is False
    # the API: off unless given, as on the form
    base = {"transport": httpx.ASGITransport(app=site.app), "base_url": "http://test.example"}
    _, secret = await create_token(await site.ctx_for(town["users"]["friend"]), "t")
    async with httpx.AsyncClient(**base, headers={"Authorization": f"Bearer {secret}"}) as api:
        r = await api.post("/api/v1/disaster/checkins", json={"status": "safe", "message": "api, not shared"})
        assert r.status_code == 201 and (await SafetyCheckin.get(id=r.json()["id"])).share_pfif is False
        r = await api.post("/api/v1/disaster/checkins", json={"status": "safe", "share_pfif": True})
        assert r.status_code == 201 and (await SafetyCheckin.get(id=r.json()["id"])).share_pfif is True
    shared = (await client.get("/disaster/checkin")).text
    assert "Shared with other person-finder registries" in shared.split('class="checkin-mine"')[1][:600]
    assert (await check_in(client, message="fine, not shared")).status_code == 303  # back to not shared
    assert "Shared with other person-finder registries" not in (await client.get("/disaster/checkin")).text


async def test_the_export_is_valid_pfif_with_only_what_residents_agreed_to_share(site, town):
    users, desk = town["users"], town["clients"]["desk"]
    assert "2 residents agreed" in (await desk.get("/disaster/pfif")).text
    before = utcnow()
    r = await export(desk)
    assert r.headers["content-type"].startswith("application/xml")
    assert r.headers["cache-control"] == "private, no-store"
    disposition = r.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="pfif-test.example-') and disposition.endswith('.xml"')
    root = etree.fromstring(r.content)
    assert SCHEMA.validate(root), SCHEMA.error_log
    assert r.content.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    people = {p.findtext(f"{P}full_name"): p for p in root.iter(f"{P}person")}
    assert set(people) == {"Sakura Person", "Held Person"}  # not Ken (never agreed), not Later (took it back)
    sakura, held = people["Sakura Person"], people["Held Person"]
    assert sakura.findtext(f"{P}person_record_id") == f"test.example/person.{users['sakura'].id}"
    assert sakura.findtext(f"{P}home_neighborhood") == "Kita"  # public to visitors
    assert held.find(f"{P}home_neighborhood") is None  # residents only: not shared
    expiry = datetime.strptime(sakura.findtext(f"{P}expiry_date"), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert timedelta(days=59, hours=23) < expiry - before < timedelta(days=60, minutes=5)
    note = sakura.find(f"{P}note")
    checkin = await SafetyCheckin.get(user_id=users["sakura"].id, current=True)
    assert note.findtext(f"{P}note_record_id") == f"test.example/note.{checkin.id}"
    assert note.findtext(f"{P}status") == "is_note_author" and note.findtext(f"{P}author_made_contact") == "true"
    assert note.findtext(f"{P}text") == SAKURA_SAYS
    assert note.findtext(f"{P}last_known_location") == "Kita community centre · 32.51000 130.60000"
    # a message the word filter would hold never leaves: the status in words stands in for it
    held_note = held.find(f"{P}note")
    assert held_note.findtext(f"{P}status") == "believed_alive" and held_note.findtext(f"{P}text") == "I need help"
    assert held_note.find(f"{P}last_known_location") is None  # gave no place
    text = r.content.decode()
    for never in (KEN_SAYS, HELD_SAYS, "fucking", "second, kept here", "first, shared", "@example.org", "pfsakura",
                  "Ken Person", "Later Person"):
        assert never not in text, never
    logged = await StaffActionLog.filter(action="pfif.export").order_by("-created_at").first()
    assert logged.actor_id == users["desk"].id and logged.detail.startswith("2 records")


async def test_our_export_imported_back_as_a_partner_would(site, town):
    desk = town["clients"]["desk"]
    document = (await export(desk)).content
    before = await PfifNote.all().count()
    r = await import_document(desk, document, source="Neighbouring finder")
    assert r.status_code == 200 and "2 notes about our residents stored, 0 skipped." in r.text
    assert r.headers["cache-control"] == "private, no-store"
    notes = await PfifNote.filter(source="Neighbouring finder").order_by("user_id")
    assert len(notes) == before + 2 and {n.user_id for n in notes} == {town["users"]["sakura"].id,
                                                                      town["users"]["held"].id}
    sakura = next(n for n in notes if n.user_id == town["users"]["sakura"].id)
    assert sakura.text == SAKURA_SAYS and sakura.status == "is_note_author" and sakura.author_made_contact is True
    assert sakura.expiry_date > utcnow() + timedelta(days=59)  # the person's expiry date, from the document
    again = await import_document(desk, document, source="Neighbouring finder")  # the same file twice: once
    assert "0 notes about our residents stored, 0 skipped." in again.text and "2 notes were stored before." in again.text
    assert await PfifNote.all().count() == before + 2
    details = await StaffActionLog.filter(action="pfif.import").values_list("detail", flat=True)
    assert "Neighbouring finder: 2 stored, 0 already stored" in details
    # the friend sees it on My page, escaped; the resident on their check-in page
    home = (await town["clients"]["friend"].get("/home")).text
    assert "Reported safe by Neighbouring finder (Sakura Person)" in home
    assert "with my family &amp; the cat &lt;3" in home
    assert "Reported safe by Neighbouring finder" in (await town["clients"]["sakura"].get("/disaster/checkin")).text


def partner_document(notes: str, persons: str = "") -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<pfif:pfif xmlns:pfif="{NS}">{persons}{notes}</pfif:pfif>'.encode()


def note(record: str, person: str, text: str = "Seen at the shelter", author: str = "Aiko Finder",
         status: str = "believed_alive") -> str:
    person_field = f"<pfif:person_record_id>{person}</pfif:person_record_id>" if person else ""
    author_field = f"<pfif:author_name>{author}</pfif:author_name>" if author else ""
    return (f"<pfif:note><pfif:note_record_id>{record}</pfif:note_record_id>{person_field}{author_field}"
            f"<pfif:source_date>2026-12-07T01:00:00Z</pfif:source_date><pfif:status>{status}</pfif:status>"
            f"<pfif:text>{text}</pfif:text></pfif:note>")


async def test_a_partners_notes_about_our_residents_are_stored_the_others_skipped(site, town):
    users, desk = town["users"], town["clients"]["desk"]
    ken = f"test.example/person.{users['ken'].id}"
    expired = ("<pfif:person><pfif:person_record_id>" + ken + "</pfif:person_record_id>"
               "<pfif:expiry_date>2020-01-01T00:00:00Z</pfif:expiry_date>"
               "<pfif:source_date>2019-12-01T00:00:00Z</pfif:source_date><pfif:full_name>Ken</pfif:full_name>"
               + note("finder.example/note.old", "") + "</pfif:person>")
    document = partner_document(
        note("finder.example/note.1", ken, text="Ken is at &lt;b&gt;Kita&lt;/b&gt; school")
        + note("finder.example/note.2", "finder.example/person.99")  # someone else's person
        + note("finder.example/note.3", "test.example/person.00000000-0000-7000-8000-000000000000")  # nobody
        + note("finder.example/note.4", ken, author="")  # no author: invalid
        + note("finder.example/note.5", ken, status="fine"),  # not a PFIF status: invalid
        persons=expired)
    assert SCHEMA.validate(etree.fromstring(document)) is False  # (the invalid ones make it so; we still read it)
    r = await import_document(desk, document, source="Finder")
    assert r.status_code == 200 and "1 note about our residents stored, 5 skipped." in r.text, r.text
    stored = await PfifNote.get(source="Finder")
    assert stored.user_id == users["ken"].id and stored.note_record_id == "finder.example/note.1"
    assert stored.event_id == town["event"].id and stored.imported_by_id == users["desk"].id
    # a note standing on its own has no expiry date of its own: the setting's, from now
    assert timedelta(days=59) < stored.expiry_date - utcnow() < timedelta(days=60, minutes=1)
    page = (await town["clients"]["ken"].get("/disaster/checkin")).text
    assert "Reported safe by Finder (Aiko Finder)" in page and "Ken is at &lt;b&gt;Kita&lt;/b&gt; school" in page


async def test_expired_notes_are_never_shown_and_the_retention_job_removes_them(site, town):
    users, clients = town["users"], town["clients"]
    sakura = f"test.example/person.{users['sakura'].id}"
    expiry = (utcnow() + timedelta(seconds=6)).replace(microsecond=0)
    soon = expiry.strftime("%Y-%m-%dT%H:%M:%SZ")
    now = utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
    person = (f"<pfif:person><pfif:person_record_id>{sakura}</pfif:person_record_id>"
              f"<pfif:expiry_date>{soon}</pfif:expiry_date><pfif:source_date>{now}</pfif:source_date>"
              f"<pfif:full_name>Sakura</pfif:full_name>"
              + note("oldfinder.example/note.1", "", text="A note about to expire").replace(
                  "2026-12-07T01:00:00Z", now) + "</pfif:person>")
    r = await import_document(clients["desk"], partner_document("", persons=person), source="Old finder")
    assert "1 note about our residents stored" in r.text
    assert "A note about to expire" in (await clients["friend"].get("/home")).text  # the newest: shown
    assert "A note about to expire" in (await clients["sakura"].get("/disaster/checkin")).text
    await asyncio.sleep((expiry - utcnow()).total_seconds() + 0.2)  # it expires: the kept My page goes too
    assert "A note about to expire" not in (await clients["friend"].get("/home")).text
    assert "Reported safe by Neighbouring finder" in (await clients["friend"].get("/home")).text  # the one before
    assert "A note about to expire" not in (await clients["sakura"].get("/disaster/checkin")).text
    counts = await retention.keep_less(site.settings)
    assert counts["pfif_notes"] == 1 and not await PfifNote.filter(note_record_id="oldfinder.example/note.1").exists()
    assert await PfifNote.filter(source="Neighbouring finder").count() == 2  # unexpired ones stay
    assert (await retention.keep_less(site.settings))["pfif_notes"] == 0  # a second round finds nothing


async def test_only_the_disaster_desk_and_administrators_exchange(site, town):
    users = town["users"]
    for name in ("friend",):
        client = town["clients"][name]
        assert (await client.get("/disaster/pfif")).status_code == 403
        assert (await client.submit("/disaster/pfif/export", {})).status_code == 403
        r = await import_document(client, partner_document(note("finder.example/note.x", "a.b/c")))
        assert r.status_code == 403
    for role in ("staff", "fire", "moderator"):
        client = await signed_in(site, await site.user(f"pfx{role}", role=role))
        assert (await client.get("/disaster/pfif")).status_code == 403, role
        assert (await client.submit("/disaster/pfif/export", {})).status_code == 403, role
    visitor = site.client()
    assert (await visitor.get("/disaster/pfif")).status_code in (302, 303)
    assert (await visitor.submit("/disaster/pfif/export", {})).status_code in (302, 303)
    admin = await signed_in(site, await site.user("pfadmin", role="admin"))
    assert (await admin.get("/disaster/pfif")).status_code == 200
    # without the CSRF field, nothing happens
    desk = town["clients"]["desk"]
    assert (await desk.post("/disaster/pfif/export", data={})).status_code == 403
    assert await StaffActionLog.filter(action="pfif.export", actor_id=users["friend"].id).count() == 0
