"""Open311 GeoReport v2 through the app (real HTTP, both databases): the specification's example shapes, a
partner's request filed as a street report like any other, statuses mapped from ours, the list's filters, and
bad input answered with the specification's error array while nothing is stored.

The examples below are copied from the specification, wiki.open311.org/GeoReport_v2 ("GET Service List",
"POST Service Request", "GET Service Requests", "Errors") and wiki.open311.org/Service_discovery; the
specification's JSON writes `"service_code":001` and `"service_request_id":293944` unquoted (not valid JSON
with the leading zeros), quoted here. We leave out `address_id` and `zipcode` (optional; the city keeps no
address ids or postal codes), as docs/open311.md says.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from lxml import etree
from PIL import Image

from fixtures import jpeg_with_gps, make_site
from sns.models import JournalEntry, Notification, Photo, StreetReport, User
from sns.models.base import utcnow
from sns.services import departments, partner_keys, report_lists

SPEC_SERVICES_XML = b"""<?xml version="1.0" encoding="utf-8"?>
<services>
  <service>
    <service_code>001</service_code>
    <service_name>Cans left out 24x7</service_name>
    <description>Garbage or recycling cans that have been left out for more than 24 hours after collection.
    Violators will be cited.</description>
    <metadata>true</metadata>
    <type>realtime</type>
    <keywords>lorem, ipsum, dolor</keywords>
    <group>sanitation</group>
  </service>
</services>"""
SPEC_SERVICES_JSON = """[{"service_code":"001","service_name":"Cans left out 24x7","description":"Garbage or
recycling cans that have been left out for more than 24 hours after collection. Violators will be cited.",
"metadata":true,"type":"realtime","keywords":"lorem, ipsum, dolor","group":"sanitation"}]""".replace("\n", " ")
SPEC_CREATED_XML = b"""<?xml version="1.0" encoding="utf-8"?>
<service_requests>
  <request>
    <service_request_id>293944</service_request_id>
    <service_notice>The City will inspect and require the responsible party to correct within 24 hours and/or
    issue a Correction Notice or Notice of Violation of the Public Works Code</service_notice>
    <account_id/>
  </request>
</service_requests>"""
SPEC_CREATED_JSON = """[{"service_request_id":"293944","service_notice":"The City will inspect and require the
responsible party to correct within 24 hours and/or issue a Correction Notice or Notice of Violation of the Public
Works Code","account_id":null}]""".replace("\n", " ")
SPEC_REQUESTS_XML = b"""<?xml version="1.0" encoding="utf-8"?>
<service_requests>
  <request>
    <service_request_id>638344</service_request_id>
    <status>closed</status>
    <status_notes>Duplicate request.</status_notes>
    <service_name>Sidewalk and Curb Issues</service_name>
    <service_code>006</service_code>
    <description></description>
    <agency_responsible></agency_responsible>
    <service_notice></service_notice>
    <requested_datetime>2010-04-14T06:37:38-08:00</requested_datetime>
    <updated_datetime>2010-04-14T06:37:38-08:00</updated_datetime>
    <expected_datetime>2010-04-15T06:37:38-08:00</expected_datetime>
    <address>8TH AVE and JUDAH ST</address>
    <address_id>545483</address_id>
    <zipcode>94122</zipcode>
    <lat>37.762221815</lat>
    <long>-122.4651145</long>
    <media_url>http://city.gov.s3.amazonaws.com/requests/media/638344.jpg </media_url>
  </request>
</service_requests>"""
SPEC_ERRORS_XML = b"""<?xml version="1.0" encoding="utf-8"?>
<errors>
  <error>
    <code>403</code>
    <description>Invalid api_key received -- can't proceed with create_request.</description>
  </error>
</errors>"""
SPEC_ERRORS_JSON = '[{"code":403,"description":"Invalid api_key received -- can\'t proceed with create_request."}]'
SPEC_DISCOVERY_JSON = """{"changeset":"2011-04-05T17:48:34Z","contact":"You can email or call for assistance
api@netherlands.nl +31 (0)20 123 4567","key_service":"You can request a key here:
http://api.netherlands.nl/api_key_request","endpoints":[{"specification":"http://wiki.open311.org/GeoReport_v2",
"url":"http://open311.sfgov.org/dev/v2","changeset":"2011-04-20T17:48:34Z","type":"test",
"formats":["text/xml"]}]}""".replace("\n", " ")
LEFT_OUT = {"address_id", "zipcode"}
RAINBOW = "Deep pothole by the post office\nCars swerve around it; a cyclist fell yesterday."


def tags(xml: bytes, item: str) -> list[str]:
    """The child element names of the first `item` in a document (its fields, in order)."""
    root = etree.fromstring(xml)
    return [child.tag for child in root.find(item)]


@pytest.fixture(scope="module")
async def town(site):
    admin = await site.user("mayor", role="admin")
    actx = await site.ctx_for(admin)
    roads = await departments.save_department(actx, name="Roads", name_ja="道路課", close_days="5")
    await site.user("roadie", role="staff")
    await departments.add_staff(actx, roads.id, "roadie")
    pothole = await report_lists.save_category(actx, name="Pothole", name_ja="道路の穴", department=roads.id)
    issued = await partner_keys.issue_key(actx, "FixMyTown")
    roadie = site.client()
    await roadie.login("roadie")
    return {"roads": roads, "pothole": pothole, "key": issued.key, "key_row": issued.row, "roadie": roadie,
            "visitor": site.client()}


def new_request(town, **changes) -> dict:
    data = {"api_key": town["key"], "service_code": town["pothole"].id, "lat": "32.5073", "long": "130.6016",
            "address_string": "In front of the post office", "description": RAINBOW, "email": "pat@example.net",
            "first_name": "Pat", "last_name": "Reporter", "phone": "090-1234-5678", "device_id": "phone-1"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


async def test_discovery_and_services_have_the_specifications_shapes(site, town):
    visitor = town["visitor"]
    discovery = await visitor.get("/open311/v2/discovery.json")
    assert discovery.status_code == 200 and discovery.headers["content-type"].startswith("application/json")
    ours, spec = discovery.json(), json.loads(SPEC_DISCOVERY_JSON)
    assert list(ours) == list(spec) and list(ours["endpoints"][0]) == list(spec["endpoints"][0])
    assert ours["endpoints"][0]["url"] == "http://test.example/open311/v2"
    assert ours["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    xml = await visitor.get("/open311/v2/discovery.xml")
    assert xml.headers["content-type"].startswith("text/xml")
    formats = etree.fromstring(xml.content).findall("endpoints/endpoint/formats/format")
    assert [f.text for f in formats] == ["text/xml", "application/json"]

    services = await visitor.get("/open311/v2/services.xml")
    assert services.status_code == 200 and services.content.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert tags(services.content, "service") == tags(SPEC_SERVICES_XML, "service")
    listed = (await visitor.get("/open311/v2/services.json")).json()
    assert [list(s) for s in listed] == [list(json.loads(SPEC_SERVICES_JSON)[0])]
    pothole = listed[0]
    assert pothole["service_code"] == town["pothole"].id and pothole["service_name"] == "Pothole"
    assert (pothole["metadata"], pothole["type"], pothole["group"]) == (False, "realtime", "Roads")
    japanese = (await visitor.get("/open311/v2/services.json?locale=ja")).json()[0]
    assert (japanese["service_name"], japanese["group"]) == ("道路の穴", "道路課")
    assert (await visitor.get("/open311/v2/services.json?lang=ja-JP")).json()[0]["service_name"] == "道路の穴"

    definition = await visitor.get(f"/open311/v2/services/{town['pothole'].id}.json")
    assert definition.json() == {"service_code": town["pothole"].id, "attributes": []}
    root = etree.fromstring((await visitor.get(f"/open311/v2/services/{town['pothole'].id}.xml")).content)
    assert root.tag == "service_definition" and root.findtext("service_code") == town["pothole"].id
    for fmt in ("json", "xml"):
        missing = await visitor.get(f"/open311/v2/services/0190c3a0-0000-7000-8000-000000000000.{fmt}")
        assert missing.status_code == 404
        assert "There is no service with this service_code." in missing.text
    assert (await visitor.get("/open311/v2/services.csv")).status_code == 404


async def test_a_partner_files_a_report_like_any_other(site, town):
    visitor, roadie = town["visitor"], town["roadie"]
    created = await visitor.post("/open311/v2/requests.xml", data=new_request(town),
                                 files={"media": ("p.jpg", jpeg_with_gps(), "image/jpeg")})
    assert created.status_code == 200, created.text
    assert created.headers["cache-control"] == "private, no-store"
    assert tags(created.content, "request") == tags(SPEC_CREATED_XML, "request")
    report_id = etree.fromstring(created.content).findtext("request/service_request_id")
    report = await StreetReport.get(id=report_id)
    author = await User.get(id=report.author_id)
    # filed by the key's system account, routed to the category's department, with the partner's contact kept
    assert (report.channel, report.partner_key_id, report.department_id) == ("open311", town["key_row"].id,
                                                                             town["roads"].id)
    assert (author.state, author.id) == ("system", town["key_row"].account_id)
    assert (report.contact_name, report.contact_phone, report.contact_email) == (
        "Pat Reporter", "090-1234-5678", "pat@example.net")
    assert (report.title, report.place, report.lat, report.lon) == (
        "Deep pothole by the post office", "In front of the post office", 32.5073, 130.6016)
    assert await Notification.filter(kind="report_new", url=f"/reports/{report.id}").count() == 1
    # the photo went through the pipeline: re-encoded, GPS gone
    photo = await Photo.get(parent_id=report.id, purpose="report")
    image = await visitor.get(f"/photos/{photo.id}.jpg")
    assert Image.open(io.BytesIO(image.content)).getexif().get(0x8825) is None
    # the department's staff see the contact; a visitor reads the report without it; neighbours never get it
    staff_page = (await roadie.get(f"/reports/{report.id}")).text
    assert "pat@example.net" in staff_page and "090-1234-5678" in staff_page
    page = await visitor.get(f"/reports/{report.id}")
    assert page.status_code == 200 and "Deep pothole" in page.text
    assert not any(p in page.text for p in ("pat@example.net", "Pat Reporter", "090-1234"))
    entries = await JournalEntry.filter(record_id=report.id)
    assert entries and not any(p in json.dumps(e.payload) for e in entries for p in ("pat@", "Pat", "090-"))
    assert "Deep pothole" in (await roadie.get("/reports/queue")).text

    # read back over Open311, XML and JSON with the same fields as the specification's example
    one = await visitor.get(f"/open311/v2/requests/{report.id}.xml")
    assert tags(one.content, "request") == [t for t in tags(SPEC_REQUESTS_XML, "request") if t not in LEFT_OUT]
    shown = (await visitor.get(f"/open311/v2/requests/{report.id}.json")).json()[0]
    assert list(shown) == tags(one.content, "request")
    assert (shown["status"], shown["service_code"], shown["agency_responsible"]) == ("open", town["pothole"].id,
                                                                                     "Roads")
    assert shown["description"] == RAINBOW and shown["address"] == "In front of the post office"
    assert (shown["lat"], shown["long"]) == (32.5073, 130.6016)
    assert shown["media_url"] == f"http://test.example/photos/{photo.id}.jpg"
    assert shown["requested_datetime"].endswith("+09:00") and shown["expected_datetime"] > shown["requested_datetime"]
    assert "5 working days" in shown["service_notice"]
    assert not any(p in one.text for p in ("pat@example.net", "Pat Reporter", "090-1234", author.username))
    assert (await partner_keys.PartnerKey.get(id=town["key_row"].id)).last_used_at is not None

    # the department works it: status notes from its latest public comment, closed once resolved
    r = await roadie.submit(f"/reports/{report.id}/status", {"status": "in_progress", "comment": "A crew goes Monday."})
    assert r.status_code == 303
    shown = (await visitor.get(f"/open311/v2/requests/{report.id}.json")).json()[0]
    assert (shown["status"], shown["status_notes"]) == ("open", "A crew goes Monday.")
    r = await roadie.submit(f"/reports/{report.id}/status", {"status": "resolved", "comment": "Filled <b>today</b>."})
    assert r.status_code == 303
    one = await visitor.get(f"/open311/v2/requests/{report.id}.xml")
    root = etree.fromstring(one.content)
    assert root.findtext("request/status") == "closed" and root.findtext("request/status_notes") == "Filled <b>today</b>."
    assert b"Filled &lt;b&gt;today&lt;/b&gt;." in one.content and root.findtext("request/expected_datetime") == ""


async def test_the_answer_to_a_create_is_the_specifications_json(site, town):
    created = await town["visitor"].post("/open311/v2/requests.json", data=new_request(town, device_id="phone-9"))
    assert created.status_code == 200, created.text
    answer = created.json()
    assert [list(a) for a in answer] == [list(json.loads(SPEC_CREATED_JSON)[0])]
    assert answer[0]["account_id"] is None and answer[0]["service_notice"]


async def test_a_repeated_post_files_one_report(site, town):
    before = await StreetReport.filter(channel="open311").count()
    form = new_request(town, device_id="phone-2", client_token="req-77")
    first = await town["visitor"].post("/open311/v2/requests.json", data=form)
    again = await town["visitor"].post("/open311/v2/requests.json", data=form)
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    headers = {"X-Request-Id": "abc-1"}
    third = await town["visitor"].post("/open311/v2/requests.json", data=new_request(town, device_id="phone-2"),
                                       headers=headers)
    fourth = await town["visitor"].post("/open311/v2/requests.json", data=new_request(town, device_id="phone-2"),
                                        headers=headers)
    assert third.json()[0]["service_request_id"] == fourth.json()[0]["service_request_id"]
    other = await town["visitor"].post("/open311/v2/requests.json",
                                       data=new_request(town, device_id="phone-3", client_token="req-77"))
    assert other.json()[0]["service_request_id"] != first.json()[0]["service_request_id"]
    assert await StreetReport.filter(channel="open311").count() == before + 3


async def test_the_lists_filters_and_window(site, town):
    visitor = town["visitor"]
    made = []
    for n in range(3):
        r = await visitor.post("/open311/v2/requests.json", data=new_request(town, description=f"filter-{n}",
                                                                              device_id=None))
        made.append(r.json()[0]["service_request_id"])
    old = made[0]
    await StreetReport.filter(id=old).update(created_at=utcnow() - timedelta(days=100))
    await StreetReport.filter(id=made[2]).update(status="closed")
    listed = (await visitor.get("/open311/v2/requests.json")).json()
    ids = [r["service_request_id"] for r in listed]
    assert made[1] in ids and made[2] in ids and old not in ids  # the default window: 90 days
    assert ids.index(made[2]) < ids.index(made[1])  # newest first
    times = [r["requested_datetime"] for r in listed]
    assert times == sorted(times, reverse=True)
    by_id = (await visitor.get("/open311/v2/requests.json", params={"service_request_id": f"{old},{made[2]}"})).json()
    assert {r["service_request_id"] for r in by_id} == {old, made[2]}  # ids override the window
    closed = (await visitor.get("/open311/v2/requests.json?status=closed")).json()
    assert [r["service_request_id"] for r in closed if r["description"].startswith("filter-")] == [made[2]]
    open_ones = (await visitor.get("/open311/v2/requests.json?status=open")).json()
    assert made[1] in [r["service_request_id"] for r in open_ones] and made[2] not in str(open_ones)
    start = (utcnow() - timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (utcnow() - timedelta(days=60)).strftime("%Y-%m-%dT%H:%M:%SZ")
    window = (await visitor.get("/open311/v2/requests.json", params={"start_date": start, "end_date": end})).json()
    assert [r["service_request_id"] for r in window] == [old]
    other = (await visitor.get("/open311/v2/requests.json",
                               params={"service_code": "0190c3a0-0000-7000-8000-000000000000"})).json()
    assert other == []
    mine = (await visitor.get("/open311/v2/requests.xml", params={"service_code": town["pothole"].id}))
    assert made[1] in mine.text


BAD_CREATES = {
    "unknown service": ({"service_code": "0190c3a0-0000-7000-8000-000000000000"}, 404, "There is no service"),
    "no service": ({"service_code": None}, 400, "service_code is required"),
    "address only": ({"lat": None, "long": None}, 400, "lat and long are required"),
    "bad latitude": ({"lat": "north"}, 400, "Latitude and longitude must be numbers"),
    "oversize description": ({"description": "x" * 4001}, 400, "at most 4000 characters"),
    "no description": ({"description": "  "}, 400, "Please fill in this field."),
    "markup": ({"description": "<script>alert(1)</script> pothole"}, 400, "without HTML or XML markup"),
    "xml entity": ({"description": '<!DOCTYPE x [<!ENTITY a "b">]> &a;'}, 400, "without HTML or XML markup"),
    "bad email": ({"email": "not an address"}, 400, "email must be an e-mail address"),
    "wrong key": ({"api_key": "o311_wrong"}, 403, "Invalid api_key"),
    "no key": ({"api_key": None}, 403, "Invalid api_key"),
    "huge key": ({"api_key": "k" * 5000}, 403, "Invalid api_key"),
}


@pytest.mark.parametrize("case", list(BAD_CREATES))
async def test_bad_input_gets_the_specifications_error_and_stores_nothing(site, town, case):
    changes, status, says = BAD_CREATES[case]
    before = await StreetReport.all().count()
    for fmt in ("json", "xml"):
        r = await town["visitor"].post(f"/open311/v2/requests.{fmt}", data=new_request(town, **changes))
        assert r.status_code == status, r.text
        if fmt == "json":
            assert [list(e) for e in r.json()] == [list(json.loads(SPEC_ERRORS_JSON)[0])]
            assert r.json()[0]["code"] == status and says in r.json()[0]["description"]
        else:
            assert tags(r.content, "error") == tags(SPEC_ERRORS_XML, "error")
            assert etree.fromstring(r.content).findtext("error/code") == str(status)
            assert says in etree.fromstring(r.content).findtext("error/description")
    assert await StreetReport.all().count() == before


async def test_a_revoked_key_files_nothing(site, town):
    admin = await User.get(username="mayor")
    actx = await site.ctx_for(admin)
    issued = await partner_keys.issue_key(actx, "Old partner")
    ok = await town["visitor"].post("/open311/v2/requests.json", data=new_request(town, api_key=issued.key))
    assert ok.status_code == 200
    await partner_keys.revoke_key(actx, issued.row.id)
    before = await StreetReport.all().count()
    refused = await town["visitor"].post("/open311/v2/requests.json", data=new_request(town, api_key=issued.key))
    assert refused.status_code == 403 and "Invalid api_key" in refused.json()[0]["description"]
    assert await StreetReport.all().count() == before
    # what it filed before stays, like any report
    assert (await town["visitor"].get(f"/open311/v2/requests/{ok.json()[0]['service_request_id']}.json")).status_code \
        == 200


BAD_QUERIES = {
    "start_date=yesterday": "start_date must be a W3C date and time",
    "end_date=2010-13-45T00:00:00Z": "end_date must be a W3C date and time",
    "start_date=2010-01-01T00:00:00Z&end_date=2010-06-01T00:00:00Z": "at most 90 days apart",
    "start_date=2010-02-01T00:00:00Z&end_date=2010-01-01T00:00:00Z": "start_date must be before end_date",
    "status=pending": "status must be open, closed",
    "start_date=9999-12-31T00:00:00Z": "at most 90 days apart",  # its window would end past the calendar
}


@pytest.mark.parametrize("query", list(BAD_QUERIES))
async def test_bad_filters_get_the_specifications_error(site, town, query):
    for fmt in ("json", "xml"):
        r = await town["visitor"].get(f"/open311/v2/requests.{fmt}?{query}")
        assert r.status_code == 400
        text = r.json()[0]["description"] if fmt == "json" else etree.fromstring(r.content).findtext(
            "error/description")
        assert BAD_QUERIES[query] in text


async def test_unknown_and_malformed_ids_are_404(site, town):
    for path in ("0190c3a0-0000-7000-8000-000000000000", "not-an-id", "%27%3B--"):
        for fmt in ("json", "xml"):
            r = await town["visitor"].get(f"/open311/v2/requests/{path}.{fmt}")
            assert r.status_code == 404 and "There is no service request" in r.text


async def test_errors_are_in_the_askers_language(site, town):
    r = await town["visitor"].post("/open311/v2/requests.json?locale=ja", data=new_request(town, api_key="nope"))
    assert r.status_code == 403 and "api_key が正しくありません" in r.json()[0]["description"]


async def test_not_a_form_and_too_large_are_refused(site, town):
    r = await town["visitor"].post("/open311/v2/requests.json", content=b'{"service_code": "x"}',
                                   headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "form-encoded" in r.json()[0]["description"]
    huge = b"x" * (site.settings.max_upload_bytes * site.settings.max_photos_per_post + 2 * 1024 * 1024)
    r = await town["visitor"].post("/open311/v2/requests.xml", data=new_request(town),
                                   files={"media": ("big.jpg", huge, "image/jpeg")})
    assert r.status_code == 413 and etree.fromstring(r.content).findtext("error/code") == "413"
    r = await town["visitor"].post("/open311/v2/requests.json", data=new_request(town),
                                   files={"media": ("not.jpg", b"GIF89a not an image", "image/jpeg")})
    assert r.status_code == 400


async def test_a_key_is_rate_limited(tmp_path):
    async with make_site(tmp_path / "limited", open311_requests_per_hour=2) as limited:
        admin = await limited.user("chief", role="admin")
        actx = await limited.ctx_for(admin)
        roads = await departments.save_department(actx, name="Roads")
        category = await report_lists.save_category(actx, name="Pothole", department=roads.id)
        issued = await partner_keys.issue_key(actx, "Busy partner")
        client = limited.client()
        form = {"api_key": issued.key, "service_code": category.id, "lat": "32.5", "long": "130.6",
                "description": "A hole"}
        answers = [(await client.post("/open311/v2/requests.json", data=form)).status_code for _ in range(3)]
        assert answers == [200, 200, 429]
        assert await StreetReport.all().count() == 2
