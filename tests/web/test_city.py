"""Contact the city through the pages: administrators keep the departments; a resident writes;
the department's staff share an inbox, answer, assign and set the status; the resident follows it."""

from __future__ import annotations

import pytest

from fixtures import jpeg_with_gps
from sns.models import Department, Flag, Inquiry, InquiryEntry, Notification, Photo

BAD = "What a fucking mess at the station"


@pytest.fixture(scope="module")
async def town(site):
    people = {
        "admin": await site.user("cityadmin", role="admin"),
        "roadie": await site.user("roadie", role="staff"),
        "roadie2": await site.user("roadie2", role="staff"),
        "carer": await site.user("carer", role="staff"),
        "resident": await site.user("mika"),
        "other": await site.user("noriko"),
        "mod": await site.user("citymod", role="moderator"),
    }
    admin = await signed_in(site, "cityadmin")
    for name, name_ja, pos in (("Roads", "道路課", "1"), ("Welfare", "福祉課", "2")):
        r = await admin.submit("/admin/departments", {"name": name, "name_ja": name_ja, "position": pos,
                                                      "description": f"{name} desk"})
        assert r.status_code == 303, r.text
    roads, welfare = await Department.get(name="Roads"), await Department.get(name="Welfare")
    for dept, username in ((roads, "roadie"), (roads, "roadie2"), (welfare, "carer")):
        assert (await admin.submit(f"/admin/departments/{dept.id}/staff", {"username": username})).status_code == 303
    return {"people": people, "roads": roads, "welfare": welfare}


async def signed_in(site, username):
    client = site.client()
    await client.login(username)
    return client


async def write(client, department_id, subject="Pothole", body="A deep hole by the post office.", files=None,
                **extra):
    return await client.submit("/city/new", {"department": department_id, "subject": subject, "body": body,
                                             **extra}, files=files)


def inquiry_of(response) -> str:
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[1]


async def test_departments_admin(site, town):
    admin = await signed_in(site, "cityadmin")
    page = await admin.get("/admin/departments")
    assert page.status_code == 200 and "道路課" in page.text and "roadie2" in page.text
    roads = town["roads"]
    r = await admin.submit(f"/admin/departments/{roads.id}", {"name": "Roads and bridges", "name_ja": "道路橋梁課",
                                                              "description": "Roads", "position": "1", "active": "1"})
    assert r.status_code == 303
    assert (await Department.get(id=roads.id)).name == "Roads and bridges"
    r = await admin.submit(f"/admin/departments/{roads.id}/staff", {"username": "mika"})
    assert r.status_code == 400 and "Only municipal staff" in r.text
    r = await admin.submit("/admin/departments", {"name": "", "name_ja": "課", "position": "x"})
    assert r.status_code == 400 and "課" in r.text
    r = await admin.submit("/admin/departments", {"name": "Parks", "position": "zz"})
    assert r.status_code == 400 and "whole number" in r.text and "Parks" in r.text
    for name in ("mika", "roadie"):
        other = await signed_in(site, name)
        assert (await other.get("/admin/departments")).status_code == 403
        assert (await other.submit("/admin/departments", {"name": "Sneaky"})).status_code == 403
    assert not await Department.filter(name="Sneaky").exists()


async def test_the_city_page_lists_departments_in_the_readers_language(site, town):
    mika = await signed_in(site, "mika")
    page = await mika.get("/city")
    assert page.status_code == 200 and "Welfare" in page.text
    await mika.submit("/settings/language", {"lang": "ja", "next": "/city"})
    assert "福祉課" in (await mika.get("/city")).text
    await mika.submit("/settings/language", {"lang": "en", "next": "/city"})


async def test_the_whole_thread(site, town):
    people, roads = town["people"], town["roads"]
    mika, roadie, roadie2 = [await signed_in(site, n) for n in ("mika", "roadie", "roadie2")]
    iid = inquiry_of(await write(mika, roads.id, "Street light out", "The light at Hon-machi 3 is dark.",
                                 files={"photos": ("light.jpg", jpeg_with_gps(), "image/jpeg")}))
    page = await mika.get(f"/city/{iid}")
    assert "The light at Hon-machi 3 is dark." in page.text and "Received" in page.text
    assert "Street light out" in (await mika.get("/city")).text
    photo = await Photo.get(purpose="inquiry", parent_id=iid)
    assert (await mika.get(f"/photos/{photo.id}.jpg")).status_code == 200
    told = await Notification.filter(kind="inquiry_new", url=f"/city/{iid}").values_list("user_id", flat=True)
    assert set(told) == {people["roadie"].id, people["roadie2"].id}

    inbox = await roadie.get("/city/inbox")
    assert "Street light out" in inbox.text and "Not assigned" in inbox.text
    assert "Street light out" in (await roadie.get("/city/inbox?who=unassigned")).text
    assert "Street light out" not in (await roadie.get("/city/inbox?who=mine")).text
    assert "Street light out" not in (await roadie.get("/city/inbox?status=closed")).text
    assert (await roadie.get(f"/photos/{photo.id}.jpg")).status_code == 200

    r = await roadie.submit(f"/city/{iid}/assign", {"assignee": "roadie2"})
    assert r.status_code == 303
    assert await Notification.filter(kind="inquiry_assigned", user_id=people["roadie2"].id).exists()
    assert "Street light out" in (await roadie2.get("/city/inbox?who=mine")).text
    r = await roadie.submit(f"/city/{iid}/assign", {"assignee": "carer"})  # another department's staff
    assert r.status_code == 400 and "colleague of this department" in r.text

    r = await roadie2.submit(f"/city/{iid}/reply", {"body": "We will replace the bulb on Tuesday.",
                                                     "status": "answered"})
    assert r.status_code == 303
    inquiry = await Inquiry.get(id=iid)
    assert inquiry.status == "answered" and inquiry.assignee_id == people["roadie2"].id
    assert await Notification.filter(kind="inquiry", user_id=people["resident"].id, url=f"/city/{iid}").exists()
    city = await mika.get("/city")
    assert "<strong>New:</strong> Street light out" in city.text and "Answered" in city.text

    r = await mika.submit(f"/city/{iid}/reply", {"body": "Thank you! It is still dark tonight."})
    assert r.status_code == 303 and (await Inquiry.get(id=iid)).status == "in_progress"
    assert await Notification.filter(kind="inquiry_new", user_id=people["roadie2"].id).count() == 2

    r = await roadie2.submit(f"/city/{iid}/status", {"status": "closed", "note": "Bulb replaced."})
    assert r.status_code == 303
    assert await Notification.filter(kind="inquiry_status", user_id=people["resident"].id).exists()
    page = await mika.get(f"/city/{iid}")
    assert "Status changed to Closed" in page.text and "Bulb replaced." in page.text
    assert "Handed to" in page.text and "We will replace the bulb on Tuesday." in page.text

    r = await mika.submit(f"/city/{iid}/reply", {"body": "One more thing about the light"})
    assert r.status_code == 400 and "This inquiry is closed" in r.text
    assert "One more thing about the light" in r.text  # what was typed is still there
    assert await InquiryEntry.filter(inquiry_id=iid, kind="message").count() == 3


async def test_nobody_else_sees_a_thread(site, town):
    mika = await signed_in(site, "mika")
    iid = inquiry_of(await write(mika, town["roads"].id, "My neighbour's dog", "Private details here"))
    photo_free = iid
    for name in ("noriko", "carer", "citymod"):
        client = await signed_in(site, name)
        r = await client.get(f"/city/{photo_free}")
        assert r.status_code == 404 and "Private details here" not in r.text
        assert (await client.submit(f"/city/{iid}/reply", {"body": "x"})).status_code == 404
        assert (await client.submit(f"/city/{iid}/status", {"status": "closed"})).status_code == 404
    assert "dog" not in (await (await signed_in(site, "carer")).get("/city/inbox")).text
    assert (await (await signed_in(site, "noriko")).get("/city/inbox")).status_code == 403
    admin = await signed_in(site, "cityadmin")
    assert "Private details here" in (await admin.get(f"/city/{iid}")).text  # administrators act as staff


async def test_bad_input(site, town):
    mika, roadie = await signed_in(site, "mika"), await signed_in(site, "roadie")
    r = await write(mika, "", "Which desk?", "I did not choose")
    assert r.status_code == 400 and "There is no such department" in r.text and "I did not choose" in r.text
    r = await write(mika, "01a00000-0000-7000-8000-000000000000", "Subject kept", "Body kept")
    assert r.status_code == 400 and "Subject kept" in r.text
    r = await write(mika, town["roads"].id, "Long", "y" * 1_000_000)
    assert r.status_code == 400 and "too long" in r.text
    r = await write(mika, town["roads"].id, "", "no subject")
    assert r.status_code == 400 and "no subject" in r.text
    iid = inquiry_of(await write(mika, town["roads"].id, "Bad status", "x\x00y"))
    assert (await InquiryEntry.get(inquiry_id=iid)).body == "xy"
    r = await roadie.submit(f"/city/{iid}/status", {"status": "exploded"})
    assert r.status_code == 400 and "Choose one of the statuses" in r.text
    r = await roadie.submit(f"/city/{iid}/reply", {"body": "Answer kept", "status": "exploded"})
    assert r.status_code == 400 and "Answer kept" in r.text
    assert (await Inquiry.get(id=iid)).status == "received"
    r = await roadie.get("/city/inbox?status=nope")
    assert r.status_code == 400 and "Choose one of the statuses" in r.text
    r = await roadie.get(f"/city/inbox?department={town['welfare'].id}")
    assert r.status_code == 400
    first = await write(mika, town["roads"].id, "Twice", "Sent twice", client_token="tok-city-1")
    again = await write(mika, town["roads"].id, "Twice", "Sent twice", client_token="tok-city-1")
    assert first.headers["location"] == again.headers["location"]


async def test_a_held_inquiry_waits_for_a_moderator(site, town):
    mika, roadie = await signed_in(site, "mika"), await signed_in(site, "roadie")
    iid = inquiry_of(await write(mika, town["roads"].id, "Rude words", BAD))
    page = await mika.get(f"/city/{iid}")
    assert "waits for a moderator" in page.text
    assert (await roadie.get(f"/city/{iid}")).status_code == 404
    assert "Rude words" not in (await roadie.get("/city/inbox")).text
    assert not await Notification.filter(url=f"/city/{iid}").exists()
    entry = await InquiryEntry.get(inquiry_id=iid)
    flag = await Flag.get(kind="inquiry_entry", target_id=entry.id, resolved_at=None)
    mod = await signed_in(site, "citymod")
    assert "<mark>fucking</mark>" in (await mod.get("/moderation")).text
    assert (await mod.submit(f"/moderation/{flag.id}", {"action": "approve"})).status_code == 303
    # the department is told at once, before anyone opens the inbox
    assert await Notification.filter(url=f"/city/{iid}", kind="inquiry_new").count() == 2
    assert "Rude words" in (await roadie.get("/city/inbox")).text
    assert "fucking" in (await roadie.get(f"/city/{iid}")).text
    assert await Notification.filter(url=f"/city/{iid}", kind="inquiry_new").count() == 2
    # staff texts are not held
    r = await roadie.submit(f"/city/{iid}/reply", {"body": "Please no " + BAD})
    assert r.status_code == 303 and "Please no" in (await mika.get(f"/city/{iid}")).text


async def test_staff_report_a_resident_message(site, town):
    mika, roadie = await signed_in(site, "mika"), await signed_in(site, "roadie")
    iid = inquiry_of(await write(mika, town["roads"].id, "Threat", "I will come and shout at you"))
    entry = await InquiryEntry.get(inquiry_id=iid)
    page = await roadie.get(f"/city/{iid}")
    assert f"/city/entries/{entry.id}/report" in page.text
    r = await roadie.submit(f"/city/entries/{entry.id}/report", {"reason": "threat", "inquiry": iid})
    assert r.status_code == 303
    assert await Flag.filter(kind="inquiry_entry", target_id=entry.id, reason="report").exists()
