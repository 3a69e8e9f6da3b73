"""Settings › Reminders through the app: a resident adds, changes and deletes document reminders and asks for
their district's garbage days; bad input comes back next to the field with everything typed kept; the page
says it is private and is never cached; the reminders are in "Download my data"; told reminders are
forgotten by the retention job after `telling_keep_days`; administrators edit the texts of what to bring."""

import io
import json
import re
import zipfile
from datetime import date, timedelta

import pytest

from sns import tasks
from sns.models import District, User
from sns.models.base import utcnow
from sns.models.reminders import DocumentReminder, GarbageReminder, Telling
from sns.services import reminder_job
from sns.services.site import set_districts
from unit.test_i18n import _assert_japanese, english_fragments, ja_client


def soon(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


@pytest.fixture(scope="module")
async def people(site):
    admin = await site.user("rm_admin", role="admin")
    await set_districts(await site.ctx_for(admin), "Minato-machi / 港町\nHon-machi / 本町")
    minato = await District.get(name="Minato-machi / 港町")
    mika = await site.user("rm_mika")
    await User.filter(id=mika.id).update(district_id=minato.id)
    clients = {}
    for name in ("rm_mika", "rm_admin"):
        clients[name] = site.client()
        await clients[name].login(name)
    return {"mika": mika, "minato": minato, "honmachi": await District.get(name="Hon-machi / 本町"),
            "clients": clients}


async def test_a_resident_keeps_document_reminders(site, people):
    client = people["clients"]["rm_mika"]
    assert 'href="/settings/reminders"' in (await client.get("/settings")).text
    page = await client.get("/settings/reminders")
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    assert "private to you" in page.text and "never sent to other towns' sites" in page.text
    assert "used for nothing but reminding you" in page.text and "No document reminders yet." in page.text
    r = await client.submit("/settings/reminders/documents",
                            {"kind": "passport", "expires_on": soon(200), "email": "1"})
    assert r.status_code == 303
    r = await client.submit("/settings/reminders/documents",  # as typed in Japan, in full-width digits
                            {"kind": "driving_licence", "expires_on": soon(400).replace("-", "/").translate(
                                str.maketrans("0123456789", "０１２３４５６７８９")), "push": "1"})
    assert r.status_code == 303
    mine = await DocumentReminder.filter(user_id=people["mika"].id).order_by("expires_on")
    assert [(m.kind, m.expires_on.isoformat(), m.email, m.push) for m in mine] == [
        ("passport", soon(200), True, False), ("driving_licence", soon(400), False, True)]
    page = await client.get("/settings/reminders")
    assert "Saved: you will be reminded 3 months and 1 month before it expires." in page.text
    assert "Passport" in page.text and "Driving licence" in page.text and "by Web Push" in page.text
    edit = await client.get(f"/settings/reminders/documents/{mine[0].id}")
    assert edit.status_code == 200 and f'value="{soon(200)}"' in edit.text
    assert edit.headers["cache-control"] == "private, no-store"
    r = await client.submit(f"/settings/reminders/documents/{mine[0].id}",
                            {"kind": "passport", "expires_on": soon(300), "email": "1", "push": "1"})
    assert r.status_code == 303
    changed = await DocumentReminder.get(id=mine[0].id)
    assert (changed.expires_on.isoformat(), changed.push) == (soon(300), True)
    r = await client.submit(f"/settings/reminders/documents/{mine[1].id}/delete")
    assert r.status_code == 303 and not await DocumentReminder.filter(id=mine[1].id).exists()


@pytest.mark.parametrize("typed, field, message", [
    ({"expires_on": "2020-01-01"}, "expires_on", "That day has passed: give the date your document expires."),
    ({"expires_on": "2030-02-30"}, "expires_on", "There is no such date."),
    ({"expires_on": "next spring" * 100}, "expires_on", "Give the date as year-month-day, for example 2030-04-01."),
    ({"expires_on": "2090-01-01"}, "expires_on", "Give a date within 20 years."),
    ({"kind": "library_card"}, "kind", "Choose which document."),
    ({"email": "", "push": ""}, "channels", "Choose e-mail, Web Push, or both."),
])
async def test_bad_input_is_answered_next_to_the_field_and_kept(site, people, typed, field, message):
    client = people["clients"]["rm_mika"]
    form = {"kind": "residence_card", "expires_on": soon(100), "email": "1", **typed}
    before = await DocumentReminder.all().count()
    r = await client.submit("/settings/reminders/documents", form)
    assert r.status_code == 400 and message in r.text
    assert f'id="{field}-error"' in r.text
    assert f'value="{form["expires_on"][:40]}"' in r.text or field == "expires_on" and len(form["expires_on"]) > 40
    assert 'value="residence_card" selected' in r.text or field == "kind"
    assert await DocumentReminder.all().count() == before


async def test_garbage_days_default_to_my_district_and_can_stop(site, people):
    client = people["clients"]["rm_mika"]
    page = await client.get("/settings/reminders")
    assert f'value="{people["minato"].id}" selected' in page.text
    r = await client.submit("/settings/reminders/garbage", {"district_id": "no-such-district", "email": "1"})
    assert r.status_code == 400 and "Choose your district." in r.text
    r = await client.submit("/settings/reminders/garbage", {"district_id": people["honmachi"].id, "email": "1"})
    assert r.status_code == 303
    wish = await GarbageReminder.get(user_id=people["mika"].id)
    assert (wish.district_id, wish.email, wish.push) == (people["honmachi"].id, True, False)
    page = await client.get("/settings/reminders")
    assert "You are reminded of garbage days as chosen below." in page.text
    assert f'value="{people["honmachi"].id}" selected' in page.text
    r = await client.submit("/settings/reminders/garbage/stop")
    assert r.status_code == 303 and not await GarbageReminder.filter(user_id=people["mika"].id).exists()


async def test_my_reminders_are_in_download_my_data(site, people):
    client = people["clients"]["rm_mika"]
    await client.submit("/settings/reminders/garbage", {"district_id": people["minato"].id, "push": "1"})
    assert (await client.submit("/settings/data")).status_code == 303
    await tasks.run_once("data_export", site.settings, site.app.state.site)
    link = re.search(r'href="(/settings/data/exports/[^"]+/download)"', (await client.get("/settings/data")).text)
    archive = zipfile.ZipFile(io.BytesIO((await client.get(link.group(1))).content))
    mine = json.loads(archive.read("reminders.json"))
    assert [(d["kind"], d["expires_on"]) for d in mine["documents"]] == [("passport", soon(300))]
    assert mine["garbage_days"]["district"]["name"] == "Minato-machi / 港町" and mine["garbage_days"]["push"]
    assert "reminders.json" in archive.read("README.txt").decode()


async def test_administrators_write_what_to_bring_and_it_is_sent(site, people):
    admin = people["clients"]["rm_admin"]
    page = await admin.get("/admin/reminder-texts")
    assert page.status_code == 200 and "one photo (45 × 35 mm" in page.text
    r = await admin.submit("/admin/reminder-texts", {"passport_en": "Bring the old passport and ¥16,000.",
                                                     "passport_ja": "古いパスポートと16,000円をお持ちください。",
                                                     "residence_card_en": "x" * 1001})
    assert r.status_code == 400 and "at most 1000 characters" in r.text
    assert "Bring the old passport and ¥16,000." in r.text  # kept
    r = await admin.submit("/admin/reminder-texts", {"passport_en": "Bring the old passport and ¥16,000.",
                                                     "passport_ja": "古いパスポートと16,000円をお持ちください。"})
    assert r.status_code == 303
    passport = await DocumentReminder.get(user_id=people["mika"].id, kind="passport")
    await DocumentReminder.filter(id=passport.id).update(updated_at=utcnow() - timedelta(days=400))
    three_months = reminder_job.document_times(await DocumentReminder.get(id=passport.id),
                                               reminder_job.ZoneInfo(site.settings.timezone))["3m"]
    assert (await reminder_job.run_round(site.settings, now=three_months))["documents"] == 2  # mail and push
    told = await Telling.get(key=f"document:{passport.id}:{soon(300)}:3m", channel="email")
    assert "Bring the old passport and ¥16,000." in told.body and "Settings › Reminders" in told.body


async def test_told_reminders_are_forgotten_after_telling_keep_days(site, people):
    old = utcnow() - timedelta(days=site.settings.telling_keep_days + 1)
    sent = await Telling.get(user_id=people["mika"].id, channel="email", state="sent")
    waiting = await Telling.get(user_id=people["mika"].id, channel="push", state="pending")
    await Telling.filter(id__in=[sent.id, waiting.id]).update(created_at=old)
    await tasks.run_once("retention", site.settings, site.app.state.site)
    assert not await Telling.filter(id=sent.id).exists()
    assert await Telling.filter(id=waiting.id).exists(), "one still to send stays"


async def test_the_pages_are_all_japanese_for_a_japanese_reader(site, people):
    fragments = english_fragments()
    for name in ("rm_mika", "rm_admin"):
        client = ja_client(site)
        await client.login(name)
        if name == "rm_admin":  # back to the defaults (the English text an administrator typed is theirs)
            assert (await client.submit("/admin/reminder-texts", {})).status_code == 303
        passport = await DocumentReminder.get(user_id=people["mika"].id, kind="passport")
        paths = (("/settings/reminders", f"/settings/reminders/documents/{passport.id}", "/garbage",
                  f"/garbage/{people['minato'].id}") if name == "rm_mika" else
                 ("/admin/garbage", "/admin/reminder-texts"))
        for path in paths:
            await _assert_japanese(client, path, fragments)
