"""Demo counters (see sns/demos/__init__.py): the citizens' affairs desk with two counters that have free
times over the coming weeks, the city's holidays (Japanese public holidays and the year-end days city hall
is closed), and one appointment booked by hanako."""

from __future__ import annotations

from sns.services import appointments, counters, departments, slots

WEEK = ("mon", "tue", "wed", "thu", "fri")
COUNTERS = (
    ("Resident registration, window 3", "住民登録 3番窓口", "City hall, 1st floor / 市役所1階",
     "Your residence card or My Number card; a seal if you have one. / 在留カードまたはマイナンバーカード、印鑑(お持ちの方)",
     "08:30-12:00, 13:00-17:00", 15, 2),
    ("My Number card, window 5", "マイナンバーカード 5番窓口", "City hall, 1st floor / 市役所1階",
     "The letter you received and your identity card. / 交付通知書と本人確認書類",
     "09:00-12:00, 13:00-16:30", 20, 1),
)
HOLIDAYS = """
2026-01-01 元日 New Year's Day
2026-01-02 年始休業 New Year holidays
2026-01-03 年始休業 New Year holidays
2026-01-12 成人の日 Coming of Age Day
2026-02-11 建国記念の日 National Foundation Day
2026-02-23 天皇誕生日 The Emperor's Birthday
2026-03-20 春分の日 Vernal Equinox Day
2026-04-29 昭和の日 Showa Day
2026-05-03 憲法記念日 Constitution Memorial Day
2026-05-04 みどりの日 Greenery Day
2026-05-05 こどもの日 Children's Day
2026-05-06 振替休日 Substitute holiday
2026-07-20 海の日 Marine Day
2026-08-11 山の日 Mountain Day
2026-09-21 敬老の日 Respect for the Aged Day
2026-09-22 国民の休日 Citizens' holiday
2026-09-23 秋分の日 Autumnal Equinox Day
2026-10-12 スポーツの日 Sports Day
2026-11-03 文化の日 Culture Day
2026-11-23 勤労感謝の日 Labour Thanksgiving Day
2026-12-29 年末休業 Year-end holidays
2026-12-30 年末休業 Year-end holidays
2026-12-31 年末休業 Year-end holidays
2027-01-01 元日 New Year's Day
2027-01-02 年始休業 New Year holidays
2027-01-03 年始休業 New Year holidays
2027-01-11 成人の日 Coming of Age Day
2027-02-11 建国記念の日 National Foundation Day
2027-02-23 天皇誕生日 The Emperor's Birthday
2027-03-21 春分の日 Vernal Equinox Day
2027-03-22 振替休日 Substitute holiday
2027-04-29 昭和の日 Showa Day
2027-05-03 憲法記念日 Constitution Memorial Day
2027-05-04 みどりの日 Greenery Day
2027-05-05 こどもの日 Children's Day
2027-07-19 海の日 Marine Day
2027-08-11 山の日 Mountain Day
2027-09-20 敬老の日 Respect for the Aged Day
2027-09-23 秋分の日 Autumnal Equinox Day
2027-10-11 スポーツの日 Sports Day
2027-11-03 文化の日 Culture Day
2027-11-23 勤労感謝の日 Labour Thanksgiving Day
2027-12-29 年末休業 Year-end holidays
2027-12-30 年末休業 Year-end holidays
2027-12-31 年末休業 Year-end holidays
"""


async def seed(as_user, users) -> None:
    admin = await as_user("admin")
    desk = await departments.save_department(admin, name="Citizens' affairs", name_ja="市民課",
                                             description="Resident registration, certificates, My Number cards.",
                                             position=0)
    await departments.add_staff(admin, desk.id, "cityhall")
    await counters.import_holidays(admin, HOLIDAYS)
    made = []
    for n, (name, name_ja, place, bring, hours, minutes, capacity) in enumerate(COUNTERS):
        made.append(await counters.save_counter(
            admin, department_id=desk.id, name=name, name_ja=name_ja, place=place, what_to_bring=bring,
            hours={day: hours for day in WEEK}, slot_minutes=minutes, capacity=capacity, book_days_ahead=28,
            position=n))
    hanako = await as_user("hanako")
    first = slots.local_today(hanako.settings)
    days = await slots.days(hanako.settings, made[0], first, 14)
    later = [s for d in days[2:] for s in d.free]
    if later:
        await appointments.book(hanako, made[0].id, later[0].start,
                                note="Moving in from Kumamoto city. / 熊本市からの転入です。")
