"""Disaster mode: only the disaster desk and administrators switch it; every page shows its banner; `/` becomes
a light text page; residents post damage reports (held by the word filter, photos without EXIF) and check in;
a friend and the staff see a check-in, a stranger and a visitor never do; the staff count per district; every
switch is logged; ending the event archives it."""

import io

import pytest
from PIL import Image

from fixtures import jpeg_with_gps, make_site
from sns.models import DisasterEvent, DisasterPost, District, SafetyCheckin, StaffActionLog, User
from sns.services import friends, shelters
from sns.web.middleware import CSRF_COOKIE, csrf_token_for
from test_forms_csrf import post_forms
from test_query_counts import count_queries

BAD = "What a fucking mess at the station"


@pytest.fixture
async def site(tmp_path_factory):
    """A fresh site per test: the mode is the same for every page."""
    async with make_site(tmp_path_factory.mktemp("disaster")) as s:
        yield s


async def client_for(site, name, role="resident", district=None):
    user = await site.user(name, role=role, display_name=name.title())
    if district is not None:
        await User.filter(id=user.id).update(district_id=district.id)
    client = site.client()
    await client.login(name)
    return client


async def befriend(site, a, b):
    ua, ub = await User.get(username=a), await User.get(username=b)
    await friends.request_friend(await site.ctx_for(ua), ub.id)
    await friends.accept(await site.ctx_for(ub), ua.id)


async def start(client, name="Heavy rain", drill=False):
    data = {"name": name, "kind": "flood"}
    if drill:
        data["drill"] = "1"
    return await client.submit("/disaster/start", data)


async def test_only_the_disaster_desk_and_admins_switch(site):
    visitor = site.client()
    for role in ("resident", "staff", "moderator", "fire"):
        other = await client_for(site, f"sw{role}", role)
        page = await other.get("/disaster")
        assert page.status_code == 200 and 'action="/disaster/start"' not in page.text, role
        assert (await start(other)).status_code == 403, role
        assert (await other.submit("/disaster/end", {})).status_code == 403, role
    assert (await visitor.get("/disaster")).status_code == 200
    assert (await start(visitor)).status_code in (302, 303)
    assert await DisasterEvent.all().count() == 0
    desk = await client_for(site, "desk", "disaster")
    admin = await client_for(site, "swadmin", "admin")
    assert 'action="/disaster/start"' in (await desk.get("/disaster")).text
    # bad input: no name, keeps what was typed
    r = await desk.submit("/disaster/start", {"name": "  ", "kind": "flood"})
    assert r.status_code == 400 and "Please fill in this field." in r.text
    r = await start(desk, drill=True)
    assert r.status_code == 303 and "The drill has started" in (await desk.get(r.headers["location"])).text
    assert (await start(desk, drill=True)).status_code == 303  # a double submit starts it once
    assert await DisasterEvent.all().count() == 1
    r = await start(admin, "Another one")
    assert r.status_code == 409 and "already on for “Heavy rain”" in r.text
    r = await admin.submit("/disaster/end", {})
    assert r.status_code == 303
    event = await DisasterEvent.get()
    assert event.ended_at is not None and event.live is None
    assert r.headers["location"] == f"/disaster/archive/{event.id}"
    assert (await admin.submit("/disaster/end", {})).status_code == 409
    log = await StaffActionLog.filter(target_kind="disaster").order_by("created_at").values_list("action", "actor_id")
    assert [a for a, _ in log] == ["disaster.drill_start", "disaster.drill_end"]
    assert [who for _, who in log] == [(await User.get(username="desk")).id, (await User.get(username="swadmin")).id]


async def test_banner_everywhere_light_front_page_and_drill_marks(site):
    desk = await client_for(site, "desk2", "disaster")
    visitor = site.client()
    admin_ctx = await site.ctx_for(await site.user("shadmin", role="admin"))
    csv = "名称,緯度,経度\r\nCity hall,32.5,130.6\r\nNorth school,32.51,130.61\r\n"
    await shelters.import_shelters(admin_ctx, csv.encode("cp932"), replace=False)
    school = next(s for s in await shelters.list_shelters(admin_ctx) if s.name == "North school")
    await shelters.set_shelter_status(admin_ctx, school.id, "open")
    quiet = len(await warm(visitor, "/shelters"))
    assert 'class="disaster-banner' not in (await visitor.get("/diaries")).text
    await start(desk, "Typhoon No. 10 drill", drill=True)
    assert len(await warm(visitor, "/shelters")) == quiet  # on a warm cache the banner costs no query
    for path in ("/diaries", "/shelters", "/alerts", "/disaster/board"):
        page = await visitor.get(path)
        assert 'class="disaster-banner drill"' in page.text and "Typhoon No. 10 drill" in page.text, path
        assert "[Exercise]" in page.text and 'href="/disaster/checkin"' in page.text, path
    ja = await visitor.get("/diaries", headers={"Accept-Language": "ja"})
    assert "訓練" in ja.text and "災害モード" in ja.text
    front = await visitor.get("/")
    assert front.status_code == 200
    for link in ("/disaster/checkin", "/disaster/board", "/shelters", "/alerts"):
        assert f'href="{link}"' in front.text
    assert "<script" not in front.text and "<img" not in front.text and "leaflet" not in front.text.lower()
    assert "[Exercise]" in front.text and "City hall" not in front.text  # closed shelters are not listed
    assert "North school: Open" in front.text
    assert len(front.content) < 6000, len(front.content)
    queries = await warm(visitor, "/")
    assert len(queries) == 0, queries  # the light page is all shared: no query when warm
    # a signed-in resident is shown the light page too (My page is one tap away)
    rita = await client_for(site, "rita2")
    assert 'href="/home"' in (await rita.get("/")).text
    await desk.submit("/disaster/end", {})
    assert 'class="disaster-banner' not in (await visitor.get("/diaries")).text
    assert "/disaster/checkin" not in (await visitor.get("/")).text


async def warm(client, path):
    assert (await client.get(path)).status_code == 200
    with count_queries() as seen:
        assert (await client.get(path)).status_code == 200
    return seen


async def test_board_posts_held_photos_stripped_and_bad_input(site):
    desk = await client_for(site, "desk3", "disaster")
    rita, nosy, visitor = await client_for(site, "rita3"), await client_for(site, "nosy3"), site.client()
    r = await rita.submit("/disaster/board", {"body": "The bridge is flooded."})
    assert r.status_code == 409 and "Disaster mode is not on" in r.text and "The bridge is flooded." in r.text
    await start(desk, "River flood")
    form = {"body": "The Station Street bridge is under water.", "place": "Station Street bridge",
            "lat": "32.5071", "lon": "130.6012", "client_token": "board-1"}
    r = await rita.submit("/disaster/board", form, files={"photos": ("p.jpg", jpeg_with_gps(), "image/jpeg")})
    assert r.status_code == 303, r.text
    post = await DisasterPost.get()
    assert r.headers["location"] == f"/disaster/board/{post.id}" and (post.lat, post.lon) == (32.5071, 130.6012)
    assert (await rita.submit("/disaster/board", form)).status_code == 303  # a double submit posts once
    assert await DisasterPost.all().count() == 1
    page = await visitor.get(f"/disaster/board/{post.id}")
    assert page.status_code == 200 and "under water" in page.text and "Rita3" not in page.text
    photo_id = page.text.split("/photos/")[1].split(".")[0]
    img = await visitor.get(f"/photos/{photo_id}.jpg")
    assert img.status_code == 200 and b"SpyCam" not in img.content
    assert Image.open(io.BytesIO(img.content)).getexif().get(0x8825) is None
    listing = await visitor.get("/disaster/board")
    assert "under water" in listing.text and "Report damage" not in listing.text  # visitors read, not post
    assert "under water" in (await visitor.get("/")).text  # newest posts on the light page
    # the word filter holds a post: only its author sees it
    r = await rita.submit("/disaster/board", {"body": BAD})
    held = await DisasterPost.get(body=BAD)
    assert held.state == "held" and "waits for a moderator" in (await rita.get(r.headers["location"])).text
    for who in (nosy, visitor):
        assert (await who.get(f"/disaster/board/{held.id}")).status_code == 404
        assert BAD not in (await who.get("/disaster/board")).text
    # bad input comes back with everything typed
    r = await rita.submit("/disaster/board", {"body": "", "place": "Kept place"})
    assert r.status_code == 400 and "Please fill in this field." in r.text and 'value="Kept place"' in r.text
    r = await rita.submit("/disaster/board", {"body": "Kept text", "lat": "132.5", "lon": "130.6"})
    assert r.status_code == 400 and "Latitude must be between" in r.text and "Kept text" in r.text
    r = await rita.submit("/disaster/board", {"body": "x" * 2001})
    assert r.status_code == 400 and "too long" in r.text
    # the board pages: 50 posts a page, newest first, then "Older"
    from sns.models import DisasterEvent as Event
    running = await Event.get(live="on")
    rita_user = await User.get(username="rita3")
    await DisasterPost.bulk_create([DisasterPost(event_id=running.id, author_id=rita_user.id, body=f"Bulk {n:02d}",
                                                 origin=site.settings.origin) for n in range(60)])
    first = await visitor.get("/disaster/board")
    assert "Bulk 59" in first.text and "Bulk 10" in first.text and "Bulk 09" not in first.text
    older = first.text.split('href="/disaster/board?before=')[1].split('"')[0]
    second = await visitor.get(f"/disaster/board?before={older}")
    assert "Bulk 09" in second.text and "Bulk 10" not in second.text and "under water" in second.text
    # reportable
    r = await nosy.submit(f"/disaster/board/{post.id}/report", {"reason": "Not true"})
    assert r.status_code == 303


async def test_checkins_friends_and_staff_only_counts_per_district(site):
    ctx = site.ctx()
    north = await District.create(name="North", position=1, origin=ctx.origin)
    south = await District.create(name="South", position=2, origin=ctx.origin)
    desk = await client_for(site, "desk4", "disaster")
    rita = await client_for(site, "rita4", district=north)
    fred = await client_for(site, "fred4", district=north)
    sam = await client_for(site, "sam4", district=south)
    stranger = await client_for(site, "stranger4", district=south)
    staff = await client_for(site, "clerk4", "staff")
    moderator = await client_for(site, "mod4", "moderator")
    visitor = site.client()
    await befriend(site, "rita4", "fred4")
    r = await rita.submit("/disaster/checkin", {"status": "safe", "message": "Kept message"})
    assert r.status_code == 409 and "nothing to check in to" in r.text
    await start(desk, "Earthquake")
    # bad input
    r = await rita.submit("/disaster/checkin", {"status": "maybe", "message": "Kept message"})
    assert r.status_code == 400 and "Choose" in r.text and "Kept message" in r.text
    r = await rita.submit("/disaster/checkin", {"status": "safe", "message": "m" * 1001})
    assert r.status_code == 400 and "too long" in r.text
    r = await rita.submit("/disaster/checkin", {"status": "safe", "message": "Kept", "lat": "x", "lon": "1"})
    assert r.status_code == 400 and "must be numbers" in r.text and "Kept" in r.text
    # checking in: the newest counts; a double submit checks in once
    form = {"status": "need_help", "message": "Water on the ground floor", "place": "Home", "client_token": "c-1"}
    assert (await rita.submit("/disaster/checkin", form)).status_code == 303
    assert (await rita.submit("/disaster/checkin", form)).status_code == 303
    assert await SafetyCheckin.all().count() == 1
    r = await rita.submit("/disaster/checkin", {"status": "safe", "message": "At the shelter with my family",
                                                "client_token": "c-2"})
    assert r.status_code == 303
    assert "Safe" in (await rita.get("/disaster/checkin")).text
    await sam.submit("/disaster/checkin", {"status": "need_help", "message": "Trapped upstairs", "place": "Sam's house",
                                           "lat": "32.51", "lon": "130.61"})
    # a friend sees it on My page; a stranger, a moderator and a visitor never do
    home = await fred.get("/home")
    assert "At the shelter with my family" in home.text and "Rita4" in home.text
    for who in (stranger, moderator):
        for path in ("/home", "/", "/disaster", "/disaster/board", "/people/rita4", "/search?q=shelter"):
            page = await who.get(path)
            assert "At the shelter with my family" not in page.text, path
        assert (await who.get("/disaster/staff")).status_code == 403
    for path in ("/", "/disaster", "/disaster/board", "/people/rita4"):
        assert "At the shelter with my family" not in (await visitor.get(path)).text
    assert (await visitor.get("/disaster/staff")).status_code in (302, 303)
    # the staff: counts per district and who needs help
    for who in (staff, desk):
        page = await who.get("/disaster/staff")
        assert page.status_code == 200 and "Trapped upstairs" in page.text and "Sam&#39;s house" in page.text
        assert "At the shelter" not in page.text  # Rita is safe now
    counts = (await staff.get("/disaster/staff")).text
    north_row = counts.split('<th scope="row">North</th>')[1].split("</tr>")[0]
    south_row = counts.split('<th scope="row">South</th>')[1].split("</tr>")[0]
    assert north_row.count("<td>") == 3 and "<td>1</td><td>0</td><td>1</td>" in north_row
    assert "<td>0</td><td>1</td><td>1</td>" in south_row
    # ending it archives the event: residents see the board, staff the counts too
    end = await desk.submit("/disaster/end", {})
    archived = await staff.get(end.headers["location"])
    assert archived.status_code == 200 and "Check-ins per district" in archived.text
    resident_view = await stranger.get(end.headers["location"])
    assert resident_view.status_code == 200 and "Check-ins per district" not in resident_view.text
    assert "Earthquake" in (await visitor.get("/disaster/archive")).text
    assert "At the shelter" not in (await fred.get("/home")).text  # over: My page is back to normal


async def test_the_forms_of_disaster_mode_carry_their_own_csrf_field(site):
    desk = await client_for(site, "desk5", "disaster")
    await start(desk, "Forms flood")
    expected = csrf_token_for(site.app.state.secret, desk.cookies.get(CSRF_COOKIE))
    actions = set()
    for path in ("/", "/disaster", "/disaster/checkin", "/disaster/board", "/home"):
        page = await desk.get(path)
        assert page.status_code == 200, path
        for form in post_forms(page.text):
            assert form["tokens"] == [expected], (path, form)
            actions.add(form["action"])
    assert {"/disaster/end", "/disaster/checkin", "/disaster/board", "/settings/language"} <= actions
