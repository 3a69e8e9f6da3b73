"""The visibility table: viewer x visibility x surface. Nothing leaks anywhere.

Viewers: anonymous, resident (a stranger), friend, blocked (the author blocked
them), moderator, admin. Surfaces: the diary page, the diary list, the
author's profile, My page, the Atom feeds, and the JSON API (detail, comments, lists).
"""

import httpx
import pytest

from sns.services import friends
from sns.services.diaries import add_comment, write_diary
from sns.services.tokens import create_token

VISIBILITIES = ("public", "members", "friends", "private")
VIEWERS = ("anonymous", "resident", "friend", "blocked", "moderator", "admin")

# Who may read an entry of each visibility (the author always may).
ALLOWED = {
    "public": {"anonymous", "resident", "friend", "moderator", "admin"},
    "members": {"resident", "friend", "moderator", "admin"},
    "friends": {"friend"},
    "private": set(),
}


@pytest.fixture(scope="module")
async def town(site):
    owner = await site.user("owner")
    people = {
        "resident": await site.user("stranger"),
        "friend": await site.user("pal"),
        "blocked": await site.user("pest"),
        "moderator": await site.user("mod", role="moderator"),
        "admin": await site.user("boss", role="admin"),
    }
    await friends.request_friend(await site.ctx_for(owner), people["friend"].id)
    await friends.accept(await site.ctx_for(people["friend"]), owner.id)
    await friends.block(await site.ctx_for(owner), people["blocked"].id)
    entries = {}
    octx = await site.ctx_for(owner)
    for vis in VISIBILITIES:
        diary = await write_diary(octx, title=f"entry-{vis}-title", body=f"secret body of {vis}", visibility=vis)
        entries[vis] = diary
    # a comment by the friend on every entry they can see, with a recognisable text
    fctx = await site.ctx_for(people["friend"])
    for vis in ("public", "members", "friends"):
        await add_comment(fctx, entries[vis].id, f"comment-on-{vis}")
    clients = {"anonymous": site.client()}
    for kind, user in people.items():
        clients[kind] = site.client()
        await clients[kind].login(user.username)
    owner_client = site.client()
    await owner_client.login("owner")
    api = {"anonymous": api_client(site, None)}
    for kind, user in {**people, "owner": owner}.items():
        api[kind] = api_client(site, (await create_token(await site.ctx_for(user), "table"))[1])
    return {"entries": entries, "clients": clients, "owner": owner_client, "people": people, "api": api}


def api_client(site, token: str | None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=site.app), base_url="http://test.example",
                             headers=headers)


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("vis", VISIBILITIES)
async def test_diary_page(town, viewer, vis):
    diary = town["entries"][vis]
    r = await town["clients"][viewer].get(f"/diaries/{diary.id}")
    allowed = viewer in ALLOWED[vis]
    assert r.status_code == (200 if allowed else 404)
    assert (f"secret body of {vis}" in r.text) == allowed
    assert (f"comment-on-{vis}" in r.text) == (allowed and vis != "private")


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_lists_show_exactly_what_pages_allow(town, viewer):
    client = town["clients"][viewer]
    town_list = (await client.get("/diaries")).text
    profile = await client.get("/people/owner")
    for vis in VISIBILITIES:
        allowed = viewer in ALLOWED[vis]
        assert (f"entry-{vis}-title" in town_list) == allowed, (viewer, vis)
        if viewer == "blocked":
            assert profile.status_code == 404
        else:
            assert (f"entry-{vis}-title" in profile.text) == allowed, (viewer, vis)


@pytest.mark.parametrize("viewer", [v for v in VIEWERS if v != "anonymous"])
async def test_my_page_never_leaks(town, viewer):
    home = (await town["clients"][viewer].get("/home")).text
    for vis in VISIBILITIES:
        shown = f"entry-{vis}-title" in home
        if shown:
            assert viewer in ALLOWED[vis], (viewer, vis)
    # the friend sees the friends-only entry among friends' diaries; strangers see only public ones
    assert ("entry-friends-title" in home) == (viewer == "friend")
    assert ("entry-public-title" in home) == (viewer != "blocked")


async def test_owner_sees_everything_of_their_own(town):
    own = town["owner"]
    for vis in VISIBILITIES:
        assert (await own.get(f"/diaries/{town['entries'][vis].id}")).status_code == 200
    profile = (await own.get("/people/owner")).text
    assert all(f"entry-{vis}-title" in profile for vis in VISIBILITIES)


@pytest.mark.parametrize("feed", ["/feeds/diaries.atom", "/feeds/people/owner.atom"])
@pytest.mark.parametrize("viewer", VIEWERS)
async def test_feeds_carry_only_public_entries(town, feed, viewer):
    r = await town["clients"][viewer].get(feed)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    for vis in VISIBILITIES:
        assert (f"entry-{vis}-title" in r.text) == (vis == "public"), (feed, vis)
        assert f"secret body of {vis}" not in r.text or vis == "public"


async def test_blocked_resident_cannot_comment_or_befriend(town):
    pest = town["clients"]["blocked"]
    diary = town["entries"]["public"]
    r = await pest.submit(f"/diaries/{diary.id}/comments", {"comment": "let me in"})
    assert r.status_code == 404
    owner_id = diary.author_id
    r = await pest.submit("/friends/request", {"user_id": owner_id})
    assert r.status_code == 403
    own_page = (await town["owner"].get(f"/diaries/{diary.id}")).text
    assert "let me in" not in own_page


# --- the same table through the JSON API ------------------------------------------------------

@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("vis", VISIBILITIES)
async def test_api_diary_and_its_comments(town, viewer, vis):
    diary = town["entries"][vis]
    client = town["api"][viewer]
    allowed = viewer in ALLOWED[vis]
    r = await client.get(f"/api/v1/diaries/{diary.id}")
    assert r.status_code == (200 if allowed else 404), (viewer, vis)
    assert r.headers["content-type"].startswith("application/json")
    assert (f"secret body of {vis}" in r.text) == allowed
    r = await client.get(f"/api/v1/diaries/{diary.id}/comments")
    assert r.status_code == (200 if allowed else 404), (viewer, vis)
    assert (f"comment-on-{vis}" in r.text) == (allowed and vis != "private")


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_api_lists_show_exactly_what_the_detail_allows(town, viewer):
    client = town["api"][viewer]
    everything = (await client.get("/api/v1/diaries?limit=100")).text
    by_author = await client.get("/api/v1/diaries?author=owner&limit=100")
    profile = await client.get("/api/v1/people/owner")
    for vis in VISIBILITIES:
        allowed = viewer in ALLOWED[vis]
        assert (f"entry-{vis}-title" in everything) == allowed, (viewer, vis)
        assert (f"secret body of {vis}" in everything) == allowed, (viewer, vis)
        if viewer == "blocked":  # as on the profile page: the author is not there at all
            assert by_author.status_code == 404 and profile.status_code == 404
        else:
            assert (f"entry-{vis}-title" in by_author.text) == allowed, (viewer, vis)
    if viewer != "blocked":
        assert profile.status_code == 200


async def test_api_owner_sees_everything_of_their_own(town):
    own = town["api"]["owner"]
    listed = (await own.get("/api/v1/diaries?author=owner")).text
    for vis in VISIBILITIES:
        assert (await own.get(f"/api/v1/diaries/{town['entries'][vis].id}")).status_code == 200
        assert f"entry-{vis}-title" in listed


async def test_api_blocked_resident_cannot_comment_or_befriend(town):
    pest = town["api"]["blocked"]
    diary = town["entries"]["public"]
    r = await pest.post(f"/api/v1/diaries/{diary.id}/comments", json={"body": "let me in via the api"})
    assert r.status_code == 404
    assert (await pest.post("/api/v1/friends/owner/request")).status_code == 403
    own = (await town["api"]["owner"].get(f"/api/v1/diaries/{diary.id}/comments")).text
    assert "let me in via the api" not in own
