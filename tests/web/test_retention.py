"""Keeping less: one round of the job `retention` removes exactly what is past its time (notifications, the
sign-in lines of the account log, sent mail, expired sessions, spent links and codes, old check-ins as
journaled tombstones) and keeps everything else; a second round removes nothing; a big backlog goes whole."""

import logging
from datetime import timedelta

from sns import mail, tasks
from sns.models import (
    AccountEvent, ActingSession, DisasterEvent, FactorReset, Invitation, JournalEntry, KnownBrowser, Notification,
    OutboxMail, PasswordReset, RateCount, RecoveryCode, SafetyCheckin, Session,
)
from sns.models.alert_notices import AlertNotice
from sns.models.base import utcnow
from sns.services import account_log, accounts, disaster, notifications, safety


def ago(**delta):
    return utcnow() - timedelta(**delta)


async def backdate(model, row_id, **times):
    await model.filter(**{model._meta.pk_attr: row_id}).update(**times)


async def retention_round(site):
    await tasks.run_once("retention", site.settings, site.app.state.site)


async def ids(model, **where):
    return set(await model.filter(**where).values_list(model._meta.pk_attr, flat=True))


async def checkins_of_three_events(site):
    """An event that ended 40 days ago, one that ended today, one still on: a check-in of each (made 40
    days ago, as far as its row says), and the resident's earlier check-in in the first one."""
    desk, rin = await site.user("retdesk", "disaster"), await site.user("retrin")
    staff, resident = await site.ctx_for(desk), await site.ctx_for(rin)
    made = {}
    for name in ("long over", "just over", "still on"):
        event = await disaster.start_event(staff, name=f"Flood, {name}", kind="flood")
        if name == "long over":
            made["earlier"] = await safety.check_in(resident, status="need_help", message="Trapped upstairs",
                                                    place="2-3 Kawa-machi", lat="32.5", lon="130.6")
        made[name] = await safety.check_in(resident, status="safe", message="At the school", place="Gym")
        await backdate(SafetyCheckin, made[name].id, created_at=ago(days=40))
        if name != "still on":
            await disaster.end_event(staff)
        if name == "long over":
            await backdate(DisasterEvent, event.id, ended_at=ago(days=40))
    return made


async def test_one_round_removes_exactly_what_is_past_its_time(site, caplog):
    s = site.settings
    ana, ben = await site.user("retana", "admin"), await site.user("retben")
    checkins = await checkins_of_three_events(site)

    await notifications.notify([ben.id], "reply", url="/diaries/old", subject="Old lanterns")
    await notifications.notify([ben.id], "reply", url="/diaries/new", subject="New lanterns")
    old_note = await Notification.get(user_id=ben.id, url="/diaries/old")
    await backdate(Notification, old_note.id, created_at=ago(days=s.notification_keep_days + 10))
    await backdate(Notification, (await Notification.get(user_id=ben.id, url="/diaries/new")).id,
                   created_at=ago(days=s.notification_keep_days - 10), read_at=ago(days=1))

    old_sign_in = await account_log.record(ben.id, "sign_in", ip="192.0.2.1", detail="password")
    old_refusal = await account_log.record(ben.id, "second_factor_refused", ip="192.0.2.1")
    old_change = await account_log.record(ben.id, "password_changed", ip="192.0.2.1")
    new_sign_in = await account_log.record(ben.id, "sign_in", ip="192.0.2.2", detail="password")
    for row in (old_sign_in, old_refusal, old_change):
        await backdate(AccountEvent, row.id, created_at=ago(days=s.sign_in_log_keep_days + 1))
    await backdate(AccountEvent, new_sign_in.id, created_at=ago(days=s.sign_in_log_keep_days - 1))

    outbox = {name: await mail.queue(None, s, f"{name}@example.org", name, "body")
              for name in ("old_sent", "old_failed", "old_queued", "new_sent")}
    old = ago(days=s.mail_outbox_keep_days + 1)
    await backdate(OutboxMail, outbox["old_sent"].id, state="sent", created_at=old, sent_at=old)
    await backdate(OutboxMail, outbox["old_failed"].id, state="failed", created_at=old)
    await backdate(OutboxMail, outbox["old_queued"].id, created_at=old)  # still waiting for the SMTP server
    await backdate(OutboxMail, outbox["new_sent"].id, state="sent", created_at=ago(days=1), sent_at=ago(days=1))

    sessions = {name: await accounts.start_session(ben, "Firefox", "192.0.2.3", stage=stage)
                for name, stage in (("expired", "signed_in"), ("current", "signed_in"),
                                    ("abandoned", "password"), ("pending", "password"))}
    await backdate(Session, sessions["expired"].id, created_at=ago(days=s.session_days + 1))
    await backdate(Session, sessions["current"].id, created_at=ago(days=s.session_days - 1))
    await backdate(Session, sessions["abandoned"].id, created_at=ago(hours=2))

    resets = [await PasswordReset.create(token_hash=f"retreset{n}", user=ben, expires_at=at, used_at=used)
              for n, (at, used) in enumerate([(ago(days=40), None), (ago(days=1), ago(days=31)),
                                              (ago(days=1), None), (ago(days=-1), None)])]
    invites = [await Invitation.create(token_hash=f"retinvite{n}", invited_by=ana, email="friend@example.org",
                                       expires_at=at, used_at=used)
               for n, (at, used) in enumerate([(ago(days=31), None), (ago(days=5), None), (ago(days=-9), None)])]
    codes = [await RecoveryCode.create(user=ben, code_hash=f"h{n}", used_at=used)
             for n, used in enumerate([ago(days=31), ago(days=2), None])]
    year = s.sign_in_log_keep_days
    factor_resets = [await FactorReset.create(user=ben, asked_by=ana, state=state, expires_at=expires,
                                              decided_by=ana if decided else None, decided_at=decided)
                     for state, expires, decided in [("done", ago(days=year + 3), ago(days=year + 1)),
                                                     ("waiting", ago(days=year + 1), None),
                                                     ("cancelled", ago(days=10), ago(days=11)),
                                                     ("waiting", ago(days=-1), None)]]
    browsers = [await KnownBrowser.create(user=ben, browser_hash=f"b{n}", last_seen_at=seen)
                for n, seen in enumerate([ago(days=year + 1), ago(days=3)])]
    alert_notices = [await AlertNotice.create(step_id=f"retstep{n}", alert_id="a", user=ben, channel="email",
                                              target="email", state=state, created_at=at)
                     for n, (state, at) in enumerate([("sent", ago(days=s.notification_keep_days + 1)),
                                                       ("pending", ago(days=s.notification_keep_days + 1)),
                                                       ("sent", ago(days=1))])]
    acting = [await ActingSession.create(id=f"retacting{n}", origin="east.example", user_id="u", username="kai",
                                         role="fire", code_id=f"c{n}", expires_at=at)
              for n, at in enumerate([ago(days=s.session_days + 1), ago(hours=1)])]
    now_s = int(utcnow().timestamp())
    await RateCount.create(key="logins:retold", window_start=now_s - 3 * 86400, hits=3)
    await RateCount.create(key="logins:retnew", window_start=now_s - 900, hits=2)
    journal_before = await JournalEntry.filter(kind="safety_checkin").count()

    with caplog.at_level(logging.INFO, logger="sns.services.retention"):
        await retention_round(site)

    assert await ids(Notification, user_id=ben.id) == {(await Notification.get(url="/diaries/new")).id}
    assert await ids(AccountEvent, user_id=ben.id) == {old_change.id, new_sign_in.id}  # changes stay
    assert await ids(OutboxMail, id__in=[m.id for m in outbox.values()]) == \
        {outbox["old_queued"].id, outbox["new_sent"].id}
    assert await ids(Session, user_id=ben.id) == {sessions["current"].id, sessions["pending"].id}
    assert await ids(PasswordReset, user_id=ben.id) == {resets[2].id, resets[3].id}
    assert await ids(Invitation, invited_by_id=ana.id) == {invites[1].id, invites[2].id}
    assert await ids(RecoveryCode, user_id=ben.id) == {codes[1].id, codes[2].id}
    assert await ids(FactorReset, user_id=ben.id) == {factor_resets[2].id, factor_resets[3].id}
    assert await ids(KnownBrowser, user_id=ben.id) == {browsers[1].id}
    assert await ids(AlertNotice, user_id=ben.id) == {alert_notices[1].id, alert_notices[2].id}
    assert await ids(ActingSession, origin="east.example") == {acting[1].id}
    assert await ids(RateCount, key__startswith="logins:ret") == {"logins:retnew"}

    # the check-ins of the event that ended 40 days ago are tombstones, emptied; the others are untouched
    gone = [checkins["earlier"].id, checkins["long over"].id]
    for checkin_id in gone:
        row = await SafetyCheckin.get(id=checkin_id)
        assert row.deleted_at is not None and (row.message, row.place, row.lat, row.lon) == ("", "", None, None)
    for name in ("just over", "still on"):
        row = await SafetyCheckin.get(id=checkins[name].id)
        assert row.deleted_at is None and row.message == "At the school"
    # each removal is journaled as a tombstone (what neighbours apply), holding no message or place
    assert await JournalEntry.filter(kind="safety_checkin").count() == journal_before + 2
    for checkin_id in gone:
        newest = await JournalEntry.filter(kind="safety_checkin", record_id=checkin_id).order_by("-seq").first()
        assert newest.payload["deleted_at"] and newest.version == (await SafetyCheckin.get(id=checkin_id)).version
        assert newest.payload["message"] == "" and newest.payload["place"] == "" and newest.payload["lat"] is None
    # and our journal's earlier entries of them no longer hold the message or the place either
    history = await JournalEntry.filter(kind="safety_checkin", record_id__in=gone).values_list("payload", flat=True)
    assert len(history) == 5 and all((p["message"], p["place"], p["lat"]) == ("", "", None) for p in history)
    kept = await JournalEntry.filter(kind="safety_checkin", record_id=checkins["just over"].id).first()
    assert kept.payload["message"] == "At the school" and kept.payload["place"] == "Gym"

    lines = [r.getMessage() for r in caplog.records if r.name == "sns.services.retention"]
    assert len(lines) == 1 and "1 notifications" in lines[0] and "2 safety_checkins" in lines[0], lines

    # the resident's page shows what is left
    client = site.client()
    await client.login("retben")
    page = (await client.get("/notifications")).text
    assert "New lanterns" in page and "Old lanterns" not in page

    # a second round right away removes nothing more (and says nothing)
    tables = (Notification, AccountEvent, OutboxMail, Session, PasswordReset, Invitation, RecoveryCode, FactorReset,
              KnownBrowser, AlertNotice, ActingSession, RateCount, SafetyCheckin, JournalEntry)
    before = [await model.all().count() for model in tables]
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="sns.services.retention"):
        await retention_round(site)
    assert [await model.all().count() for model in tables] == before
    assert [r for r in caplog.records if r.name == "sns.services.retention"] == []


async def test_a_big_backlog_of_old_notifications_goes_whole(site):
    cho = await site.user("retcho")
    old = ago(days=site.settings.notification_keep_days + 1)
    await Notification.bulk_create([Notification(user_id=cho.id, kind="reply", url=f"/diaries/{n}",
                                                 subject=f"Old {n}", created_at=old) for n in range(2500)])
    await notifications.notify([cho.id], "reply", url="/diaries/fresh", subject="Fresh")
    await retention_round(site)
    assert await Notification.filter(user_id=cho.id).values_list("url", flat=True) == ["/diaries/fresh"]


async def test_the_settings_decide_how_long(site):
    dan = await site.user("retdan")
    await notifications.notify([dan.id], "reply", url="/diaries/week", subject="A week old")
    await backdate(Notification, (await Notification.get(user_id=dan.id)).id, created_at=ago(days=7))
    await retention_round(site)
    assert await Notification.filter(user_id=dan.id).count() == 1
    await tasks.run_once("retention", site.settings.replace(notification_keep_days=5), site.app.state.site)
    assert await Notification.filter(user_id=dan.id).count() == 0
