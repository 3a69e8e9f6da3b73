"""A round trip through an Open311 client someone else wrote: `georeport` (PyPI, 0.3.x: requests + xmltodict)
reads our services, definitions and requests in JSON and in XML from the app served by a real uvicorn on a
loopback port. The client only reads (it has no create method), so the partner's request is posted with httpx
as the specification's "POST Service Request" describes (form-encoded, `api_key` among the fields), then read
back through the client. (`open311` 1.1, from 2011, is Python 2 only: it cannot be imported.)

The client is blocking (requests): it runs in a worker thread while the server runs in the test's event loop."""

from __future__ import annotations

import asyncio

import anyio
import httpx
import pytest
import uvicorn
from georeport import GeoReport

from fixtures import free_port
from sns.services import departments, partner_keys, report_lists


@pytest.fixture(scope="module")
async def served(site):
    admin = await site.user("mayor", role="admin")
    actx = await site.ctx_for(admin)
    roads = await departments.save_department(actx, name="Roads", close_days="3")
    parks = await departments.save_department(actx, name="Parks")
    pothole = await report_lists.save_category(actx, name="Pothole", department=roads.id)
    tree = await report_lists.save_category(actx, name="Fallen tree", department=parks.id)
    issued = await partner_keys.issue_key(actx, "A partner")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(site.app, host="127.0.0.1", port=port, lifespan="off",
                                           log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    yield {"root": f"http://127.0.0.1:{port}/open311/v2", "key": issued.key, "pothole": pothole, "tree": tree}
    server.should_exit = True
    await task


async def in_thread(call):
    return await anyio.to_thread.run_sync(call)


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_a_round_trip_through_georeport(served, fmt):
    client = GeoReport(served["root"], api_key=served["key"], output_format=fmt)
    services = await in_thread(client.get_service_list)
    assert [s["service_name"] for s in services] == ["Pothole", "Fallen tree"]  # the city's order
    codes = {s["service_name"]: s["service_code"] for s in services}
    assert codes["Pothole"] == served["pothole"].id
    definition = await in_thread(lambda: client.get_service_definition(codes["Pothole"]))
    assert definition["service_code"] == codes["Pothole"]

    async with httpx.AsyncClient() as http:
        posted = await http.post(f"{served['root']}/requests.{fmt}", data={
            "api_key": served["key"], "service_code": codes["Pothole"], "lat": "32.5073", "long": "130.6016",
            "address_string": "Station square", "description": f"Pothole filed as {fmt}", "email": "a@example.net",
            "first_name": "Ann", "device_id": "tablet-1", "client_token": f"first-{fmt}"})
    assert posted.status_code == 200, posted.text
    request_id = posted.json()[0]["service_request_id"] if fmt == "json" else \
        posted.text.split("<service_request_id>")[1].split("<")[0]

    one = await in_thread(lambda: client.get_service_request(request_id))
    assert (one["service_request_id"], one["status"], one["service_code"]) == (request_id, "open", codes["Pothole"])
    assert one["description"] == f"Pothole filed as {fmt}" and one["address"] == "Station square"
    assert float(one["lat"]) == 32.5073 and float(one["long"]) == 130.6016
    assert one["agency_responsible"] == "Roads" and one["expected_datetime"]
    assert "a@example.net" not in str(one) and "Ann" not in str(one)

    listed = await in_thread(lambda: client.get_service_requests(service_code=codes["Pothole"], status="open"))
    listed = listed if isinstance(listed, list) else [listed]  # xmltodict gives one element as a dict
    assert request_id in [r["service_request_id"] for r in listed]
    none_closed = await in_thread(lambda: client.get_service_requests(service_request_id=request_id,
                                                                      status="closed"))
    assert none_closed  # the id overrides every other filter, as the specification says
