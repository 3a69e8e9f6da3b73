"""Internal mail through the pages: writing, inbox and unread counts, replies, groups, blocks,
archive and leave, bad input that keeps what was typed, held messages, reports, the e-mail notice."""

from __future__ import annotations

import pytest

from fixtures import make_site
from sns import mail
from sns.models import Conversation, Flag, Message, Notification, Participant, User
from sns.services import friends

BAD = "What a fucking mess at the station"


@pytest.fixture(scope="module")
async def site(tmp_path_factory, smtp):
    controller, _ = smtp
    async with make_site(tmp_path_factory.mktemp("mailbox"), smtp_host="127.0.0.1", smtp_port=controller.port,
                         mail_from="town@test.example") as s:
        yield s


@pytest.fixture(scope="module")
async def people(site):
    names = ("aiko", "bunta", "chika", "daiki", "emi", "fumi")
    out = {n: await site.user(n) for n in names}
    out["mod"] = await site.user("mailmod", role="moderator")
    out["admin"] = await site.user("mailadmin", role="admin")
    return out


async def signed_in(site, username):
    client = site.client()
    await client.login(username)
    return client


async def write(client, to, subject="Hello", body="How are you?", **extra):
    return await client.submit("/mail/new", {"to": to, "subject": subject, "body": body, **extra})


def conversation_of(response) -> str:
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[1]


async def test_a_message_reaches_the_inbox_unread_and_opening_it_marks_it_read(site, people):
    aiko, bunta = await signed_in(site, "aiko"), await signed_in(site, "bunta")
    cid = conversation_of(await write(aiko, "bunta", "Tea on Sunday", "Shall we meet at the café?"))

    inbox = await bunta.get("/mail")
    assert "Tea on Sunday" in inbox.text and 'class="card unread"' in inbox.text
    assert 'aria-label="1 unread"' in inbox.text
    note = await Notification.get(user_id=people["bunta"].id, kind="message")
    assert note.url == f"/mail/{cid}" and note.actor_id == people["aiko"].id

    page = await bunta.get(f"/mail/{cid}")
    assert page.status_code == 200 and "Shall we meet at the café?" in page.text
    assert "Aiko" in page.text or "aiko" in page.text
    inbox = await bunta.get("/mail")
    assert 'class="card unread"' not in inbox.text
    assert (await Notification.get(id=note.id)).read_at is not None

    reply = await bunta.submit(f"/mail/{cid}/reply", {"body": "Yes, at ten!"})
    assert reply.status_code == 303
    assert "Yes, at ten!" in (await aiko.get(f"/mail/{cid}")).text
    assert "Tea on Sunday" in (await bunta.get("/mail/sent")).text
    assert await Message.filter(conversation_id=cid).count() == 2


async def test_newest_conversation_comes_first(site, people):
    chika = await signed_in(site, "chika")
    conversation_of(await write(chika, "daiki", "Older subject"))
    conversation_of(await write(chika, "emi", "Newer subject"))
    inbox = (await chika.get("/mail")).text
    assert inbox.index("Newer subject") < inbox.index("Older subject")


async def test_group_conversation_archive_and_leave(site, people):
    aiko, chika, daiki = [await signed_in(site, n) for n in ("aiko", "chika", "daiki")]
    cid = conversation_of(await write(aiko, "chika, daiki", "Clean-up day", "Saturday at the beach?"))
    for client in (chika, daiki):
        assert "Clean-up day" in (await client.get("/mail")).text
    page = await chika.get(f"/mail/{cid}")
    assert f'/mail/{cid}/leave' in page.text

    assert (await daiki.submit(f"/mail/{cid}/archive")).status_code == 303
    assert "Clean-up day" not in (await daiki.get("/mail")).text
    assert "Clean-up day" in (await daiki.get("/mail?archived=1")).text
    await aiko.submit(f"/mail/{cid}/reply", {"body": "Bring gloves."})
    assert "Clean-up day" in (await daiki.get("/mail")).text  # back with the new message

    assert (await chika.submit(f"/mail/{cid}/leave")).status_code == 303
    assert (await chika.get(f"/mail/{cid}")).status_code == 404
    assert "Clean-up day" not in (await chika.get("/mail")).text
    told = await Notification.filter(user_id=people["chika"].id, url=f"/mail/{cid}").count()
    await aiko.submit(f"/mail/{cid}/reply", {"body": "Chika left, see you Daiki."})
    assert await Notification.filter(user_id=people["chika"].id, url=f"/mail/{cid}").count() == told
    assert "Chika left" in (await daiki.get(f"/mail/{cid}")).text


async def test_one_to_one_cannot_be_left_only_archived(site, people):
    emi = await signed_in(site, "emi")
    cid = conversation_of(await write(emi, "fumi", "Just us"))
    r = await emi.submit(f"/mail/{cid}/leave")
    assert r.status_code == 303 and r.headers["location"] == f"/mail/{cid}"
    assert not (await Participant.get(conversation_id=cid, user_id=people["emi"].id)).left


async def test_blocks_are_respected_both_ways(site, people):
    emi, fumi = await signed_in(site, "emi"), await signed_in(site, "fumi")
    cid = conversation_of(await write(emi, "fumi", "Before the block"))
    await friends.block(await site.ctx_for(people["fumi"]), people["emi"].id)
    emi, fumi = await signed_in(site, "emi"), await signed_in(site, "fumi")
    before = await Conversation.all().count()
    for client, to in ((emi, "fumi"), (fumi, "emi"), (emi, "aiko fumi")):
        r = await write(client, to, "Please read", "Typed with care")
        assert r.status_code == 400
        assert "fumi cannot receive your mail" in r.text or "emi cannot receive your mail" in r.text
        assert "Typed with care" in r.text and "Please read" in r.text  # nothing typed is lost
        assert "blocked" not in r.text.lower()
    assert await Conversation.all().count() == before
    # the earlier one-to-one conversation can no longer be answered
    r = await emi.submit(f"/mail/{cid}/reply", {"body": "Still there?"})
    assert r.status_code == 403 and "cannot receive your mail" in r.text


async def test_a_profile_offers_to_write_and_the_form_starts_with_that_name(site, people):
    writer, reader, blocker = [await site.user(n) for n in ("profwriter", "profreader", "profblocker")]
    client = await signed_in(site, "profwriter")
    profile = await client.get("/people/profreader")
    assert 'href="/mail/new?to=profreader"' in profile.text
    form = await client.get("/mail/new?to=profreader")
    assert 'value="profreader"' in form.text
    # Nobody offers to write to themself, and a block removes the offer both ways.
    assert "/mail/new?to=" not in (await client.get("/people/profwriter")).text
    await friends.block(await site.ctx_for(writer), blocker.id)  # the blocker's profile still opens, to unblock
    blocked_profile = await client.get("/people/profblocker")
    assert blocked_profile.status_code == 200 and "/mail/new?to=" not in blocked_profile.text


async def test_suspended_pending_and_unknown_people_cannot_receive(site, people):
    await site.user("sleepy", state="suspended")
    await site.user("waiting", state="pending")
    aiko = await signed_in(site, "aiko")
    for to in ("sleepy", "waiting"):
        r = await write(aiko, to)
        assert r.status_code == 400 and f"{to} cannot receive your mail" in r.text
    r = await write(aiko, "nobody_here")
    assert r.status_code == 400 and "There is no resident called nobody_here" in r.text


@pytest.mark.parametrize("to,subject,body,expected", [
    ("", "S", "B", "Give the usernames"),
    ("bunta", "", "B", "Please fill in this field"),
    ("bunta", "S", "   ", "Please fill in this field"),
    ("bunta", "S", "x" * 1_000_000, "too long"),
])
async def test_bad_input_is_refused_clearly_and_kept(site, people, to, subject, body, expected):
    aiko = await signed_in(site, "aiko")
    r = await write(aiko, to, subject, body)
    assert r.status_code == 400 and expected in r.text
    if len(body) < 1000 and body.strip():
        assert body in r.text


async def test_too_many_recipients(site, people):
    for n in range(21):
        await site.user(f"crowd{n:02d}")
    aiko = await signed_in(site, "aiko")
    r = await write(aiko, " ".join(f"crowd{n:02d}" for n in range(21)), "Big group", "Hello all")
    assert r.status_code == 400 and "At most 20 people" in r.text and "crowd20" in r.text
    cid = conversation_of(await write(aiko, ",".join(f"crowd{n:02d}" for n in range(20)), "Twenty", "Hi"))
    assert await Participant.filter(conversation_id=cid).count() == 21


async def test_nul_characters_are_dropped_and_double_submit_posts_once(site, people):
    aiko = await signed_in(site, "aiko")
    data = {"to": "bunta", "subject": "Tok\x00en", "body": "Once\x00 only", "client_token": "tok-mail-1"}
    first = await aiko.submit("/mail/new", data)
    second = await aiko.submit("/mail/new", data)
    assert first.headers["location"] == second.headers["location"]
    message = await Message.get(client_token="tok-mail-1")
    assert message.body == "Once only"
    r = await aiko.submit(f"/mail/{message.conversation_id}/reply", {"body": "again", "client_token": "tok-r"})
    again = await aiko.submit(f"/mail/{message.conversation_id}/reply", {"body": "again", "client_token": "tok-r"})
    assert r.headers["location"] == again.headers["location"]


async def test_empty_reply_keeps_the_page(site, people):
    aiko = await signed_in(site, "aiko")
    cid = conversation_of(await write(aiko, "bunta", "Reply test"))
    r = await aiko.submit(f"/mail/{cid}/reply", {"body": " "})
    assert r.status_code == 400 and "Please fill in this field" in r.text and "Reply test" in r.text


async def test_only_participants_see_a_conversation(site, people):
    aiko = await signed_in(site, "aiko")
    cid = conversation_of(await write(aiko, "bunta", "Private matter", "Between us two"))
    for name in ("chika", "mailmod", "mailadmin"):
        client = await signed_in(site, name)
        r = await client.get(f"/mail/{cid}")
        assert r.status_code == 404 and "Between us two" not in r.text
        assert "Private matter" not in (await client.get("/mail")).text
        assert (await client.submit(f"/mail/{cid}/reply", {"body": "intrude"})).status_code == 404
    visitor = site.client()
    assert (await visitor.get(f"/mail/{cid}")).status_code in (303, 302)


async def test_a_held_message_reaches_nobody_until_approved(site, people, smtp):
    aiko, bunta = await signed_in(site, "aiko"), await signed_in(site, "bunta")
    r = await write(aiko, "bunta", "About the station", BAD)
    cid = conversation_of(r)
    message = await Message.get(conversation_id=cid)
    assert message.state == "held"
    page = await aiko.get(f"/mail/{cid}")
    assert "waits for a moderator" in page.text and "fucking" in page.text
    assert (await bunta.get(f"/mail/{cid}")).status_code == 200  # a participant, but...
    assert "fucking" not in (await bunta.get(f"/mail/{cid}")).text  # ...the held text is not shown
    assert "About the station" not in (await bunta.get("/mail")).text
    assert not await Notification.filter(user_id=people["bunta"].id, url=f"/mail/{cid}").exists()

    mod = await signed_in(site, "mailmod")
    queue = await mod.get("/moderation")
    assert "<mark>fucking</mark>" in queue.text
    flag = await Flag.get(kind="message", target_id=message.id, resolved_at=None)
    assert (await mod.submit(f"/moderation/{flag.id}", {"action": "approve"})).status_code == 303
    # At once, without anyone opening their mail: bunta is told.
    assert await Notification.filter(user_id=people["bunta"].id, url=f"/mail/{cid}").count() == 1

    inbox = await bunta.get("/mail")
    assert "About the station" in inbox.text and 'class="card unread"' in inbox.text
    assert await Notification.filter(user_id=people["bunta"].id, url=f"/mail/{cid}").count() == 1
    assert "fucking" in (await bunta.get(f"/mail/{cid}")).text
    await bunta.get("/mail")  # delivered once only
    assert await Notification.filter(user_id=people["bunta"].id, url=f"/mail/{cid}").count() == 1


async def test_a_held_reply_in_a_conversation(site, people):
    aiko, bunta = await signed_in(site, "aiko"), await signed_in(site, "bunta")
    cid = conversation_of(await write(aiko, "bunta", "Fine subject", "A fine first message"))
    await bunta.get(f"/mail/{cid}")
    r = await aiko.submit(f"/mail/{cid}/reply", {"body": BAD})
    assert r.status_code == 303
    assert "fucking" not in (await bunta.get(f"/mail/{cid}")).text
    inbox = (await bunta.get("/mail")).text
    assert f'href="/mail/{cid}">Fine subject' in inbox and f'href="/mail/{cid}"><strong>New:' not in inbox


async def test_residents_report_mail_from_others(site, people):
    aiko, bunta = await signed_in(site, "aiko"), await signed_in(site, "bunta")
    cid = conversation_of(await write(aiko, "bunta", "Odd offer", "Send me your bank details"))
    message = await Message.get(conversation_id=cid)
    page = await bunta.get(f"/mail/{cid}")
    assert f"/mail/messages/{message.id}/report" in page.text
    assert f"/mail/messages/{message.id}/report" not in (await aiko.get(f"/mail/{cid}")).text
    r = await bunta.submit(f"/mail/messages/{message.id}/report", {"reason": "scam", "conversation": cid})
    assert r.status_code == 303 and r.headers["location"] == f"/mail/{cid}"
    assert await Flag.filter(kind="message", target_id=message.id, reason="report",
                             reporter_id=people["bunta"].id).exists()
    told = await Notification.filter(user_id=people["bunta"].id, url=f"/mail/{cid}").count()
    mod = await signed_in(site, "mailmod")
    flag = await Flag.get(kind="message", target_id=message.id, reason="report")
    assert (await mod.submit(f"/moderation/{flag.id}", {"action": "mask"})).status_code == 303
    await bunta.get("/mail")
    assert await Notification.filter(user_id=people["bunta"].id, url=f"/mail/{cid}").count() == told  # not again
    chika = await signed_in(site, "chika")  # not a participant: no such message for her
    r = await chika.submit(f"/mail/messages/{message.id}/report", {"reason": "nosy", "conversation": cid})
    assert r.status_code == 404


async def test_email_notice_without_the_message(site, people, smtp):
    _, inbox = smtp
    await User.filter(id=people["daiki"].id).update(locale="ja")
    daiki = await signed_in(site, "daiki")
    settings = await daiki.get("/settings")
    assert 'name="email_on_mail"' in settings.text
    assert (await daiki.submit("/settings/mail", {"email_on_mail": "1"})).status_code == 303
    assert (await User.get(id=people["daiki"].id)).email_on_mail
    aiko = await signed_in(site, "aiko")
    await mail.drain(site.settings)  # what signing in sent (a sign-in from a new browser) is not what is tested
    inbox.messages.clear()
    cid = conversation_of(await write(aiko, "daiki, emi", "Secret plan", "The surprise party is at eight"))
    await mail.drain(site.settings)
    to_daiki = [m for rcpts, m in inbox.messages if "daiki@example.org" in rcpts]
    assert len(to_daiki) == 1 and not any("emi@example.org" in r for r, _ in inbox.messages)  # emi did not ask
    content = to_daiki[0].get_content()
    assert f"http://test.example/mail/{cid}" in content and "surprise party" not in content
    assert "メール" in content or "メッセージ" in content  # in daiki's language
    await daiki.submit("/settings/mail", {})
    assert not (await User.get(id=people["daiki"].id)).email_on_mail
