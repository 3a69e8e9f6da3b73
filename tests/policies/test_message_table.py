"""The mail and city table: viewer x surface, for a conversation and for a department thread.

Viewers: the writer, a participant (the recipient), a resident outside the conversation, someone the
writer blocked, a moderator, an administrator, the department's staff, another department's staff,
and a visitor. Surfaces: the page, the lists (inbox, city pages, staff inbox, news), and the API
(detail and lists). Only participants read a conversation; only the resident and that department's
staff (administrators act as staff everywhere) read a thread.
"""

import httpx
import pytest

from sns.services import departments, friends, inquiries, mailbox
from sns.services.tokens import create_token

VIEWERS = ("owner", "participant", "stranger", "blocked", "moderator", "admin", "staff", "other_staff", "visitor")
MAIL_ALLOWED = {"owner", "participant"}
CITY_ALLOWED = {"owner", "staff", "admin"}
SUBJECT = "tabular-subject-7"
BODY = "tabular-body-words"
CITY_SUBJECT = "tabular-inquiry-9"
CITY_BODY = "tabular-inquiry-words"


@pytest.fixture(scope="module")
async def town(site):
    owner = await site.user("tabowner")
    people = {
        "owner": owner,
        "participant": await site.user("tabpart"),
        "stranger": await site.user("tabstranger"),
        "blocked": await site.user("tabblocked"),
        "moderator": await site.user("tabmod", role="moderator"),
        "admin": await site.user("tabadmin", role="admin"),
        "staff": await site.user("tabroads", role="staff"),
        "other_staff": await site.user("tabwelfare", role="staff"),
    }
    admin_ctx = await site.ctx_for(people["admin"])
    roads = await departments.save_department(admin_ctx, name="Roads")
    welfare = await departments.save_department(admin_ctx, name="Welfare")
    await departments.add_staff(admin_ctx, roads.id, "tabroads")
    await departments.add_staff(admin_ctx, welfare.id, "tabwelfare")
    octx = await site.ctx_for(owner)
    await friends.block(octx, people["blocked"].id)
    octx = await site.ctx_for(owner)
    message = await mailbox.start_conversation(octx, to="tabpart", subject=SUBJECT, body=BODY)
    inquiry = await inquiries.create_inquiry(octx, department_id=roads.id, subject=CITY_SUBJECT, body=CITY_BODY)
    clients, api = {"visitor": site.client()}, {"visitor": api_client(site, None)}
    for kind, user in people.items():
        clients[kind] = site.client()
        await clients[kind].login(user.username)
        api[kind] = api_client(site, (await create_token(await site.ctx_for(user), "table"))[1])
    return {"conversation": message.conversation_id, "inquiry": inquiry.id, "clients": clients, "api": api}


def api_client(site, token):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=site.app), base_url="http://test.example",
                             headers=headers)


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_conversation_page(town, viewer):
    r = await town["clients"][viewer].get(f"/mail/{town['conversation']}")
    allowed = viewer in MAIL_ALLOWED
    expected = 200 if allowed else (303 if viewer == "visitor" else 404)
    assert r.status_code == expected
    assert (BODY in r.text) == allowed and (SUBJECT in r.text) == allowed


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_conversation_lists(town, viewer):
    client = town["clients"][viewer]
    allowed = viewer in MAIL_ALLOWED
    shown = ""
    for path in ("/mail", "/mail/sent", "/mail?archived=1", "/notifications", "/home", "/city", "/city/inbox"):
        shown += (await client.get(path)).text
    assert (SUBJECT in shown) == allowed
    assert BODY not in shown or viewer == "owner"  # the writer's own sent list shows the start of it


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_conversation_api(town, viewer):
    api = town["api"][viewer]
    allowed = viewer in MAIL_ALLOWED
    r = await api.get(f"/api/v1/conversations/{town['conversation']}")
    assert r.status_code == (200 if allowed else (401 if viewer == "visitor" else 404))
    assert (BODY in r.text) == allowed
    listed = await api.get("/api/v1/conversations")
    assert (town["conversation"] in listed.text) == allowed
    r = await api.post(f"/api/v1/conversations/{town['conversation']}/messages", json={"body": "intruding?"})
    if not allowed:
        assert r.status_code in (401, 404)


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_inquiry_page(town, viewer):
    r = await town["clients"][viewer].get(f"/city/{town['inquiry']}")
    allowed = viewer in CITY_ALLOWED
    expected = 200 if allowed else (303 if viewer == "visitor" else 404)
    assert r.status_code == expected
    assert (CITY_BODY in r.text) == allowed and (CITY_SUBJECT in r.text) == allowed
    staff_tools = f"/city/{town['inquiry']}/status" in r.text
    assert staff_tools == (viewer in {"staff", "admin"})


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_inquiry_lists(town, viewer):
    client = town["clients"][viewer]
    shown = ""
    for path in ("/city", "/city/inbox", "/notifications", "/home", "/mail"):
        shown += (await client.get(path)).text
    assert (CITY_SUBJECT in shown) == (viewer in CITY_ALLOWED)
    assert CITY_BODY not in shown


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_inquiry_api(town, viewer):
    api = town["api"][viewer]
    allowed = viewer in CITY_ALLOWED
    r = await api.get(f"/api/v1/inquiries/{town['inquiry']}")
    assert r.status_code == (200 if allowed else (401 if viewer == "visitor" else 404))
    assert (CITY_BODY in r.text) == allowed
    shown = (await api.get("/api/v1/inquiries")).text + (await api.get("/api/v1/city/inbox")).text
    assert (town["inquiry"] in shown) == allowed
    r = await api.post(f"/api/v1/inquiries/{town['inquiry']}/status", json={"status": "in_progress"})
    assert (r.status_code == 200) == (viewer in {"staff", "admin"})
