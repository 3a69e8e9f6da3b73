"""Profiles (with per-field visibility and an avatar), friends and blocks, as residents use them."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from fixtures import jpeg_with_gps
from sns.models import District, User


@pytest.fixture(scope="module")
async def people(site):
    names = ("akiko", "bunta", "chie", "daigo")
    return {n: await site.user(n, display_name=n.title()) for n in names}


async def signed_in(site, username):
    client = site.client()
    await client.login(username)
    return client


async def test_profile_fields_follow_their_own_visibility(site, people):
    await District.create(name="Kitamachi", position=0, origin=site.settings.origin)
    district = await District.get(name="Kitamachi")
    akiko = await signed_in(site, "akiko")
    form = await akiko.get("/settings/profile")
    assert form.status_code == 200
    saved = await akiko.submit("/settings/profile", {
        "display_name": "Akiko Mori", "introduction": "I grow *tomatoes* by the river.",
        "district": district.id, "visibility_district": "friends", "visibility_introduction": "members",
        "visibility_avatar": "public",
    }, files={"avatar": ("me.jpg", jpeg_with_gps(), "image/jpeg")})
    assert saved.status_code == 303, saved.text
    user = await User.get(username="akiko")
    assert user.display_name == "Akiko Mori" and user.avatar_id

    photo = await site.client().get(f"/photos/{user.avatar_id}.jpg")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert b"SpyCam" not in photo.content and not Image.open(io.BytesIO(photo.content)).getexif()

    visitor = await site.client().get("/people/akiko")
    assert "Akiko Mori" in visitor.text
    assert "tomatoes" not in visitor.text and "Kitamachi" not in visitor.text

    neighbour = await (await signed_in(site, "bunta")).get("/people/akiko")
    assert "<em>tomatoes</em>" in neighbour.text and "Kitamachi" not in neighbour.text

    await make_friends(site, "akiko", "chie")
    friend = await (await signed_in(site, "chie")).get("/people/akiko")
    assert "tomatoes" in friend.text and "Kitamachi" in friend.text


async def make_friends(site, a, b):
    asker, answerer = await signed_in(site, a), await signed_in(site, b)
    target = await User.get(username=b)
    source = await User.get(username=a)
    assert (await asker.submit("/friends/request", {"user_id": target.id})).status_code == 303
    incoming = await answerer.get("/friends")
    assert source.display_name in incoming.text
    assert (await answerer.submit("/friends/accept", {"user_id": source.id})).status_code == 303


async def test_request_decline_accept_and_remove(site, people):
    bunta, daigo = await signed_in(site, "bunta"), await signed_in(site, "daigo")
    b, d = people["bunta"], people["daigo"]
    await bunta.submit("/friends/request", {"user_id": d.id})
    assert "Withdraw request" in (await bunta.get("/people/daigo")).text
    await daigo.submit("/friends/decline", {"user_id": b.id})
    assert "Send friend request" in (await bunta.get("/people/daigo")).text

    await bunta.submit("/friends/request", {"user_id": d.id})
    await daigo.submit("/friends/accept", {"user_id": b.id})
    assert "Remove friend" in (await bunta.get("/people/daigo")).text
    assert "Remove friend" in (await daigo.get("/people/bunta")).text
    friends_page = await daigo.get("/friends")
    assert "Bunta" in friends_page.text

    await daigo.submit("/friends/remove", {"user_id": b.id})
    assert "Send friend request" in (await bunta.get("/people/daigo")).text


async def test_a_blocked_resident_can_neither_see_nor_contact(site, people):
    chie, daigo = await signed_in(site, "chie"), await signed_in(site, "daigo")
    c, d = people["chie"], people["daigo"]
    posted = await chie.submit("/diaries/new", {"title": "Members' news", "body": "Cherry trees are out.",
                                                "visibility": "members"})
    entry = posted.headers["location"]
    assert (await daigo.get(entry)).status_code == 200

    await chie.submit("/friends/block", {"user_id": d.id})
    assert (await daigo.get(entry)).status_code == 404
    assert "Members' news" not in (await daigo.get("/diaries")).text
    assert (await daigo.get("/people/chie")).status_code == 404
    refused = await daigo.submit("/friends/request", {"user_id": c.id})
    assert refused.status_code in (403, 404)
    comment = await daigo.submit(f"{entry}/comments", {"body": "hello?"})
    assert comment.status_code in (403, 404)
    assert "hello?" not in (await chie.get(entry)).text

    blocker_view = await chie.get("/people/daigo")  # the one who blocked may still unblock from there
    assert blocker_view.status_code == 200 and "Unblock" in blocker_view.text
    assert "Daigo" not in (await chie.get("/diaries")).text

    await chie.submit("/friends/unblock", {"user_id": d.id})
    assert (await daigo.get(entry)).status_code == 200
