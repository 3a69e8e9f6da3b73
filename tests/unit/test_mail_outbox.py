"""The mail outbox with a real SMTP server (aiosmtpd): a mail exists exactly when what caused it was
committed, waits while the SMTP server is down, is sent once even by two senders at once, and backs off
until it is marked failed."""

import asyncio
from datetime import timedelta

import pytest
from tortoise.transactions import in_transaction

from fixtures import free_port, smtp_server
from sns import mail
from sns.models import OutboxMail
from sns.models.base import utcnow


@pytest.fixture(autouse=True)
async def empty_outbox(site):
    await OutboxMail.all().delete()


def to_port(site, port: int, **more):
    return site.settings.replace(smtp_host="127.0.0.1", smtp_port=port, mail_from="town@test.example", **more)


async def test_a_mail_is_written_in_the_callers_transaction_and_rolled_back_with_it(site):
    with pytest.raises(RuntimeError):
        async with in_transaction() as tx:
            await mail.queue(tx, site.settings, "a@example.org", "Lost", "with what caused it")
            raise RuntimeError("the invitation could not be saved")
    async with in_transaction() as tx:
        await mail.queue(tx, site.settings, "b@example.org", "Kept", "committed")
    assert await OutboxMail.all().values_list("to_addr", "state") == [("b@example.org", "queued")]


async def test_mail_waits_while_smtp_is_down_and_is_sent_once_when_it_is_back(site):
    port = free_port()
    settings = to_port(site, port, mail_retry_seconds=1)
    row = await mail.queue(None, settings, "c@example.org", "Hello", "the town's site")
    await mail.drain(settings)  # nothing listens on the port
    waiting = await OutboxMail.get(id=row.id)
    assert waiting.state == "queued" and waiting.attempts == 1 and waiting.last_error
    assert waiting.next_at > utcnow() and waiting.claimed_until is None
    from aiosmtpd.controller import Controller
    from fixtures import Inbox

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        await mail.drain(settings)
        assert inbox.messages == []  # not due yet: its back-off is kept
        await asyncio.sleep(1.1)
        await mail.drain(settings)
        await mail.drain(settings)
    finally:
        controller.stop()
    assert [(rcpts, msg["Message-ID"]) for rcpts, msg in inbox.messages] == [(["c@example.org"], row.message_id)]
    sent = await OutboxMail.get(id=row.id)
    assert sent.state == "sent" and sent.attempts == 2 and sent.sent_at is not None and sent.last_error == ""


async def test_two_senders_at_once_send_each_mail_once(site):
    with smtp_server() as (controller, inbox):
        settings = to_port(site, controller.port)
        rows = [await mail.queue(None, settings, f"r{i}@example.org", f"Mail {i}", "body") for i in range(30)]
        await asyncio.gather(mail.send_due(settings), mail.send_due(settings), mail.send_due(settings))
        await mail.drain(settings)
    ids = sorted(msg["Message-ID"] for _, msg in inbox.messages)
    assert ids == sorted(row.message_id for row in rows)
    assert await OutboxMail.filter(state="sent").count() == 30


async def test_backoff_doubles_and_the_mail_fails_after_its_last_try(site):
    settings = to_port(site, free_port(), mail_retry_seconds=30, mail_max_attempts=3)
    assert [mail.retry_wait(settings, n).total_seconds() for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]
    row = await mail.queue(None, settings, "d@example.org", "Never", "arrives")
    waits = []
    for _ in range(3):
        before = utcnow()
        await mail.drain(settings)
        after = await OutboxMail.get(id=row.id)
        waits.append(round((after.next_at - before).total_seconds() / 30))
        await OutboxMail.filter(id=row.id).update(next_at=utcnow() - timedelta(seconds=1))  # time passes
    failed = await OutboxMail.get(id=row.id)
    assert waits[:2] == [1, 2] and failed.state == "failed" and failed.attempts == 3 and failed.last_error
    await mail.drain(settings)
    assert (await OutboxMail.get(id=row.id)).attempts == 3  # a failed mail is not tried again


async def test_without_smtp_host_mail_is_logged_and_marked_sent(site, caplog):
    settings = site.settings.replace(smtp_host="")
    row = await mail.queue(None, settings, "e@example.org", "Demo mail", "read me in the log")
    await mail.drain(settings)
    assert (await OutboxMail.get(id=row.id)).state == "sent"
    assert "Demo mail" in caplog.text


async def test_a_dead_senders_claim_holds_the_mail_only_until_it_expires(site):
    with smtp_server() as (controller, inbox):
        settings = to_port(site, controller.port)
        row = await mail.queue(None, settings, "f@example.org", "Claimed", "by a sender killed mid-send")
        await OutboxMail.filter(id=row.id).update(claimed_by="dead:1:x", claimed_until=utcnow() + timedelta(minutes=1),
                                                  attempts=1)
        await mail.drain(settings)
        assert inbox.messages == []  # another sender's claim is respected while it lasts
        await OutboxMail.filter(id=row.id).update(claimed_until=utcnow() - timedelta(seconds=1))
        await mail.drain(settings)
    assert [msg["Message-ID"] for _, msg in inbox.messages] == [row.message_id]
    assert (await OutboxMail.get(id=row.id)).state == "sent"
