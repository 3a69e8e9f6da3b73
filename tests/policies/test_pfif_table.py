"""The PFIF table (docs/pfif.md): viewer kind x action, for the rules and every surface that applies them.

- Only the disaster desk and administrators export check-ins or import a partner's notes, while disaster
  mode is on.
- An export holds exactly the current check-ins of active residents who agreed on that very check-in:
  nothing of a resident who did not, nor of one who agreed earlier and not on their current check-in, nor
  of a suspended account; a message the word filter would hold never leaves.
- A partner's note about a resident is seen where the resident's check-in is (the resident, their friends,
  the staff who organise help) and nowhere else: not by a stranger, a moderator or a visitor, on no page or
  API answer; an expired note by nobody. The query scope equals the predicate for every viewer.
"""

from datetime import timedelta

import pytest
from lxml import etree

from sns.models import PfifNote, SafetyCheckin, User
from sns.models.base import utcnow
from sns.policies import ANONYMOUS, load_viewer
from sns.policies.pfif import can_exchange_pfif, can_view_pfif_note, is_shareable_checkin, pfif_note_scope
from sns.services import disaster, friends, pfif_export, safety
from sns.services.pfif_format import NS

ROLES = ("resident", "staff", "moderator", "fire", "disaster", "admin")
VIEWERS = ("visitor", "self", "friend", *ROLES)  # "resident": a stranger to the one the note is about
ALLOWED = {
    "exchange": {"disaster", "admin"},
    "view_note": {"self", "friend", "staff", "fire", "disaster", "admin"},
}
NOTE_TEXT = "Seen safe at Minami gym, qx8"
EXPIRED_TEXT = "An old note, zv3"
# who checks in how: (agreed on the current check-in, message, an earlier check-in they agreed on)
SHARERS = {
    "agrees": (True, "Fine at home, kp2", None),
    "declines": (False, "Do not share me, jw5", None),
    "withdrew": (False, "Changed my mind, hb4", "Shared once, rt6"),
    "filtered": (True, "What a fucking mess at the station", None),
    "suspended": (True, "Suspended one, mm1", None),
}


@pytest.fixture(scope="module")
async def town(site):
    users = {role: await site.user(f"pftab{role}", role=role) for role in ROLES}
    users["self"] = await site.user("pftabself", display_name="Self Person")
    users["friend"] = await site.user("pftabfriend")
    await friends.request_friend(await site.ctx_for(users["self"]), users["friend"].id)
    await friends.accept(await site.ctx_for(users["friend"]), users["self"].id)
    event = await disaster.start_event(await site.ctx_for(users["disaster"]), name="Table flood", drill=True)
    await safety.check_in(await site.ctx_for(users["self"]), status="need_help", message="Roof, please come")
    sharers = {}
    for name, (agrees, message, earlier) in SHARERS.items():
        sharers[name] = await site.user(f"pftab{name}", display_name=f"Sharer {name}")
        ctx = await site.ctx_for(sharers[name])
        if earlier:
            await safety.check_in(ctx, status="safe", message=earlier, share_pfif=True)
        await safety.check_in(ctx, status="need_help" if name == "filtered" else "safe", message=message,
                              share_pfif=agrees)
    await User.filter(id=sharers["suspended"].id).update(state="suspended")
    now = utcnow()
    about = users["self"]
    note = await PfifNote.create(note_record_id="partner.example/note.1", person_record_id="x", user_id=about.id,
                                 event_id=event.id, source="Partner", author_name="Aiko", status="believed_alive",
                                 text=NOTE_TEXT, source_date=now, expiry_date=now + timedelta(days=1))
    expired = await PfifNote.create(note_record_id="partner.example/note.2", person_record_id="x", user_id=about.id,
                                    source="Partner", author_name="Aiko", status="believed_alive",
                                    text=EXPIRED_TEXT, source_date=now + timedelta(minutes=1),
                                    expiry_date=now - timedelta(minutes=1))
    stranger_note = await PfifNote.create(note_record_id="partner.example/note.3", person_record_id="y",
                                          user_id=users["resident"].id, source="Partner", author_name="Aiko",
                                          text="About the stranger", source_date=now,
                                          expiry_date=now + timedelta(days=1))
    pages, api = await site.clients_of(users)
    return {"users": users, "sharers": sharers, "event": event, "notes": [note, expired, stranger_note],
            "pages": pages, "api": api}


async def viewer_of(town, who):
    return ANONYMOUS if who == "visitor" else await load_viewer(await User.get(id=town["users"][who].id))


@pytest.mark.parametrize("who", VIEWERS)
async def test_rules(town, who):
    v = await viewer_of(town, who)
    note, expired, _ = town["notes"]
    now = utcnow()
    got = {"exchange": can_exchange_pfif(v, town["event"]), "view_note": can_view_pfif_note(v, note, now)}
    assert got == {action: who in allowed for action, allowed in ALLOWED.items()}
    assert not can_view_pfif_note(v, expired, now)
    assert not can_exchange_pfif(v, None)  # never outside disaster mode


@pytest.mark.parametrize("who", VIEWERS)
async def test_the_scope_is_the_predicate(town, who):
    v = await viewer_of(town, who)
    now = utcnow()
    listed = set(await PfifNote.filter(pfif_note_scope(v, now)).values_list("id", flat=True))
    allowed = {n.id for n in await PfifNote.all() if can_view_pfif_note(v, n, now)}
    assert listed == allowed
    assert town["notes"][1].id not in listed  # expired


@pytest.mark.parametrize("who", VIEWERS)
async def test_pages(town, who):
    page = town["pages"][who]
    seen = []
    for path in ("/", "/home", "/disaster", "/disaster/checkin", "/disaster/staff", "/disaster/pfif",
                 "/people/pftabself", "/search?q=Minami", "/notifications", "/admin/audit"):
        r = await page.get(path)
        assert EXPIRED_TEXT not in r.text, path
        if NOTE_TEXT in r.text:
            seen.append(path)
    assert bool(seen) == (who in ALLOWED["view_note"]), seen
    expected = {"self": ["/disaster/checkin"], "friend": ["/home"]}.get(who, ["/disaster/staff"])
    if who in ALLOWED["view_note"]:
        assert seen == expected  # where the check-in is seen
    pfif_page = await page.get("/disaster/pfif")
    assert pfif_page.status_code == (200 if who in ALLOWED["exchange"] else 303 if who == "visitor" else 403)
    if who != "visitor":
        assert pfif_page.headers["cache-control"] == "private, no-store"


@pytest.mark.parametrize("who", VIEWERS)
async def test_api(town, who):
    r = await town["api"][who].get("/api/v1/disaster/checkins")
    assert NOTE_TEXT not in r.text and EXPIRED_TEXT not in r.text  # the API shows no partner's note


async def test_what_an_export_holds(site, town):
    event, sharers = town["event"], town["sharers"]
    for name, user in sharers.items():
        fresh = await User.get(id=user.id)
        current = await SafetyCheckin.get(user_id=user.id, current=True)
        assert is_shareable_checkin(current, event, fresh) == (name in ("agrees", "filtered")), name
    ctx = await site.ctx_for(town["users"]["disaster"])
    rows = await pfif_export.shareable_checkins(ctx, event)
    assert {c.user_id for c in rows} == {sharers["agrees"].id, sharers["filtered"].id}
    body = (await pfif_export.export_checkins(ctx)).body.decode()
    names = {el.text for el in etree.fromstring(body.encode()).iter(f"{{{NS}}}full_name")}
    assert names == {"Sharer agrees", "Sharer filtered"}
    assert "Fine at home, kp2" in body
    for never in ("jw5", "hb4", "rt6", "mm1", "fucking", "Roof, please come", "Self Person"):
        assert never not in body, never
