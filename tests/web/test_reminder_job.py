"""The job "reminders" with the clock moved (`run_round(..., now=)`) across the spring daylight-saving change
of a site in Europe/Berlin (28 March 2027): each garbage-day reminder fires once at 18:00 local the evening
before, each document reminder once at 09:00 local, in the resident's language; a stale one never fires; a
round run again or four rounds at once tell nothing twice."""

import asyncio
from datetime import date, datetime, timedelta, timezone

import pytest

from fixtures import make_site
from sns import i18n
from sns.models import District, OutboxMail, User
from sns.models.reminders import DocumentReminder, Telling
from sns.services import garbage, reminder_job, reminders
from sns.services.site import set_districts
from sns.settings import Settings

UTC = timezone.utc


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture(scope="module")
async def site(tmp_path_factory):
    async with make_site(tmp_path_factory.mktemp("site"), timezone="Europe/Berlin") as s:
        yield s
    i18n.set_timezone(Settings.timezone)  # the zone of dates shown, for the modules after this one


@pytest.fixture(scope="module")
async def town(site):
    admin = await site.ctx_for(await site.user("rj_admin", role="admin"))
    await set_districts(admin, "Mitte\nPankow")
    mitte, pankow = await District.get(name="Mitte"), await District.get(name="Pankow")
    people = {"anna": (mitte, "en"), "kenji": (mitte, "ja"), "bert": (pankow, "en")}
    made = {}
    for name, (district, locale) in people.items():
        user = await site.user(f"rj_{name}")
        await User.filter(id=user.id).update(locale=locale)
        made[name] = ctx = await site.ctx_for(user)
        await reminders.save_garbage(ctx, district_id=district.id, email=True, push=False)
    for day, district in ((date(2027, 3, 25), mitte), (date(2027, 3, 28), mitte), (date(2027, 3, 29), mitte),
                          (date(2027, 3, 28), pankow)):
        await garbage.add_day(admin, district_id=district.id, day=day.isoformat(), what="Burnable garbage",
                              what_ja="可燃ごみ")
    passport = await reminders.add_document(made["anna"], kind="passport", expires_on="2027-04-28", email=True,
                                            push=False)
    await DocumentReminder.filter(id=passport.id).update(updated_at=utc(2026, 12, 1, 10))
    card = await reminders.add_document(made["kenji"], kind="residence_card", expires_on="2027-04-10", email=True,
                                        push=False)
    # added when the card had less than a month left: told once, the next morning
    await DocumentReminder.filter(id=card.id).update(updated_at=utc(2027, 3, 27, 12))
    ids = {name: ctx.user.id for name, ctx in made.items()}
    return {"ids": ids, "passport": passport.id, "card": card.id, "mitte": mitte, "admin": admin}


async def keys() -> set[str]:
    return set(await Telling.all().values_list("key", flat=True))


async def test_three_months_before_at_nine_in_the_morning(site, town):
    passport = town["passport"]
    assert await reminder_job.run_round(site.settings, now=utc(2027, 1, 28, 7, 59)) == {"documents": 0, "garbage": 0}
    assert (await reminder_job.run_round(site.settings, now=utc(2027, 1, 28, 8, 0)))["documents"] == 1  # 09:00 CET
    assert await keys() == {f"document:{passport}:2027-04-28:3m"}
    assert (await reminder_job.run_round(site.settings, now=utc(2027, 1, 28, 8, 5)))["documents"] == 0
    mail = await OutboxMail.get(to_addr="rj_anna@example.org")
    assert mail.subject == "Your Passport expires on April 28, 2027"
    assert "It expires in 90 days." in mail.body and "one photo (45 × 35 mm" in mail.body
    assert "http://test.example/settings/reminders" in mail.body


async def test_across_the_daylight_saving_change_each_fires_once_at_its_local_time(site, town):
    ids, first_seen = town["ids"], {}
    moment = utc(2027, 3, 26, 0, 0)
    while moment < utc(2027, 3, 30):
        await reminder_job.run_round(site.settings, now=moment)
        for key in await keys() - set(first_seen):
            first_seen[key] = moment
        moment += timedelta(minutes=30)
    passport, card = town["passport"], town["card"]
    winter, summer = utc(2027, 3, 27, 17, 0), utc(2027, 3, 28, 16, 0)  # 18:00 CET, then 18:00 CEST
    assert {k: v for k, v in first_seen.items() if not k.endswith(":3m")} == {
        f"garbage:{ids['anna']}:2027-03-28": winter, f"garbage:{ids['kenji']}:2027-03-28": winter,
        f"garbage:{ids['bert']}:2027-03-28": winter,
        f"garbage:{ids['anna']}:2027-03-29": summer, f"garbage:{ids['kenji']}:2027-03-29": summer,
        f"document:{passport}:2027-04-28:1m": utc(2027, 3, 28, 7, 0),  # 09:00 CEST
        f"document:{card}:2027-04-10:1m": utc(2027, 3, 28, 7, 0),  # the morning after it was added, once
    }
    assert not any(k.startswith(f"document:{card}:") and k.endswith(":3m") for k in first_seen)
    assert not any(k.endswith(":2027-03-25") for k in first_seen), "a day more than a day late is not told"
    # every occasion went out once, by mail, in the resident's language
    assert await Telling.filter(channel="email").count() == len(await keys())
    kenji = await OutboxMail.filter(to_addr="rj_kenji@example.org").order_by("created_at").values_list(
        "subject", flat=True)
    assert kenji == ["明日は可燃ごみの日です", "在留カードの有効期限は2027年4月10日です", "明日は可燃ごみの日です"]
    anna = await OutboxMail.filter(to_addr="rj_anna@example.org", subject="Tomorrow: Burnable garbage").count()
    assert anna == 2
    # the same moments again tell nothing
    told = await OutboxMail.all().count()
    for again in (winter, summer, utc(2027, 3, 28, 7, 0), utc(2027, 3, 28, 20, 0)):
        assert await reminder_job.run_round(site.settings, now=again) == {"documents": 0, "garbage": 0}
    assert await OutboxMail.all().count() == told


async def test_rounds_at_once_tell_each_resident_once(site, town):
    await garbage.add_day(town["admin"], district_id=town["mitte"].id, day="2027-04-01", what="Plastics",
                          what_ja="プラスチック")
    fire = utc(2027, 3, 31, 16, 0)
    results = await asyncio.gather(*(reminder_job.run_round(site.settings, now=fire) for _ in range(4)))
    assert sum(r["garbage"] for r in results) == 2
    for name in ("anna", "kenji"):
        user = await User.get(id=town["ids"][name])
        assert await Telling.filter(key=f"garbage:{user.id}:2027-04-01").count() == 1
    assert await OutboxMail.filter(subject__in=("Tomorrow: Plastics", "明日はプラスチックの日です")).count() == 2
