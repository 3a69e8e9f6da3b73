"""Profiles, friends and notices over the API: the same rules as the pages."""

import pytest

from sns.models import District, Friendship
from sns.services.profiles import update_profile


async def test_me_and_editing_my_profile(api, site):
    district = await District.create(name="Hikawa", origin="test.example")
    _, me = await api.resident("selfie")
    r = await me.get("/api/v1/me")
    assert r.json()["field_visibility"] == {"district": "members", "introduction": "members", "avatar": "members"}
    r = await me.patch("/api/v1/me/profile", json={"introduction": "I grow *rice*.", "district_id": district.id,
                                                   "field_visibility": {"introduction": "public"}})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["display_name"] == "selfie" and data["introduction_html"] == "<p>I grow <em>rice</em>.</p>\n"
    assert data["district"] == {"id": district.id, "name": "Hikawa"}
    assert data["field_visibility"] == {"district": "members", "introduction": "public", "avatar": "members"}
    r = await me.patch("/api/v1/me/profile", json={"district_id": None, "display_name": "Self E."})
    assert r.json()["district"] is None and r.json()["display_name"] == "Self E."
    assert r.json()["introduction"] == "I grow *rice*."
    r = await me.patch("/api/v1/me/profile", json={"district_id": "01900000-0000-7000-8000-000000000000"})
    assert r.status_code == 400 and r.json()["field"] == "district"


@pytest.fixture(scope="module")
async def neighbours(api, site):
    """`shown` shares district with friends, introduction with members, avatar with nobody."""
    district = await District.create(name="Kagami", origin="test.example")
    owner, owner_client = await api.resident("shown")
    await update_profile(await site.ctx_for(owner), display_name="Shown", introduction="Fond of festivals",
                         district_id=district.id,
                         visibility={"district": "friends", "introduction": "members", "avatar": "private"})
    friend, friend_client = await api.resident("shownpal")
    stranger, stranger_client = await api.resident("shownstranger")
    await friend_client.post("/api/v1/friends/shown/request")
    await owner_client.post("/api/v1/friends/shownpal/accept")
    return {"anonymous": api.client(), "resident": stranger_client, "friend": friend_client, "self": owner_client}


@pytest.mark.parametrize("viewer,fields", [
    ("anonymous", set()),
    ("resident", {"introduction"}),
    ("friend", {"introduction", "district"}),
    ("self", {"introduction", "district", "avatar_url"}),
])
async def test_profile_fields_follow_their_visibility(neighbours, viewer, fields):
    r = await neighbours[viewer].get("/api/v1/people/shown")
    assert r.status_code == 200, r.text
    data = r.json()
    optional = {"introduction", "district", "avatar_url"}
    assert optional & set(data) == fields, viewer
    assert ("Fond of festivals" in r.text) == ("introduction" in fields)
    assert ("Kagami" in r.text) == ("district" in fields)
    assert data["relation"] == {"anonymous": "none", "resident": "none", "friend": "friend", "self": "self"}[viewer]


async def test_unknown_and_blocked_people_are_not_found(api, neighbours):
    assert (await api.client().get("/api/v1/people/nobody_here")).status_code == 404
    _, pest = await api.resident("shownpest")
    r = await neighbours["self"].post("/api/v1/friends/shownpest/block")
    assert r.status_code == 200 and r.json()["relation"] == "blocked"
    assert (await pest.get("/api/v1/people/shown")).status_code == 404
    assert (await pest.post("/api/v1/friends/shown/request")).status_code == 403
    r = await neighbours["self"].post("/api/v1/friends/shownpest/unblock")
    assert r.json()["relation"] == "none"
    assert (await pest.get("/api/v1/people/shown")).status_code == 200


async def test_friends_flow(api):
    ann, a = await api.resident("ann")
    ben, b = await api.resident("ben")
    r = await a.post("/api/v1/friends/ben/request")
    assert r.status_code == 200 and r.json()["relation"] == "requested" and r.json()["message"]
    assert [p["username"] for p in (await a.get("/api/v1/friends")).json()["outgoing"]] == ["ben"]
    listing = (await b.get("/api/v1/friends")).json()
    assert [p["username"] for p in listing["incoming"]] == ["ann"] and listing["friends"] == []
    r = await b.post("/api/v1/friends/ann/accept")
    assert r.json()["relation"] == "friend"
    assert [p["username"] for p in (await a.get("/api/v1/friends")).json()["friends"]] == ["ben"]
    assert await Friendship.filter(state="accepted", user_id__in=[ann.id, ben.id]).count() == 2
    assert (await a.post("/api/v1/friends/ann/request")).status_code == 403  # not with myself
    assert (await a.post("/api/v1/friends/ben/befriend")).status_code == 404
    assert (await a.post("/api/v1/friends/no_such_person/request")).status_code == 404
    assert (await b.post("/api/v1/friends/ann/accept")).status_code == 404  # nothing left to accept
    r = await a.post("/api/v1/friends/ben/remove")
    assert r.json()["relation"] == "none"
    assert (await b.get("/api/v1/friends")).json()["friends"] == []
    r = await b.post("/api/v1/friends/ann/request")
    r = await a.post("/api/v1/friends/ann/decline")  # declining nothing is harmless
    r = await a.post("/api/v1/friends/ben/decline")
    assert r.json()["relation"] == "none" and (await b.get("/api/v1/friends")).json()["outgoing"] == []


async def test_notices_only_staff_post(api):
    _, clerk = await api.resident("clerk", role="staff")
    _, resident = await api.resident("plain")
    notice = {"title": "Water outage", "body": "Tuesday 9-12 in Hikawa."}
    r = await resident.post("/api/v1/notices", json=notice)
    assert r.status_code == 403 and r.json()["error"]
    assert (await api.client().post("/api/v1/notices", json=notice)).status_code == 401
    r = await clerk.post("/api/v1/notices", json=notice)
    assert r.status_code == 201, r.text
    notice_id = r.json()["id"]
    listing = (await api.client().get("/api/v1/notices")).json()
    assert listing["items"][0]["id"] == notice_id and listing["items"][0]["author"]["username"] == "clerk"
    assert (await api.client().get(f"/api/v1/notices/{notice_id}")).json()["title"] == "Water outage"
