"""Reminders, as a table: viewer x page x action, by the rulebook (`sns/policies/reminders.py`) and through
the app. Only its owner sees or changes a reminder (anyone else, administrators too, gets "not found"); only
administrators edit the garbage calendar and the reminder texts; everyone reads the calendar; a visitor is
sent to sign in."""

from datetime import date, timedelta

import pytest

from sns.models import User
from sns.models.reminders import DocumentReminder
from sns.policies import load_viewer
from sns.policies.reminders import (
    can_edit_reminder_texts, can_keep_reminders, can_manage_garbage_calendar, can_read_garbage_calendar,
    can_see_reminder,
)
from sns.services import reminders

VIEWERS = ("anonymous", "owner", "resident", "moderator", "admin")


@pytest.fixture(scope="module")
async def table(site):
    users = {"owner": await site.user("pr_owner"), "resident": await site.user("pr_resident"),
             "moderator": await site.user("pr_mod", role="moderator"),
             "admin": await site.user("pr_admin", role="admin")}
    expires = (date.today() + timedelta(days=300)).isoformat()
    reminder = await reminders.add_document(await site.ctx_for(users["owner"]), kind="passport", expires_on=expires,
                                            email=True, push=False)
    clients = {"anonymous": site.client()}
    for kind, user in users.items():
        clients[kind] = site.client()
        await clients[kind].login(user.username)
    return {"users": users, "reminder": reminder, "clients": clients}


async def viewer_of(table, kind):
    return await load_viewer(None if kind == "anonymous" else await User.get(id=table["users"][kind].id))


@pytest.mark.parametrize("kind", VIEWERS)
async def test_rulebook(table, kind):
    v = await viewer_of(table, kind)
    assert can_keep_reminders(v) == (kind != "anonymous")
    assert can_see_reminder(v, table["reminder"]) == (kind == "owner")
    assert can_manage_garbage_calendar(v) == can_edit_reminder_texts(v) == (kind == "admin")
    assert can_read_garbage_calendar(v)


@pytest.mark.parametrize("kind", VIEWERS)
async def test_through_the_pages(site, table, kind):
    client, reminder = table["clients"][kind], table["reminder"]
    mine = await client.get("/settings/reminders")
    one = await client.get(f"/settings/reminders/documents/{reminder.id}")
    link = f'href="/settings/reminders/documents/{reminder.id}"'
    changed = await client.submit(f"/settings/reminders/documents/{reminder.id}",
                                  {"kind": "passport", "expires_on": "2031-01-01" if kind != "owner" else
                                   reminder.expires_on.isoformat(), "email": "1"})
    # the owner deletes theirs in tests/web/test_reminders.py; here it stays for the viewers after
    deleted = await client.submit(f"/settings/reminders/documents/{reminder.id}/delete") if kind != "owner" else None
    if kind == "anonymous":
        assert {r.status_code for r in (mine, one)} == {303} and mine.headers["location"].startswith("/login")
        assert {changed.status_code, deleted.status_code} <= {303, 403}  # no session: to sign in, or refused
    elif kind == "owner":
        assert mine.status_code == one.status_code == 200 and link in mine.text and changed.status_code == 303
    else:
        assert mine.status_code == 200 and link not in mine.text, "my page lists only my reminders"
        assert one.status_code == changed.status_code == deleted.status_code == 404, "not there, never forbidden"
        assert one.headers["cache-control"] == "private, no-store"
    if kind != "owner":
        still = await DocumentReminder.get(id=reminder.id)
        assert still.expires_on == reminder.expires_on
    for path in ("/admin/garbage", "/admin/reminder-texts"):
        answer = await client.get(path)
        expected = {"anonymous": 303, "admin": 200}.get(kind, 403)
        assert answer.status_code == expected, path
    assert (await client.get("/garbage")).status_code == 200
