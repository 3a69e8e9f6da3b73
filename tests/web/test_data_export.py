"""Download my data, through the app: a busy resident among neighbours asks on /settings/data, the job's round
prepares the archive, the resident downloads it and opens the ZIP. The archive holds what the resident's own
pages show them about themselves, and nothing of anyone else's private or held content (its bytes are
searched for the ids and the words of every such thing)."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import re
import zipfile
from datetime import timedelta

import pytest

from fixtures import jpeg_with_gps, make_site
from sns import mail, media, tasks
from sns.models import Comment, Conversation, DataExport, Diary, OutboxMail, Photo, User
from sns.models.base import utcnow
from sns.services import (
    albums, alert_subscriptions, communities, departments, diaries, disaster, events, friends, inquiries, mailbox,
    memberships, replies, report_lists, reports, rsvps, safety, topics,
)
from sns.services import data_export
from sns.services.export_kinds import READERS

HELD = "What a fucking mess here"  # the word filter holds it


@pytest.fixture(scope="module")
async def site(tmp_path_factory, smtp):
    controller, _ = smtp
    async with make_site(tmp_path_factory.mktemp("export"), posts_per_10min=10_000, smtp_host="127.0.0.1",
                         smtp_port=controller.port, mail_from="town@test.example") as s:
        yield s


def key(size: int) -> str:
    raw = (b"\x04" + b"k" * (size - 1)) if size == 65 else b"a" * size
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.fixture(scope="module")
async def town(site):
    """hana (the busy resident), taro (her friend), jiro (a neighbour, no friend), ken (whom she blocks after
    he commented), and the city's staff."""
    u = {name: await site.user(name) for name in ("hana", "taro", "jiro", "ken")}
    u["admin"] = await site.user("admin1", role="admin")
    u["fire"] = await site.user("desk1", role="disaster")
    c = {name: await site.ctx_for(user) for name, user in u.items()}
    await friends.request_friend(c["hana"], u["taro"].id)
    await friends.accept(await site.ctx_for(u["taro"]), u["hana"].id)
    await friends.request_friend(c["hana"], u["jiro"].id)  # asked, not accepted
    c = {name: await site.ctx_for(user) for name, user in u.items()}  # friends loaded
    mine = {}
    for visibility in ("public", "friends", "private"):
        mine[visibility] = await diaries.write_diary(c["hana"], title=f"Hana {visibility}", body="My garden",
                                                     visibility=visibility, photos=[jpeg_with_gps("green")])
    mine["held"] = await diaries.write_diary(c["hana"], title="Hana held", body=HELD, visibility="public")
    private = {  # someone else's things the archive must never hold (ids and texts)
        "taro_private": await diaries.write_diary(c["taro"], title="Taro secret diary", body="taro-private-words",
                                                  visibility="private"),
        "jiro_friends": await diaries.write_diary(c["jiro"], title="Jiro friends diary", body="jiro-friends-words",
                                                  visibility="friends"),
        "jiro_held": await diaries.write_diary(c["jiro"], title="Jiro held diary", body=HELD + " jiro-held-words",
                                               visibility="public"),
    }
    taro_friends = await diaries.write_diary(c["taro"], title="Taro for friends", body="Our walk",
                                             visibility="friends")
    seen = {"taro_comment": await diaries.add_comment(c["taro"], mine["public"].id, "Lovely garden")}
    private["jiro_held_comment"] = await diaries.add_comment(c["jiro"], mine["public"].id,
                                                             HELD + " jiro-held-comment")
    ken_comment = await diaries.add_comment(c["ken"], mine["public"].id, "ken-was-here")
    await friends.block(c["hana"], u["ken"].id)
    my_comment = await diaries.add_comment(c["hana"], taro_friends.id, "Nice walk, Taro")
    # mail: hana and taro write to each other; jiro writes to taro alone
    first = await mailbox.start_conversation(c["hana"], to="taro", subject="Tea?", body="Tea on Sunday?")
    answer = await mailbox.reply(await site.ctx_for(u["taro"]), first.conversation_id, "Yes, at three")
    other = await mailbox.start_conversation(c["jiro"], to="taro", subject="Jiro and Taro", body="jiro-to-taro")
    private["jiro_to_taro"] = other
    private["jiro_to_taro_conversation"] = await Conversation.get(id=other.conversation_id)
    # a members-only community hana joined, and one she is not in
    club = await communities.open_community(c["jiro"], name="Garden club", description="Members only",
                                            readable_by="community")
    await memberships.join(c["hana"], club.id)
    c["hana"] = await site.ctx_for(u["hana"])
    my_topic = await topics.post_topic(c["hana"], club.id, title="Seeds to swap", body="I have tomato seeds")
    my_reply = await replies.add_reply(c["hana"], my_topic.id, "Come by on Saturday")
    closed = await communities.open_community(c["taro"], name="Taro's circle", description="Closed",
                                              readable_by="community")
    private["closed_topic"] = await topics.post_topic(await site.ctx_for(u["taro"]), closed.id,
                                                      title="Closed circle topic", body="closed-topic-words")
    # an album, a check-in, an RSVP, an inquiry, a street report, alert choices with a push subscription
    album = await albums.create_album(c["hana"], title="Summer", visibility="friends")
    album_photos = await albums.add_photos(c["hana"], album.id, [jpeg_with_gps("blue")])
    await disaster.start_event(c["fire"], name="Heavy rain")
    checkin = await safety.check_in(await site.ctx_for(u["hana"]), status="safe", message="All fine at home")
    private["taro_checkin"] = await safety.check_in(await site.ctx_for(u["taro"]), status="need_help",
                                                    message="taro-checkin-words")
    starts = utcnow() + timedelta(days=3)
    festival = await events.post_event(c["taro"], title="Harvest festival", starts_at=starts,
                                       ends_at=starts + timedelta(hours=3), visibility="public")
    private["jiro_event"] = await events.post_event(c["jiro"], title="Jiro friends party", starts_at=starts,
                                                    ends_at=starts + timedelta(hours=2), visibility="friends")
    rsvp = await rsvps.answer_event(c["hana"], festival.id, "going")
    roads = await departments.save_department(c["admin"], name="Roads")
    inquiry = await inquiries.create_inquiry(c["hana"], department_id=roads.id, subject="Street light",
                                             body="The light on 3rd street is out")
    category = await report_lists.save_category(c["admin"], name="Pothole", department=roads.id)
    report = await reports.write_report(c["hana"], category=category.id, title="Hole by the school",
                                        body="Deep hole", lat=32.5, lon=130.6)
    await alert_subscriptions.save_subscription(c["hana"], by_district=False, near_home=True, lat=32.51,
                                                lon=130.61, radius_km=2, email=True, push=True, drills=False)
    await alert_subscriptions.add_push(c["hana"], endpoint="https://push.example.net/send/hana-endpoint-secret",
                                       p256dh=key(65), auth=key(16))
    assert (await Diary.get(id=private["jiro_held"].id)).state == "held"
    assert (await Comment.get(id=private["jiro_held_comment"].id)).state == "held"
    return {"users": u, "mine": mine, "private": private, "seen": seen, "ken_comment": ken_comment,
            "my_comment": my_comment, "mail": (first, answer), "topic": my_topic, "reply": my_reply,
            "album": album, "album_photos": album_photos, "checkin": checkin, "rsvp": rsvp, "inquiry": inquiry,
            "report": report, "festival": festival}


async def ask_and_prepare(site, client) -> tuple[DataExport, bytes]:
    response = await client.submit("/settings/data")
    assert response.status_code == 303, response.text
    await tasks.run_once("data_export", site.settings, site.app.state.site)
    page = await client.get("/settings/data")
    link = re.search(r'href="(/settings/data/exports/[^"]+/download)"', page.text)
    assert link, page.text
    download = await client.get(link.group(1))
    assert download.status_code == 200
    export = await DataExport.get(id=link.group(1).split("/")[4])
    return export, download.content


def opened(content: bytes) -> tuple[dict[str, bytes], zipfile.ZipFile]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return {name: archive.read(name) for name in archive.namelist()}, archive


async def test_asking_preparing_and_downloading_through_the_page(site, town):
    client = site.client()
    await client.login("hana")
    assert 'href="/settings/data"' in (await client.get("/settings")).text
    page = await client.get("/settings/data")
    assert page.status_code == 200 and "You have not asked for your data yet." in page.text
    assert page.headers["cache-control"] == "private, no-store"
    asked = await client.submit("/settings/data")
    assert asked.status_code == 303
    waiting = await client.get("/settings/data")
    assert "Waiting to be prepared" in waiting.text and "/download" not in waiting.text
    again = await client.submit("/settings/data")
    assert again.status_code == 409 and "already being prepared" in again.text
    assert await DataExport.filter(user_id=town["users"]["hana"].id).count() == 1
    await tasks.run_once("data_export", site.settings, site.app.state.site)
    ready = await client.get("/settings/data")
    assert "Ready:" in ready.text and "Download the archive" in ready.text
    link = re.search(r'href="(/settings/data/exports/[^"]+/download)"', ready.text).group(1)
    download = await client.get(link)
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    assert download.headers["cache-control"] == "private, no-store"
    assert download.headers["content-disposition"].startswith("attachment;")
    export = await DataExport.get(id=link.split("/")[4])
    assert export.state == "ready" and export.size == len(download.content)
    assert export.expires_at > utcnow() + timedelta(days=site.settings.export_keep_days - 1)
    stored = data_export.archive_path(site.settings, export)
    assert stored.parent == site.settings.media_dir / "exports" and len(stored.stem) >= 32
    assert not list(stored.parent.glob("*.tmp")) and not list(stored.parent.glob(".*"))
    log = json.loads(opened(download.content)[0]["security_log.json"])
    assert "export_asked" in [e["kind"] for e in log["events"]]
    mail = await OutboxMail.filter(to_addr="hana@example.org").order_by("-created_at").first()
    assert mail.subject == "Your data is ready to download" and "/settings/data" in mail.body


async def test_the_archive_holds_what_my_pages_show_me_and_nothing_private_of_others(site, town):
    client = site.client()
    await client.login("hana")
    await DataExport.filter(user_id=town["users"]["hana"].id).delete()
    _, content = await ask_and_prepare(site, client)
    files, archive = opened(content)
    everything = b"\n".join(files.values())
    assert set(READERS) | {"README.txt"} <= set(files)
    doc = {name: json.loads(files[name]) for name in READERS}
    hana = town["users"]["hana"]

    # my diaries, held one included; on each, exactly the comments my diary page shows me
    assert {d["id"] for d in doc["diaries.json"]["diaries"]} == {d.id for d in town["mine"].values()}
    for diary in doc["diaries.json"]["diaries"]:
        page = await client.get(f"/diaries/{diary['id']}")
        assert page.status_code == 200
        assert [c["id"] for c in diary["comments"]] == re.findall(r'<li id="c-([0-9a-f-]{36})"', page.text)
    public = next(d for d in doc["diaries.json"]["diaries"] if d["id"] == town["mine"]["public"].id)
    assert [c["id"] for c in public["comments"]] == [town["seen"]["taro_comment"].id]
    assert town["ken_comment"].id not in [c["id"] for c in public["comments"]], "blocked since"
    assert [c["id"] for c in doc["diaries.json"]["comments_elsewhere"]] == [town["my_comment"].id]

    # mail: what my conversation page shows me
    conversations = doc["messages.json"]["conversations"]
    assert [c["id"] for c in conversations] == [town["mail"][0].conversation_id]
    page = await client.get(f"/mail/{conversations[0]['id']}")
    assert [m["id"] for m in conversations[0]["messages"]] == re.findall(r'<li id="m-([0-9a-f-]{36})"', page.text)
    assert [m["id"] for m in conversations[0]["messages"]] == [town["mail"][0].id, town["mail"][1].id]

    assert [t["id"] for t in doc["topics.json"]["topics"]] == [town["topic"].id]
    assert [r["id"] for r in doc["topics.json"]["replies"]] == [town["reply"].id]
    assert [m["community"] for m in doc["topics.json"]["memberships"]] == ["Garden club"]
    assert [a["id"] for a in doc["albums.json"]["albums"]] == [town["album"].id]
    assert doc["albums.json"]["albums"][0]["photos"] == [p.id for p in town["album_photos"]]
    assert [c["id"] for c in doc["checkins.json"]["checkins"]] == [town["checkin"].id]
    assert [(a["event_id"], a["answer"]) for a in doc["events.json"]["answers"]] == [(town["festival"].id, "going")]
    assert [i["id"] for i in doc["inquiries.json"]["inquiries"]] == [town["inquiry"].id]
    assert [r["id"] for r in doc["reports.json"]["reports"]] == [town["report"].id]
    assert [f["username"] for f in doc["friends.json"]["friends"]] == ["taro"]
    assert [f["username"] for f in doc["friends.json"]["requests_sent"]] == ["jiro"]
    assert [b["username"] for b in doc["friends.json"]["blocked"]] == ["ken"]
    assert doc["notification_settings.json"]["alerts"]["radius_km"] == 2
    assert doc["notification_settings.json"]["push_subscriptions"][0]["push_service"] == "push.example.net"
    profile = doc["profile.json"]
    assert profile["username"] == "hana" and profile["email"] == "hana@example.org"

    # my photos, as the stored re-encoded files
    mine = await Photo.filter(owner_id=hana.id, deleted_at=None).values_list("id", flat=True)
    assert len(mine) == 4
    assert {p["id"] for p in doc["photos.json"]["photos"]} == set(mine)
    for photo_id in mine:
        assert files[f"photos/{photo_id}.jpg"] == media.photo_path(site.settings.media_dir, photo_id).read_bytes()
        assert archive.getinfo(f"photos/{photo_id}.jpg").compress_type == zipfile.ZIP_STORED

    # nothing of anyone else's private or held things, and no secret of mine
    for name, thing in town["private"].items():
        assert thing.id.encode() not in everything, name
    for words in (b"taro-private-words", b"jiro-friends-words", b"jiro-held-words", b"jiro-held-comment",
                  b"jiro-to-taro", b"closed-topic-words", b"taro-checkin-words", b"Jiro friends party",
                  b"ken-was-here"):
        assert words not in everything, words
    me = await User.get(id=hana.id)
    assert me.password_hash.encode() not in everything and b"password_hash" not in everything
    assert key(65).encode() not in everything and b"hana-endpoint-secret" not in everything
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+Z", d["created_at"]) for d in doc["diaries.json"]["diaries"])


async def test_readme_and_mail_speak_the_residents_language(site, town, smtp):
    _, inbox = smtp
    yuki = await site.user("yuki")
    await User.filter(id=yuki.id).update(locale="ja")
    client = site.client()
    await client.login("yuki")
    _, content = await ask_and_prepare(site, client)
    readme = opened(content)[0]["README.txt"].decode()
    assert "このサイトのあなたのデータです" in readme and "diaries.json" in readme
    await mail.drain(site.settings)
    told = [msg for rcpts, msg in inbox.messages if "yuki@example.org" in rcpts]
    assert len(told) == 1 and told[0]["Subject"] == "データのダウンロードの準備ができました"
    assert inbox.last_link("yuki@example.org") == "/settings/data"


async def test_someone_elses_export_is_not_found(site, town):
    owner = await site.user("owner1")
    client = site.client()
    await client.login("owner1")
    export, _ = await ask_and_prepare(site, client)
    url = f"/settings/data/exports/{export.id}/download"
    for name in ("taro", "admin1"):
        other = site.client()
        await other.login(name)
        refused = await other.get(url)
        assert refused.status_code == 404 and refused.headers["cache-control"] == "private, no-store"
        assert b"PK" not in refused.content[:2]
    visitor = await site.client().get(url)
    assert visitor.status_code == 303 and visitor.headers["location"].startswith("/login")
    assert (await client.get("/settings/data/exports/nonexistent/download")).status_code == 404
    assert owner.id == export.user_id


async def test_a_failed_export_is_shown_and_can_be_asked_again(site, town):
    user = await site.user("fails1")
    client = site.client()
    await client.login("fails1")
    assert (await client.submit("/settings/data")).status_code == 303
    await User.filter(id=user.id).update(state="suspended")  # suspended before the round: nothing is prepared
    await tasks.run_once("data_export", site.settings, site.app.state.site)
    await User.filter(id=user.id).update(state="active")
    export = await DataExport.get(user_id=user.id)
    assert export.state == "failed" and not export.file_name
    client = site.client()
    await client.login("fails1")
    page = await client.get("/settings/data")
    assert "Preparing your data failed" in page.text and "Try again" in page.text
    _, content = await ask_and_prepare(site, client)
    assert "profile.json" in opened(content)[0]


async def test_a_few_exports_a_day_at_most(site, town):
    user = await site.user("eager1")
    client = site.client()
    await client.login("eager1")
    for _ in range(data_export.PER_DAY):
        await ask_and_prepare(site, client)
    refused = await client.submit("/settings/data")
    assert refused.status_code == 429 and "try again tomorrow" in refused.text
    assert await DataExport.filter(user_id=user.id).count() == data_export.PER_DAY


async def test_two_rounds_at_once_prepare_an_export_once(site, town):
    user = await site.user("race1")
    client = site.client()
    await client.login("race1")
    await client.submit("/settings/data")
    before = set((site.settings.media_dir / "exports").glob("*.zip"))
    await asyncio.gather(data_export.run_round(site.settings), data_export.run_round(site.settings))
    export = await DataExport.get(user_id=user.id)
    assert export.state == "ready"
    assert set((site.settings.media_dir / "exports").glob("*.zip")) - before == \
        {data_export.archive_path(site.settings, export)}


async def test_a_claim_left_by_a_dead_machine_is_taken_again(site, town):
    user = await site.user("crash1")
    client = site.client()
    await client.login("crash1")
    await client.submit("/settings/data")
    export = await DataExport.get(user_id=user.id)
    # a machine claimed it, then died: a fresh claim is left alone, an old one is taken again
    await DataExport.filter(id=export.id).update(state="working", expires_at=utcnow() + timedelta(minutes=5))
    await data_export.run_round(site.settings)
    assert (await DataExport.get(id=export.id)).state == "working"
    await DataExport.filter(id=export.id).update(expires_at=utcnow() - timedelta(seconds=1))
    await data_export.run_round(site.settings)
    assert (await DataExport.get(id=export.id)).state == "ready"


async def test_expired_archives_are_removed(site, town):
    await site.user("old1")
    client = site.client()
    await client.login("old1")
    export, _ = await ask_and_prepare(site, client)
    path = data_export.archive_path(site.settings, export)
    assert path.is_file()
    await DataExport.filter(id=export.id).update(expires_at=utcnow() - timedelta(minutes=1))
    gone = await client.get(f"/settings/data/exports/{export.id}/download")
    assert gone.status_code == 404, "past its time, not downloadable even before the job removes it"
    assert "/download" not in (await client.get("/settings/data")).text
    await tasks.run_once("data_export", site.settings, site.app.state.site)
    assert not path.exists() and not await DataExport.exists(id=export.id)
    assert "You have not asked for your data yet." in (await client.get("/settings/data")).text


async def test_archives_no_export_names_any_more_are_removed(site, town):
    """An account removed with its exports (the rows go with it), or a write cut short, leaves files that no
    row names: the job removes them once they are older than a claim."""
    user = await site.user("leaver1")
    client = site.client()
    await client.login("leaver1")
    export, _ = await ask_and_prepare(site, client)
    path = data_export.archive_path(site.settings, export)
    cut_short = path.with_name(".cut-short.zip.tmp")
    cut_short.write_bytes(b"PK")
    fresh = path.with_name(".being-written.zip.tmp")
    fresh.write_bytes(b"PK")
    await DataExport.filter(user_id=user.id).delete()
    long_ago = (utcnow() - data_export.CLAIM - timedelta(minutes=1)).timestamp()
    for old in (path, cut_short):
        os.utime(old, (long_ago, long_ago))
    await tasks.run_once("data_export", site.settings, site.app.state.site)
    assert not path.exists() and not cut_short.exists()
    assert fresh.exists(), "a file being written now is left alone"
    fresh.unlink()


async def test_the_page_in_japanese(site, town):
    client = site.client()
    client.cookies.set("lang", "ja")
    await client.login("taro")
    empty = await client.get("/settings/data")
    assert "自分のデータのダウンロード" in empty.text and "まだデータのダウンロードを依頼していません。" in empty.text
    await client.submit("/settings/data")
    waiting = (await client.get("/settings/data")).text
    assert "準備の順番を待っています" in waiting and "Waiting" not in waiting
    again = await client.submit("/settings/data")
    assert "データはすでに準備中です。" in again.text
    await tasks.run_once("data_export", site.settings, site.app.state.site)
    ready = (await client.get("/settings/data")).text
    assert "準備ができました" in ready and "アーカイブをダウンロード" in ready and "Ready" not in ready


async def test_removing_all_of_a_persons_exports(site, town):
    """What deleting an account calls: every archive of the person goes, files and rows, and nobody else's."""
    gone, stays = await site.user("gone1"), await site.user("stays1")
    paths = {}
    for user in (gone, stays):
        client = site.client()
        await client.login(user.username)
        export, _ = await ask_and_prepare(site, client)
        paths[user.username] = data_export.archive_path(site.settings, export)
    assert await data_export.remove_all_of(site.settings, gone.id) == 1
    assert not paths["gone1"].exists() and not await DataExport.exists(user_id=gone.id)
    assert paths["stays1"].exists() and await DataExport.exists(user_id=stays.id)
