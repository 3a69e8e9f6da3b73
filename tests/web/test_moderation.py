"""The word filter in the site: held posts, grey residents, the review queue, mail, reports, appeals."""

from __future__ import annotations

import re

import pytest

import httpx
from fixtures import make_site
from sns import mail
from sns.services.tokens import create_token
from sns.models import Comment, Diary, Flag, ModerationLog, User

BAD = "What a fucking mess at the station"


@pytest.fixture(scope="module")
async def site(tmp_path_factory, smtp):
    controller, _ = smtp
    async with make_site(tmp_path_factory.mktemp("moderation"), smtp_host="127.0.0.1", smtp_port=controller.port,
                         mail_from="town@test.example", moderation_helper_email="helper@test.example",
                         grey_threshold=6) as s:
        yield s


@pytest.fixture(scope="module")
async def people(site):
    return {
        "admin": await site.user("mayor", role="admin", email="mayor@test.example"),
        "mod": await site.user("moddy", role="moderator"),
        "writer": await site.user("writer"),
        "reader": await site.user("reader"),
    }


async def _client(site, username):
    client = site.client()
    await client.login(username)
    return client


async def _write(client, title, body, visibility="public"):
    return await client.submit("/diaries/new", {"title": title, "body": body, "visibility": visibility})


def _diary_id(response) -> str:
    return response.headers["location"].rsplit("/", 1)[1]


async def test_held_post_is_invisible_to_others_until_approved(site, people, smtp):
    _, inbox = smtp
    writer = await _client(site, "writer")
    response = await _write(writer, "Station news", BAD)
    assert response.status_code == 303
    diary_id = _diary_id(response)
    diary = await Diary.get(id=diary_id)
    assert diary.state == "held" and diary.body == BAD  # the saved text is intact

    page = await writer.get(f"/diaries/{diary_id}")
    assert "not other residents" in page.text and "waits for a moderator" in page.text
    assert "fucking mess" in page.text

    reader = await _client(site, "reader")
    visitor = site.client()
    _, secret = await create_token(await site.ctx_for(people["reader"]), "test")
    reader_api = httpx.AsyncClient(transport=httpx.ASGITransport(app=site.app, client=("127.0.0.1", 50001)),
                                   base_url="http://test.example", headers={"Authorization": f"Bearer {secret}"})
    for client in (reader, visitor):
        assert (await client.get(f"/diaries/{diary_id}")).status_code == 404
        assert diary_id not in (await client.get("/diaries")).text
        assert diary_id not in (await client.get("/feeds/diaries.atom")).text
        assert diary_id not in (await client.get("/feeds/people/writer.atom")).text
    assert diary_id not in (await reader.get("/home")).text
    assert (await reader_api.get(f"/api/v1/diaries/{diary_id}")).status_code == 404
    assert diary_id not in (await reader_api.get("/api/v1/diaries")).text
    assert diary_id in (await writer.get("/diaries")).text  # the author still sees it, marked

    await mail.drain(site.settings)
    to = {r for rcpts, _ in inbox.messages for r in rcpts}
    assert {"mayor@test.example", "helper@test.example"} <= to
    assert any("/moderation" in m.get_content() for _, m in inbox.messages)
    assert any("Waiting for review: Diary entry" in m.get_content() for _, m in inbox.messages)

    mod = await _client(site, "moddy")
    queue = await mod.get("/moderation")
    assert queue.status_code == 200 and "<mark>fucking</mark>" in queue.text
    assert re.search(r'class="badge"[^>]*>\d+<', queue.text)
    flag = await Flag.get(target_id=diary_id, resolved_at=None)
    response = await mod.submit(f"/moderation/{flag.id}", {"action": "approve", "note": "fine in context"})
    assert response.status_code == 303

    assert (await Diary.get(id=diary_id)).state == "published"
    assert (await reader.get(f"/diaries/{diary_id}")).status_code == 200
    assert diary_id in (await visitor.get("/diaries")).text
    entry = await ModerationLog.get(target_id=diary_id)
    assert entry.action == "approve" and entry.moderator_id == people["mod"].id and entry.note == "fine in context"


async def test_the_queue_is_for_moderators_only(site, people):
    reader = await _client(site, "reader")
    assert (await reader.get("/moderation")).status_code == 403
    flag = await Flag.create(kind="diary", target_id="nothing", author_id=people["writer"].id)
    assert (await reader.submit(f"/moderation/{flag.id}", {"action": "approve"})).status_code == 403
    assert (await Flag.get(id=flag.id)).resolved_at is None
    mod = await _client(site, "moddy")
    assert (await mod.get("/moderation/log")).status_code == 403  # the log is for administrators
    await Flag.filter(id=flag.id).delete()


async def test_matched_words_are_escaped_in_the_queue(site, people):
    writer = await _client(site, "writer")
    response = await _write(writer, "<script>x</script>", "<b>shit</b> happens")
    diary_id = _diary_id(response)
    admin = await _client(site, "mayor")
    page = (await admin.get("/moderation")).text
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page
    assert "<mark>shit</mark>" in page and "&lt;b&gt;" in page
    flag = await Flag.get(target_id=diary_id, resolved_at=None)
    await admin.submit(f"/moderation/{flag.id}", {"action": "remove"})
    diary = await Diary.get(id=diary_id)
    assert diary.deleted_at is not None and diary.state == "removed"
    log = (await admin.get("/moderation/log")).text
    assert diary_id in log


async def test_held_comment_and_mask_and_false_alarm(site, people):
    writer = await _client(site, "writer")
    reader = await _client(site, "reader")
    diary_id = _diary_id(await _write(reader, "Garbage day", "Burnable garbage on Tuesday."))
    await writer.submit(f"/diaries/{diary_id}/comments", {"comment": "you stupid idiot"})
    comment = await Comment.get(diary_id=diary_id)
    assert comment.state == "held"
    assert "stupid idiot" not in (await reader.get(f"/diaries/{diary_id}")).text
    assert "stupid idiot" in (await writer.get(f"/diaries/{diary_id}")).text
    mod = await _client(site, "moddy")
    flag = await Flag.get(target_id=comment.id, resolved_at=None)
    await mod.submit(f"/moderation/{flag.id}", {"action": "mask"})
    comment = await Comment.get(id=comment.id)
    assert comment.state == "published" and "stupid" not in comment.body and "*" in comment.body

    await writer.submit(f"/diaries/{diary_id}/comments", {"comment": "damn, I forgot again"})
    comment2 = await Comment.filter(diary_id=diary_id).order_by("-id").first()
    flag = await Flag.get(target_id=comment2.id, resolved_at=None)
    await mod.submit(f"/moderation/{flag.id}", {"action": "false_alarm"})
    assert (await Comment.get(id=comment2.id)).state == "published"
    assert "damn" in (await mod.get("/moderation")).text  # offered as an allow-list suggestion
    actions = set(await ModerationLog.all().values_list("action", flat=True))
    assert {"mask", "false_alarm"} <= actions


async def test_grey_resident_clean_posts_wait(site, people):
    grey = await site.user("greyone")
    client = await _client(site, "greyone")
    for n in range(4):  # severity 2 each: past the threshold (6) of this site, even as it decays
        await _write(client, f"Rant {n}", "this is shit")
    user = await User.get(id=grey.id)
    assert user.grey_score > 6
    response = await _write(client, "Festival", "The summer festival starts at six by the river.")
    diary = await Diary.get(id=_diary_id(response))
    page = await client.get(f"/diaries/{diary.id}")
    assert "For a while, your new posts wait" in page.text and "word filter" not in page.text
    assert diary.state == "held"
    assert await Flag.filter(target_id=diary.id, reason="grey", resolved_at=None).exists()
    visitor = site.client()
    assert (await visitor.get(f"/diaries/{diary.id}")).status_code == 404


async def test_warn_and_suspend(site, people):
    rude = await site.user("rude")
    client = await _client(site, "rude")
    diary_id = _diary_id(await _write(client, "Hey", "kill yourself"))
    mod = await _client(site, "moddy")
    flag = await Flag.get(target_id=diary_id, resolved_at=None)
    await mod.submit(f"/moderation/{flag.id}", {"action": "warn", "note": "Please be kind."})
    assert "Please be kind." in (await client.get("/moderation/mine")).text
    assert (await Flag.get(id=flag.id)).resolved_at is None  # the held text still waits for a decision
    assert (await Diary.get(id=diary_id)).state == "held"
    diary_id = _diary_id(await _write(client, "Again", "kill yourself"))
    flag = await Flag.get(target_id=diary_id, resolved_at=None)
    await mod.submit(f"/moderation/{flag.id}", {"action": "suspend"})
    assert (await User.get(id=rude.id)).state == "suspended"
    await mod.submit(f"/moderation/{flag.id}", {"action": "remove"})
    assert (await Diary.get(id=diary_id)).deleted_at is not None
    assert [e.action for e in await ModerationLog.filter(subject_id=rude.id).order_by("created_at")] == [
        "warn", "suspend", "remove"]
    assert (await client.get("/moderation/mine")).status_code == 303  # signed out


async def test_report_lands_in_the_queue_and_removal_may_be_appealed_once(site, people):
    parker = await site.user("parker")
    writer = await _client(site, "parker")
    reader = await _client(site, "reader")
    diary_id = _diary_id(await _write(writer, "Parking", "Someone parks on the corner every night."))
    response = await reader.submit(f"/diaries/{diary_id}/report", {"reason": "names a neighbour"})
    assert response.status_code == 303
    await reader.submit(f"/diaries/{diary_id}/report", {"reason": "names a neighbour"})  # twice: one report
    flag = await Flag.get(target_id=diary_id, reason="report")
    assert flag.reporter_id == people["reader"].id and flag.author_id == parker.id
    mod = await _client(site, "moddy")
    assert "names a neighbour" in (await mod.get("/moderation")).text
    await mod.submit(f"/moderation/{flag.id}", {"action": "remove"})
    assert (await reader.get(f"/diaries/{diary_id}")).status_code == 404

    mine = await writer.get("/moderation/mine")
    assert f"/moderation/appeal/{flag.id}" in mine.text
    await writer.submit(f"/moderation/appeal/{flag.id}", {"appeal": "It names nobody."})
    again = await writer.submit(f"/moderation/appeal/{flag.id}", {"appeal": "Please!"})
    assert again.status_code == 303
    assert await Flag.filter(target_id=diary_id, reason="appeal").count() == 1
    appeal = await Flag.get(target_id=diary_id, reason="appeal")
    await mod.submit(f"/moderation/{appeal.id}", {"action": "approve"})
    assert (await reader.get(f"/diaries/{diary_id}")).status_code == 200


async def test_profile_words_come_back_in_the_form(site, people):
    writer = await _client(site, "writer")
    response = await writer.submit("/settings/profile", {"display_name": "Writer", "introduction": "I hate this shit"})
    assert response.status_code == 400
    assert "not other residents" in response.text and "I hate this shit" in response.text


async def test_admin_edits_the_word_list_and_the_filter_follows(site, people):
    admin = await _client(site, "mayor")
    await site.user("poster")
    client = await _client(site, "poster")
    clean = _diary_id(await _write(client, "Cars", "That numpty parked on the pavement again."))
    assert (await Diary.get(id=clean)).state == "published"

    assert (await admin.submit("/admin/words", {"action": "add", "term": "numpty", "severity": "1"})).status_code == 303
    held = _diary_id(await _write(client, "Cars 2", "That numpty parked there again."))
    assert (await Diary.get(id=held)).state == "held"

    await admin.submit("/admin/words", {"action": "allow", "phrase": "numpty cake"})
    ok = _diary_id(await _write(client, "Bakery", "Try the numpty cake at the bakery."))
    assert (await Diary.get(id=ok)).state == "published"

    await admin.submit("/admin/words", {"action": "remove", "term": "damn"})  # a word of the shipped list
    damn = _diary_id(await _write(client, "Oops", "damn, the bus left early"))
    assert (await Diary.get(id=damn)).state == "published"

    export = await admin.get("/admin/words.txt")
    assert export.status_code == 200 and "numpty = 1" in export.text and "allow: numpty cake" in export.text
    assert "damn = 0" in export.text
    page = await admin.get("/admin/words")
    assert "numpty = 1" in page.text

    bad = await admin.submit("/admin/words", {"action": "add", "term": "a # b", "severity": "2"})
    assert bad.status_code == 400
    imported = await admin.submit("/admin/words", {"action": "save", "words": "# our town\nwazzock = 3\n"})
    assert imported.status_code == 303
    assert "numpty" not in (await admin.get("/admin/words.txt")).text
    assert await ModerationLog.filter(action="word_list").count() == 4  # add, allow, remove, import

    reader = await _client(site, "reader")
    assert (await reader.get("/admin/words")).status_code == 403
    assert (await reader.get("/admin/words.txt")).status_code == 403


async def test_flagged_notice_is_published_but_queued(site, people):
    admin = await _client(site, "mayor")
    response = await admin.submit("/notices/new", {"title": "Bins", "body": "Stop this shit with the bins."})
    assert response.status_code == 303
    notice_id = response.headers["location"].rsplit("/", 1)[1]
    assert (await site.client().get(f"/notices/{notice_id}")).status_code == 200
    assert await Flag.filter(kind="notice", target_id=notice_id, resolved_at=None).exists()


async def test_residents_see_no_badge(site, people):
    reader = await _client(site, "reader")
    assert 'class="badge"' not in (await reader.get("/home")).text
    mod = await _client(site, "moddy")
    assert 'href="/moderation"' in (await mod.get("/home")).text


async def test_held_post_through_the_api_for_its_author_and_in_the_journal(site, people):
    from sns.models import JournalEntry

    author = await site.user("apiwriter")
    _, secret = await create_token(await site.ctx_for(author), "phone app")
    api = httpx.AsyncClient(transport=httpx.ASGITransport(app=site.app, client=("127.0.0.1", 50002)),
                            base_url="http://test.example", headers={"Authorization": f"Bearer {secret}"})
    response = await api.post("/api/v1/diaries", json={"title": "Noise", "body": "shut up, you bastard",
                                                      "visibility": "members"})
    assert response.status_code == 201 and response.json()["state"] == "held"
    diary_id = response.json()["id"]
    assert (await api.get(f"/api/v1/diaries/{diary_id}")).status_code == 200  # the author sees it

    author_client = await _client(site, "apiwriter")
    listed = await author_client.get("/diaries")
    assert diary_id in listed.text and "Waiting for a moderator" in listed.text
    assert f"/diaries/{diary_id}" in (await author_client.get("/moderation/mine")).text

    mod = await _client(site, "moddy")
    flag = await Flag.get(target_id=diary_id, resolved_at=None)
    await mod.submit(f"/moderation/{flag.id}", {"action": "approve"})
    entry = await JournalEntry.filter(record_id=diary_id).order_by("-version").first()
    assert entry.version == 2 and entry.payload["state"] == "published"


async def test_editing_a_held_entry_keeps_one_queue_item(site, people):
    await site.user("editor")
    client = await _client(site, "editor")
    diary_id = _diary_id(await _write(client, "Draft", "what a crap idea"))
    form = {"title": "Draft", "body": "what a crap idea, damn", "visibility": "public"}
    assert (await client.submit(f"/diaries/{diary_id}/edit", form)).status_code == 303
    flags = await Flag.filter(target_id=diary_id, resolved_at=None)
    assert len(flags) == 1 and set(flags[0].terms) == {"crap", "damn"}
    assert (await Diary.get(id=diary_id)).state == "held"


async def test_a_comment_can_be_reported_and_removed(site, people):
    await site.user("commenter")
    host = await _client(site, "reader")
    diary_id = _diary_id(await _write(host, "Lost cat", "A grey cat near the library."))
    commenter = await _client(site, "commenter")
    await commenter.submit(f"/diaries/{diary_id}/comments", {"comment": "Your cat is ugly and so are you."})
    comment = await Comment.get(diary_id=diary_id, deleted_at=None)
    assert comment.state == "published"
    response = await host.submit(f"/comments/{comment.id}/report", {"reason": "rude", "diary": diary_id})
    assert response.status_code == 303 and response.headers["location"] == f"/diaries/{diary_id}#comments"
    flag = await Flag.get(target_id=comment.id, reason="report")
    mod = await _client(site, "moddy")
    await mod.submit(f"/moderation/{flag.id}", {"action": "remove"})
    assert "ugly" not in (await host.get(f"/diaries/{diary_id}")).text
    own = await commenter.submit(f"/comments/{comment.id}/report", {"reason": "x", "diary": diary_id})
    assert own.status_code == 404  # removed: nothing left to report
