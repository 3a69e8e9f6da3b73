"""Demo garbage calendar and reminders (see sns/demos/__init__.py).

Each demo district gets four weeks of collection days from tomorrow, through the real importer, from a
Shift_JIS CSV naming the districts in Japanese as a city's spreadsheet would: burnable garbage twice a week,
plastics once, cans and bottles every other week, on different weekdays per district. Hanako asks to be
reminded of her passport (expiring in four months) and of her district's garbage days.
"""

from __future__ import annotations

from datetime import timedelta

from sns.services import garbage, reminders
from sns.services.site import district_of, districts

WEEKLY = (  # (weekday offsets in the district's week, English, Japanese)
    ((0, 3), "Burnable garbage", "可燃ごみ"),
    ((1,), "Plastic containers and packaging", "プラスチック製容器包装"),
)
FORTNIGHTLY = ((4,), "Cans, bottles and PET bottles", "缶・びん・ペットボトル")
WEEKS = 4


def calendar_csv(names: list[str], start) -> bytes:
    lines = ["date,district,what,what_ja"]
    for n, name in enumerate(names):
        for week in range(WEEKS):
            rules = WEEKLY + ((FORTNIGHTLY,) if week % 2 == n % 2 else ())
            for offsets, what, what_ja in rules:
                for offset in offsets:
                    day = start + timedelta(days=week * 7 + (offset + n) % 7)
                    lines.append(f"{day.isoformat()},{name},{what},{what_ja}")
    return "\r\n".join([*lines, ""]).encode("cp932")


async def seed(as_user, users) -> None:
    admin = await as_user("admin")
    listed = await districts()
    japanese = [d.name.split("/")[-1].strip() for d in listed]
    start = reminders.local_today(admin.settings) + timedelta(days=1)
    await garbage.import_calendar(admin, calendar_csv(japanese, start))
    hanako = await as_user("hanako")
    await reminders.add_document(hanako, kind="passport",
                                 expires_on=(start + timedelta(days=120)).isoformat(), email=True, push=False)
    home = await district_of(hanako.user)
    await reminders.save_garbage(hanako, district_id=(home or listed[0]).id, email=True, push=False)
