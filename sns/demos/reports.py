"""Demo street reports: the city's five categories routed to the demo departments, and a handful of
reports around the town's map centre in different statuses, with their public history."""

from __future__ import annotations

from sns.models import Department
from sns.demo import demo_photo
from sns.services import report_lists, reports

# (English, Japanese, the department it goes to)
CATEGORIES = (
    ("Pothole", "道路の穴", "Roads"),
    ("Fallen tree", "倒木", "Roads"),
    ("Illegal dumping", "不法投棄", "Waste (environment)"),
    ("Broken street light", "街灯の故障", "Roads"),
    ("Hazard", "危険箇所", "Disaster desk"),
)
# (reporter, category, title, description, place, lat, lon, photo?, [(status, public comment)])
REPORTS = (
    ("hanako", "Pothole", "Deep pothole in front of the post office", "Bicycles swerve into the traffic to avoid it.",
     "Minato-dori, post office", 32.5079, 130.6022, True,
     [("in_progress", "Thank you. A repair crew is booked for Thursday."),
      ("resolved", "Repaired and resurfaced on Thursday morning.")]),
    ("taro", "Broken street light", "Street light out on the river path",
     "The third light from the bridge has been dark for a week. The path is pitch black at night.",
     "Riverside path near Minato bridge", 32.5052, 130.5988, False,
     [("in_progress", "We have ordered a new lamp; it arrives next week.")]),
    ("yuki", "Illegal dumping", "古い冷蔵庫が捨てられています", "公園の裏の空き地に冷蔵庫とタイヤが捨てられています。",
     "中央公園の裏", 32.5101, 130.6054, True, []),
    ("ken", "Fallen tree", "Fallen tree blocks the school road", "After last night's wind a pine fell across the road.",
     "School road, north gate", 32.5120, 130.5969, True,
     [("in_progress", "The road is closed; a crew is cutting the tree now."),
      ("closed", "The tree is removed and the road is open again.")]),
    ("hanako", "Hazard", "Loose railing on the harbour wall", "The railing moves when you lean on it. Children play here.",
     "Harbour, east quay", 32.5035, 130.6070, False, []),
)


async def seed(as_user, users) -> None:
    admin = await as_user("admin")
    departments = {d.name: d.id for d in await Department.filter(deleted_at=None)}
    categories = {}
    for n, (name, name_ja, department) in enumerate(CATEGORIES):
        category = await report_lists.save_category(admin, name=name, name_ja=name_ja,
                                                    department=departments.get(department), position=(n + 1) * 10)
        categories[name] = category.id
    staff = await as_user("cityhall")
    for n, (who, category, title, body, place, lat, lon, photo, steps) in enumerate(REPORTS):
        report = await reports.write_report(await as_user(who), category=categories[category], title=title, body=body,
                                            place=place, lat=lat, lon=lon, photos=[demo_photo(200 + n)] if photo else [])
        for status, comment in steps:
            await reports.set_status(staff, report.id, status, comment)
    await reports.follow(await as_user("taro"), (await report_lists.public_reports(limit=50))[-1].id)
