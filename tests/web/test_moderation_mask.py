"""Mask mode: flagged texts are published at once with the matched words masked, and still queued."""

from __future__ import annotations

import pytest

from fixtures import make_site
from sns.models import Comment, Diary, Flag


@pytest.fixture(scope="module")
async def site(tmp_path_factory):
    async with make_site(tmp_path_factory.mktemp("mask"), moderation_mode="mask") as s:
        yield s


async def _write(client, title, body, visibility="public"):
    return await client.submit("/diaries/new", {"title": title, "body": body, "visibility": visibility})


def _diary_id(response) -> str:
    return response.headers["location"].rsplit("/", 1)[1]


async def test_mask_mode_publishes_masked_text(site):
    await site.user("masker")
    client = site.client()
    await client.login("masker")
    response = await _write(client, "Hello", "what the fuck happened")
    diary = await Diary.get(id=_diary_id(response))
    assert diary.state == "published" and "fuck" not in diary.body and "****" in diary.body
    assert await Flag.filter(target_id=diary.id).exists()  # moderators still get to see it
    visitor = site.client()
    page = await visitor.get(f"/diaries/{diary.id}")
    assert page.status_code == 200 and "what the **** happened" in page.text
    await client.submit(f"/diaries/{diary.id}/comments", {"comment": "shit happens"})
    comment = await Comment.get(diary_id=diary.id)
    assert comment.state == "published" and comment.body == "**** happens"


async def test_mask_mode_masks_a_profile_instead_of_refusing_it(site):
    await site.user("introvert")
    client = site.client()
    await client.login("introvert")
    response = await client.submit("/settings/profile", {"display_name": "Intro", "introduction": "no bullshit"})
    assert response.status_code == 303
    assert "bullshit" not in (await client.get("/people/introvert")).text
