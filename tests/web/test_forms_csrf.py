"""Every POST form on every page carries its own, valid CSRF field.

Regression: macros imported from _partials.html without `with context` rendered
`<input name="" value="">`, so real browsers got 403 on those forms. The test
client did not notice, because it sends the first token it finds on a page (the
one in the footer's language form). Here each form is looked at on its own.
"""

from html.parser import HTMLParser

from starlette.routing import Route

from sns.services import diaries, friends, invitations, notices, tokens
from sns.services.site import load_site, update_site
from sns.web.middleware import CSRF_COOKIE, CSRF_FIELD, csrf_token_for


class PostForms(HTMLParser):
    """The POST forms of a page: their action and the values of their csrf fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.current: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self.current = {"action": a.get("action"), "tokens": [], "names": []}
            self.forms.append(self.current)
        elif tag == "input" and self.current is not None:
            self.current["names"].append(a.get("name"))
            if a.get("name") == CSRF_FIELD:
                self.current["tokens"].append(a.get("value"))

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def post_forms(html: str) -> list[dict]:
    parser = PostForms()
    parser.feed(html)
    return parser.forms


async def make_every_form_appear(site):
    """Data for every form: a diary with a comment, a notice, an invitation, a token,
    friend requests both ways, a block, and open sign-up."""
    admin = await site.user("formadmin", role="admin")
    asker, asked, blocked, stranger = [await site.user(n) for n in ("formasker", "formasked", "formblocked",
                                                                       "formstranger")]
    ctx = await site.ctx_for(admin)
    diary = await diaries.write_diary(ctx, title="Forms", body="Every one of them.", visibility="public")
    await diaries.add_comment(ctx, diary.id, "A comment with its delete button.")
    notice = await notices.post_notice(ctx, title="A notice", body="With its delete button.")
    _, link = await invitations.invite(ctx, note="for the join form", send_mail=False)
    await tokens.create_token(ctx, "a token with its revoke button")
    await friends.request_friend(await site.ctx_for(asker), admin.id)
    await friends.request_friend(ctx, asked.id)
    await friends.block(ctx, blocked.id)
    site_now = await load_site()
    await update_site(ctx, **{**site_now.__dict__, "open_signup": True})
    from sns.services import departments, inquiries, mailbox

    mail = await mailbox.start_conversation(ctx, to=f"{stranger.username} {asked.username}", subject="Forms",
                                            body="A group conversation with its reply, archive and leave forms.")
    roads = await departments.save_department(ctx, name="Roads", name_ja="道路課")
    await departments.add_staff(ctx, roads.id, admin.username)
    inquiry = await inquiries.create_inquiry(await site.ctx_for(admin), department_id=roads.id, subject="Forms",
                                             body="A thread with the staff's forms.")
    from sns.services import communities, memberships, replies, topics

    club = await communities.open_community(ctx, name="Forms club", description="", join_policy="approval")
    await communities.open_community(ctx, name="Another club", description="")  # somewhere to move topics to
    await memberships.join(await site.ctx_for(asker), club.id)  # a request, with accept and decline forms
    topic = await topics.post_topic(ctx, club.id, title="Forms topic", body="With its actions.")
    reply = await replies.add_reply(ctx, topic.id, "A reply with its forms.")
    from datetime import datetime, timedelta, timezone

    from fixtures import jpeg_with_gps
    from sns.services import albums, events, rsvps

    soon = datetime.now(timezone.utc) + timedelta(days=2)
    event = await events.post_event(ctx, title="Forms event", starts_at=soon, ends_at=soon, capacity=5)
    await rsvps.answer_event(await site.ctx_for(asker), event.id, "going")  # the organizer's list of answers
    album = await albums.create_album(ctx, title="Forms album", visibility="public")
    await albums.add_photos(ctx, album.id, [jpeg_with_gps()])  # with its caption, cover and remove forms
    from sns.services import report_lists
    from sns.services import reports as street_reports

    report_category = await report_lists.save_category(ctx, name="Pothole", department=roads.id)
    street_report = await street_reports.write_report(ctx, category=report_category.id, title="Forms report",
                                                      body="With its status and follow forms.", lat=32.5, lon=130.6)
    from sns.services import map_areas, shelters

    await shelters.import_shelters(ctx, "名称,緯度,経度\r\nForms hall,32.5,130.6\r\n".encode("cp932"), replace=False)
    shelter = (await shelters.list_shelters(ctx))[0]
    await map_areas.upload_layer(ctx, "Forms zone", "", "", b'{"type": "Point", "coordinates": [130.6, 32.5]}')
    from sns.services import alerts

    fire = await site.user("formfire", role="fire")  # administrators do not post alerts: the fire role's pages
    alert = await alerts.post_alert(await site.ctx_for(fire), kind="fire", title="Forms alert", description="",
                                    instruction="", lat=32.5, lon=130.6)  # with its status form
    from sns.services import cap_sources

    await cap_sources.add_source(ctx, url="http://127.0.0.1:9/forms.cap", label="Forms source")  # its four forms
    from sns.services import disaster, disaster_board

    await disaster.start_event(ctx, name="Forms drill", drill=True)  # ended: the archive, with a board post
    board_post = await disaster_board.write_post(ctx, body="A board post with its report form.")
    drill = await disaster.end_event(ctx)
    from sns.models import Peer

    peer = await Peer.create(origin="forms-neighbour.example", url="http://127.0.0.1:9", fingerprint="SHA256:f",
                             public_key="AAAA")  # /admin/mirror's forms and its removal's second step
    from sns.models import District

    district = await District.create(name="Forms district", origin=ctx.origin)  # /garbage/{district}
    from sns.services import appointments, counters, reminders, slots

    every_day = {day: "00:00-23:30" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    counter = await counters.save_counter(ctx, department_id=roads.id, name="Forms counter", hours=every_day,
                                          slot_minutes="30", capacity="2", book_days_ahead="14")
    days = await slots.days(ctx.settings, counter, slots.local_today(ctx.settings), 3)
    free = next(s for day in days for s in day.free)
    appointment = await appointments.book(ctx, counter.id, free.start.isoformat(), note="With its forms.")
    document = await reminders.add_document(ctx, kind="passport", expires_on="2031-04-01", email=True, push=False)
    return {
        "district": district.id, "counter": counter.id, "appointment": appointment.id, "document": document.id,
        "peer": peer.origin, "origin": peer.origin,  # /mirror/{origin}/...: the neighbour added above
        "alert": alert.id, "disaster_post": board_post.id, "disaster_event": drill.id,
        "event": event.id, "album": album.id,
        "street_report": street_report.id, "shelter": shelter.id,
        "id": diary.id, "notice": notice.id, "token": link.rsplit("/", 1)[1], "username": stranger.username,
        "conversation": mail.conversation_id, "inquiry": inquiry.id,
        "community": club.id, "topic": topic.id, "reply": reply.id,
    }


# Pages whose forms only a visitor sees (a signed-in resident is sent on to /home).
VISITOR_PAGES = {"/", "/login", "/signup", "/join/{token}"}
# Pages whose forms only the fire department and the disaster desk see.
FIRE_PAGES = {"/alerts/new", "/alerts/{id}"}
# Not HTML pages.
SKIP = {"/feeds/", "/photos/", "/static", "/admin/words.txt", "/events/{id}.ics", "/calendar/town.ics",
        "/calendar/feed/", "/map/features.json", "/alerts/banner",  # the banner alone, for static/live.js
        "/live",  # the Server-Sent Events stream (tests/web/test_live_events.py)
        "/city/dashboard/{name}",  # the dashboard's charts (SVG) and tables (CSV)
        "/appointments/{id}.ics",  # a calendar file
        "/appointments/{id}/move",  # needs ?start= too
        "/counters/{id}/book",  # needs ?start= (a free time): tests/web/test_appointments.py books through it
        "/notifications/",  # /notifications/{id} marks one read and redirects to it
        "/mirror/v1/",  # the mirroring protocol (JSON)
        "/.well-known/", "/nodeinfo/", "/ap/",  # the fediverse's discovery and actors (JSON: tests/web/test_fediverse_*)
        "/open311/v2/",  # Open311 GeoReport v2 (JSON and XML; tests/web/test_open311.py)
        "/healthz", "/readyz", "/metrics",  # for the load balancer and the monitoring (tests/web/test_ops.py)
        # only after a right password, and for one's own factor (tests/web/test_second_factor.py posts them)
        "/login/second-factor", "/settings/security/factors/",
        "/settings/data/exports/"}  # a ZIP archive (tests/web/test_data_export.py)
PARAMS = {"/notices/{id}": "notice", "/mail/{id}": "conversation", "/city/{id}": "inquiry",
          **{f"/communities/{{id}}{rest}": "community" for rest in ("", "/edit", "/members", "/topics/new")},
          "/events/{id}": "event", "/events/{id}/edit": "event", "/albums/{id}": "album", "/albums/{id}/edit": "album",
          "/topics/{id}": "topic", "/topics/{id}/edit": "topic", "/replies/{id}/edit": "reply",
          "/reports/{id}": "street_report", "/reports/{id}/edit": "street_report",
          "/admin/shelters/{id}": "shelter", "/alerts/{id}": "alert",
          "/disaster/board/{id}": "disaster_post", "/disaster/archive/{id}": "disaster_event",
          "/admin/mirror/{origin}/remove": "peer",
          **{path: "counter" for path in ("/counters/{id}", "/city/counters/{id}/day",
                                          "/admin/counters/{id}")},
          "/appointments/{id}": "appointment",
          "/settings/reminders/documents/{id}": "document"}


def page_paths(app, values: dict) -> list[str]:
    paths = []
    for route in app.routes:
        if not isinstance(route, Route) or "GET" not in (route.methods or ()) or route.path.startswith("/api/"):
            continue
        if route.path.startswith(tuple(SKIP)):
            continue
        if route.path.startswith("/mirror/{origin}") and "/staff" not in route.path:
            continue  # a neighbour's pages, read-only: no forms (tests/web/test_mirror_pages.py)
        path = route.path
        for name in route.param_convertors:
            key = PARAMS.get(route.path, name)
            assert key in values, f"no value for {{{name}}} in {route.path}: add one to make_every_form_appear"
            path = path.replace("{" + name + "}", values[key])
        paths.append((route.path, path))
    return paths


async def test_every_post_form_has_its_own_valid_csrf_field(site):
    values = await make_every_form_appear(site)
    admin, visitor, fire = site.client(), site.client(), site.client()
    await admin.login("formadmin")
    await fire.login("formfire")
    checked, actions = [], set()
    for template, path in page_paths(site.app, values):
        client = visitor if template in VISITOR_PAGES else fire if template in FIRE_PAGES else admin
        response = await client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        expected = csrf_token_for(site.app.state.secret, client.cookies.get(CSRF_COOKIE))
        forms = post_forms(response.text)
        assert forms, f"{path}: no POST form at all (the footer has one)"
        for form in forms:
            assert form["tokens"] == [expected], (path, form)
            actions.add(form["action"].split("?")[0])
        checked.append(path)
    # The pages were really the ones with many forms.
    for action in ("/login", "/logout", "/settings/language", "/diaries/new", f"/diaries/{values['id']}/comments",
                   f"/diaries/{values['id']}/delete", "/friends/accept", "/friends/decline", "/friends/unblock",
                   "/friends/remove", "/friends/request", "/friends/block", "/admin/invitations", "/admin/site",
                   "/settings/tokens", "/settings/tokens/revoke", "/settings/profile", "/settings/password",
                   "/signup", f"/join/{values['token']}", "/notices/new", f"/notices/{values['notice']}/delete",
                   "/password/forgot", "/admin/words", "/mail/new", "/settings/mail", "/city/new",
                   f"/mail/{values['conversation']}/reply", f"/mail/{values['conversation']}/leave",
                   f"/city/{values['inquiry']}/reply", f"/city/{values['inquiry']}/status",
                   f"/city/{values['inquiry']}/assign", "/admin/departments", "/alerts/new",
                   f"/alerts/{values['alert']}/status", "/disaster/start", "/admin/mirror",
                   f"/admin/mirror/{values['peer']}/remove", f"/admin/mirror/{values['peer']}/sync"):
        assert action in actions, f"no page showed a form posting to {action}"
    assert any(a.startswith("/comments/") for a in actions) and any(a.startswith("/admin/users/") for a in actions)
    assert len(checked) >= 20, checked


async def test_a_form_without_its_field_is_refused(site):
    """The other side of it: each form's own field is what the server checks."""
    await site.user("formposter")
    client = site.client()
    await client.login("formposter")
    page = await client.get("/diaries/new")
    form = next(f for f in post_forms(page.text) if f["action"] == "/diaries/new")
    data = {"title": "Own token", "body": "Posted with the form's own field.", "visibility": "members"}
    refused = await client.post("/diaries/new", data={**data, CSRF_FIELD: ""})
    assert refused.status_code == 403
    accepted = await client.post("/diaries/new", data={**data, CSRF_FIELD: form["tokens"][0]})
    assert accepted.status_code == 303
