"""Delete my account (docs/privacy.md, "Leaving"): asking with the password, signed out, signing in cancels,
and after the grace period the job leaves nothing of the person's private content in the database, the
media directory or the search index; public posts stay under "a former resident" or go, as chosen."""

from __future__ import annotations

import json
from datetime import timedelta

import pyotp
import pytest
from tortoise import Tortoise, connections

from fixtures import PASSWORD, jpeg_with_gps, make_site
from sns import mail, tasks
from sns.media import photo_path
from sns.models import (
    AccountDeletion, AccountEvent, Community, Conversation, Diary, Event, Message, Notification, Photo, Rsvp, User,
)
from sns.models.base import utcnow
from sns.services import (
    albums, communities, diaries, erasure, events, friends, mailbox, memberships, rsvps, second_factor,
)
from sns.services.erasure_table import DECISIONS, REMOVED


@pytest.fixture(scope="module")
async def site(tmp_path_factory, smtp):
    controller, _ = smtp
    async with make_site(tmp_path_factory.mktemp("leaving"), smtp_host="127.0.0.1", smtp_port=controller.port,
                         mail_from="town@test.example") as s:
        yield s


async def _ask(client, keep: str = "keep", password: str = PASSWORD):
    await client.get("/settings/delete")
    return await client.submit("/settings/delete", {"keep": keep, "password": password})


def _mail_to(inbox, address: str, about: str = "deleted"):
    """The newest message the SMTP server received for `address` whose subject says `about` (the outbox sends
    several at once, in no set order: a sign-in from a new browser is mailed too)."""
    return next(msg for rcpts, msg in reversed(inbox.messages) if rcpts == [address] and about in msg["Subject"])


async def _due_now(user_id: str) -> None:
    await AccountDeletion.filter(user_ref=user_id, state="waiting").update(due_at=utcnow() - timedelta(seconds=1))


async def test_a_wrong_password_keeps_the_choice_and_signs_nobody_out(site):
    await site.user("wavering")
    client = site.client()
    await client.login("wavering")
    page = await client.get("/settings/delete")
    assert page.status_code == 200 and "a former resident" in page.text
    assert page.headers["cache-control"] == "private, no-store"
    refused = await _ask(client, keep="remove", password="not my password at all")
    assert refused.status_code == 400 and "Your password is not right." in refused.text
    assert 'value="remove" checked' in refused.text
    assert (await client.get("/home")).status_code == 200  # still signed in
    assert not await AccountDeletion.filter(user_ref=(await User.get(username="wavering")).id).exists()


async def test_asking_signs_out_mails_the_date_and_signing_in_cancels(site, smtp):
    _, inbox = smtp
    user = await site.user("hesitant", email="hesitant@example.org")
    phone, laptop = site.client(), site.client()
    await phone.login("hesitant")
    await laptop.login("hesitant")
    asked = await _ask(phone)
    assert asked.status_code == 303
    told = await phone.get(asked.headers["location"])
    assert "Your account will be deleted after the grace period" in told.text
    assert (await laptop.get("/home")).status_code == 303  # signed out everywhere
    assert (await phone.get("/home")).status_code == 303
    deletion = await AccountDeletion.get(user_ref=user.id)
    assert deletion.state == "waiting" and deletion.keep_public
    assert timedelta(days=13) < deletion.due_at - utcnow() <= timedelta(days=14)
    await mail.drain(site.settings)
    msg = _mail_to(inbox, "hesitant@example.org")
    assert "deleted" in msg["Subject"]
    assert "sign in before that date" in msg.get_content()

    back = site.client()
    signed_in = await back.login("hesitant")
    page = await back.get(signed_in.headers["location"])
    assert "Your account will not be deleted" in page.text
    assert (await AccountDeletion.get(id=deletion.id)).state == "cancelled"
    kinds = await AccountEvent.filter(user_id=user.id).values_list("kind", flat=True)
    assert "deletion_asked" in kinds and "deletion_cancelled" in kinds
    await tasks.run_once("account_deletion", site.settings, site.app.state.site)
    assert (await User.get(id=user.id)).deleted_at is None


async def test_an_account_with_a_second_factor_gives_a_code_too(site):
    user = await site.user("guarded")
    client = site.client()
    await client.login("guarded")  # signed in, then adds an authenticator app
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    await second_factor.add_totp(await site.ctx_for(user), user, "phone", secret, totp.now())
    page = await client.get("/settings/delete")
    assert 'name="code"' in page.text
    refused = await client.submit("/settings/delete", {"keep": "remove", "password": PASSWORD, "code": "123456"})
    assert refused.status_code == 400 and 'value="remove" checked' in refused.text and 'id="code-error"' in refused.text
    assert not await AccountDeletion.filter(user_ref=user.id).exists()
    later = totp.at(utcnow() + timedelta(seconds=30))
    asked = await client.submit("/settings/delete", {"keep": "remove", "password": PASSWORD, "code": later})
    assert asked.status_code == 303
    assert (await AccountDeletion.get(user_ref=user.id)).keep_public is False


async def test_the_confirmation_is_in_the_persons_language(site, smtp):
    _, inbox = smtp
    user = await site.user("hanayo", email="hanayo@example.org")
    await User.filter(id=user.id).update(locale="ja")
    client = site.client()
    await client.login("hanayo")
    assert (await _ask(client)).status_code == 303
    await mail.drain(site.settings)
    msg = _mail_to(inbox, "hanayo@example.org", about="削除")
    assert msg["Subject"] == "アカウントの削除について"
    assert "その日までにログインすると削除は取り消されます" in msg.get_content()


async def test_a_conversation_everyone_else_has_left_goes_whole(site):
    leaver, left, stays = await site.user("mailer"), await site.user("gone_before"), await site.user("still_here")
    also_left = await site.user("gone_too")
    lctx = await site.ctx_for(leaver)
    first = await mailbox.start_conversation(lctx, to=[left.username, also_left.username], subject="Old times",
                                             body="Do you remember")
    await mailbox.reply(await site.ctx_for(left), first.conversation_id, "The answer zephyrleftreply")
    await mailbox.leave(await site.ctx_for(left), first.conversation_id)
    earlier = site.client()  # gone_too leaves the site first: the conversation stays, the mailer is still in it
    await earlier.login("gone_too")
    assert (await _ask(earlier)).status_code == 303
    await _due_now(also_left.id)
    await tasks.run_once("account_deletion", site.settings, site.app.state.site)
    assert (await Conversation.get(id=first.conversation_id)).deleted_at is None
    second = await mailbox.start_conversation(lctx, to=stays.username, subject="Hi", body="Hello there")
    await mailbox.reply(await site.ctx_for(stays), second.conversation_id, "Their own words zephyrstays")
    client = site.client()
    await client.login("mailer")
    assert (await _ask(client)).status_code == 303
    await _due_now(leaver.id)
    await tasks.run_once("account_deletion", site.settings, site.app.state.site)
    gone = await Conversation.get(id=first.conversation_id)
    assert gone.deleted_at is not None and gone.subject == ""
    assert await Message.filter(conversation_id=gone.id, deleted_at=None).count() == 0  # the other's reply too
    assert "zephyrleftreply" not in await _stored_text()
    kept = await Conversation.get(id=second.conversation_id)
    assert kept.deleted_at is None
    assert await Message.filter(conversation_id=kept.id, deleted_at=None).values_list("body", flat=True) == \
        ["Their own words zephyrstays"]
    other = site.client()
    await other.login("still_here")
    page = await other.get(f"/mail/{kept.id}")
    assert page.status_code == 200 and "zephyrstays" in page.text and "Hello there" not in page.text


async def test_the_persons_place_at_an_event_goes_to_the_waiting_list(site):
    organizer, leaver, waiting = await site.user("teahost"), await site.user("teaguest"), await site.user("teawait")
    start = utcnow() + timedelta(days=3)
    event = await events.post_event(await site.ctx_for(organizer), title="Small tea", starts_at=start,
                                    ends_at=start + timedelta(hours=1), capacity=1)
    await rsvps.answer_event(await site.ctx_for(leaver), event.id, "going")
    assert (await rsvps.answer_event(await site.ctx_for(waiting), event.id, "going")).waitlisted
    club = await communities.open_community(await site.ctx_for(organizer), name="Tea club", description="Tea")
    await memberships.join(await site.ctx_for(leaver), club.id)
    assert (await Community.get(id=club.id)).member_count == 2
    client = site.client()
    await client.login("teaguest")
    assert (await _ask(client)).status_code == 303
    await _due_now(leaver.id)
    await tasks.run_once("account_deletion", site.settings, site.app.state.site)
    assert (await Event.get(id=event.id)).going_count == 1
    assert not (await Rsvp.get(event_id=event.id, user_id=waiting.id)).waitlisted
    assert await Notification.filter(user_id=waiting.id, kind="waitlist_promoted").exists()
    assert (await Community.get(id=club.id)).member_count == 1


async def _stored_text() -> str:
    """Every row of every table (the search index too), as one text."""
    out = []
    for model in Tortoise.apps["models"].values():
        out.append(json.dumps(await model.all().values(), default=str, ensure_ascii=False))
    conn = connections.get("default")
    out.append(json.dumps(await conn.execute_query_dict("SELECT * FROM search_docs"), default=str))
    return "\n".join(out)


async def _rows_naming(user_id: str) -> dict[str, int]:
    """Rows that point at the person, per model the decision table says are removed (tombstones, which must
    name what they remove, aside; and a conversation the others still hold, which names who started it)."""
    found = {}
    for name, model in Tortoise.apps["models"].items():
        if DECISIONS[name][0] != REMOVED:
            continue
        for field, info in model._meta.fields_map.items():
            if getattr(info, "related_model", None) is User and field + "_id" in model._meta.fields_db_projection:
                if f"{name}.{field}" == "Conversation.started_by":
                    continue
                rows = model.filter(**{field + "_id": user_id})
                if "deleted_at" in model._meta.fields_db_projection:
                    rows = rows.filter(deleted_at=None)
                n = await rows.count()
                if n:
                    found[f"{name}.{field}"] = n
    return found


@pytest.mark.parametrize("keep", ["keep", "remove"])
async def test_after_the_grace_period_nothing_private_is_left(site, keep):
    leaver = await site.user(f"leaver_{keep}", email=f"leaver_{keep}@example.org", display_name="Leaving Lena")
    friend = await site.user(f"friend_{keep}")
    lctx = await site.ctx_for(leaver)
    await friends.request_friend(lctx, friend.id)
    await friends.accept(await site.ctx_for(friend), leaver.id)
    lctx = await site.ctx_for(leaver)
    public = await diaries.write_diary(lctx, title="Harbour festival", body=f"Lanterns everywhere zephyrpublic{keep}",
                                       visibility="public")
    secret = await diaries.write_diary(lctx, title="Quiet thoughts", body="Only friends read zephyrsecret",
                                       visibility="friends", photos=[jpeg_with_gps()])
    fctx = await site.ctx_for(friend)
    await diaries.add_comment(fctx, secret.id, "A friend's answer zephyrcomment")
    await mailbox.start_conversation(lctx, to=friend.username, subject="Hello zephyrsubject", body="Dear friend zephyrmail")
    earlier = await diaries.write_diary(lctx, title="Regrets", body="Deleted before zephyrearlier", visibility="public")
    await diaries.delete_diary(lctx, earlier.id)  # its tombstone and history still hold the text, until now
    album = await albums.create_album(lctx, title="Holiday zephyralbum", visibility="friends")
    await albums.add_photos(lctx, album.id, [jpeg_with_gps("blue")])
    photo_ids = await Photo.filter(owner_id=leaver.id).values_list("id", flat=True)
    assert len(photo_ids) == 2 and all(photo_path(site.settings.media_dir, p).exists() for p in photo_ids)

    stranger = site.client()  # no relation to the leaver: nothing of theirs but the diary's name moves
    await site.user(f"stranger_{keep}")
    await stranger.login(f"stranger_{keep}")
    for _ in range(2):  # the second answer is the page kept for this reader
        assert "Leaving Lena" in (await stranger.get(f"/diaries/{public.id}")).text

    client = site.client()
    await client.login(leaver.username)
    assert (await _ask(client, keep=keep)).status_code == 303
    await tasks.run_once("account_deletion", site.settings, site.app.state.site)
    assert (await User.get(id=leaver.id)).deleted_at is None  # not before its date
    await mail.drain(site.settings)  # the confirmation went out during the grace period
    await _due_now(leaver.id)
    await tasks.run_once("account_deletion", site.settings, site.app.state.site)
    await tasks.run_once("account_deletion", site.settings, site.app.state.site)  # again: nothing more to do

    assert (await AccountDeletion.get(user_ref=leaver.id)).state == "done"
    tomb = await User.get(id=leaver.id)
    assert tomb.deleted_at is not None and tomb.email == "" and tomb.password_hash == ""
    assert tomb.display_name == "a former resident" and leaver.username not in tomb.username
    stored = await _stored_text()
    for word in ("zephyrsecret", "zephyrcomment", "zephyrmail", "zephyrsubject", "zephyralbum", "Quiet thoughts",
                 "zephyrearlier",
                 "Leaving Lena", f"leaver_{keep}@example.org"):
        assert word not in stored, word
    assert (f"zephyrpublic{keep}" in stored) == (keep == "keep")
    assert await _rows_naming(leaver.id) == {}
    for p in photo_ids:
        assert not photo_path(site.settings.media_dir, p).exists()
        assert not photo_path(site.settings.media_dir, p, thumb=True).exists()

    reader = site.client()
    await reader.login(friend.username)
    assert (await reader.get(f"/diaries/{secret.id}")).status_code == 404
    if keep == "keep":  # the kept page is not answered again with the old name
        assert "Leaving Lena" not in (await stranger.get(f"/diaries/{public.id}")).text
    shown = await reader.get(f"/diaries/{public.id}")
    if keep == "keep":
        assert shown.status_code == 200 and "a former resident" in shown.text and "Leaving Lena" not in shown.text
    else:
        assert shown.status_code == 404
    found = await reader.get("/search", params={"q": "zephyrsecret"})
    assert "Quiet thoughts" not in found.text
    assert ("Harbour festival" in (await reader.get("/search", params={"q": f"zephyrpublic{keep}"})).text) == (keep == "keep")
    assert (await reader.get(f"/people/{leaver.username}")).status_code == 404
    # the leaver cannot sign in any more
    refused = await site.client().submit("/login", {"username": leaver.username, "password": PASSWORD})
    assert refused.status_code != 303
    assert await Diary.filter(id=secret.id).values_list("title", flat=True) == [""]


async def test_the_last_administrator_cannot_leave(site):
    for admin in await User.filter(role="admin"):
        admin.role = "resident"
        await admin.save(update_fields=["role"])
    await site.user("onlymayor", role="admin")
    client = site.client()
    await client.login("onlymayor")
    page = await client.get("/settings/delete")
    assert "only administrator" in page.text and 'name="password"' not in page.text
    refused = await client.submit("/settings/delete", {"keep": "keep", "password": PASSWORD})
    assert refused.status_code == 403
    await site.user("deputymayor", role="admin")
    assert (await _ask(client)).status_code == 303


async def test_a_deletion_stopped_half_way_is_finished_by_the_next_round(site):
    """Each kind goes in its own transaction: a round killed after some of them leaves the deletion waiting,
    and the next round finishes it without doing anything twice."""
    leaver = await site.user("interrupted")
    lctx = await site.ctx_for(leaver)
    kept = await diaries.write_diary(lctx, title="Town walk", body="Everyone may read this", visibility="members")
    gone = await diaries.write_diary(lctx, title="Diary for me", body="zephyrhalfway", visibility="private")
    client = site.client()
    await client.login("interrupted")
    assert (await _ask(client)).status_code == 303
    await _due_now(leaver.id)
    deletion = await AccountDeletion.get(user_ref=leaver.id)
    job = erasure.Erasure(site.settings, deletion, leaver.email)
    for step in erasure.STEPS[:3]:  # the lock, the diaries, the comments; then the process dies
        await step(job)
    assert (await AccountDeletion.get(id=deletion.id)).state == "waiting"
    versions = dict(await Diary.filter(author_id=leaver.id).values_list("id", "version"))
    await tasks.run_once("account_deletion", site.settings, site.app.state.site)
    assert (await AccountDeletion.get(id=deletion.id)).state == "done"
    assert dict(await Diary.filter(author_id=leaver.id).values_list("id", "version")) == versions  # not again
    assert (await Diary.get(id=gone.id)).deleted_at is not None and (await Diary.get(id=kept.id)).deleted_at is None
    assert (await User.get(id=leaver.id)).deleted_at is not None
