"""Demo departments (see sns/demos/__init__.py): the city's four desks, cityhall answering for all,
and one resident's inquiry about a pothole that the roads department has answered."""

from __future__ import annotations

from sns.services import departments, inquiries

DEPARTMENTS = (
    ("Roads", "道路課", "Potholes, broken street lights, fallen trees on roads."),
    ("Waste (environment)", "環境課(ごみ)", "Rubbish collection days, illegal dumping, large items."),
    ("Welfare", "福祉課", "Support for older residents, families and people with disabilities."),
    ("Disaster desk", "防災対策室", "Shelters, evacuation, preparing for earthquakes and floods."),
)


async def seed(as_user, users) -> None:
    admin = await as_user("admin")
    made = []
    for n, (name, name_ja, description) in enumerate(DEPARTMENTS):
        department = await departments.save_department(admin, name=name, name_ja=name_ja, description=description,
                                                       position=n + 1)
        await departments.add_staff(admin, department.id, "cityhall")
        made.append(department)
    hanako = await as_user("hanako")
    inquiry = await inquiries.create_inquiry(
        hanako, department_id=made[0].id, subject="Pothole on Minato-dori",
        body="There is a deep pothole in front of the post office on Minato-dori. Bicycles swerve around it.")
    staff = await as_user("cityhall")
    await inquiries.assign(staff, inquiry.id, "cityhall")
    await inquiries.reply(staff, inquiry.id, "Thank you. Our team will repair it this week.", status="answered")
