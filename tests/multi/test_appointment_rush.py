"""50 residents booking the last 10 places of a slot at once: exactly 10 succeed, the other 40 are told at
once that the time was just taken. Real concurrency on both databases: `sns serve --workers 3` (three
processes, each with its own database connection, so SQLite's writers really come from different
connections, as PostgreSQL's pool does) and 50 requests sent together over TCP."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from browser.live import LiveServer, migrated_database
from fixtures import make_site
from sns.models.counters import Appointment, SlotTaken
from sns.services import counters, departments, slots
from sns.services.tokens import create_token

pytestmark = pytest.mark.slow
RESIDENTS, PLACES = 50, 10
JUST_TAKEN = "This time was just taken; please choose another."


@pytest.fixture(scope="module")
async def rush(tmp_path_factory):
    data = tmp_path_factory.mktemp("rush")
    server = LiveServer(data, migrated_database(data))
    server.extra_env = {"SNS_BACKGROUND_TASKS": "false"}
    server.start(timeout=120, workers=3)
    try:
        async with make_site(data, database_url=server.database_url) as site:
            admin = await site.ctx_for(await site.user("rushadmin", role="admin"))
            desk = await departments.save_department(admin, name="Citizens")
            counter = await counters.save_counter(
                admin, department_id=desk.id, name="Passports", hours={d: "09:00-10:00" for d in
                                                                         ("mon", "tue", "wed", "thu", "fri", "sat",
                                                                          "sun")},
                slot_minutes=30, capacity=PLACES, book_days_ahead=14)
            secrets = []
            for n in range(RESIDENTS):
                user = await site.user(f"rush{n:02d}")
                secrets.append((await create_token(await site.ctx_for(user), "t"))[1])
            yield server, site, counter, secrets
    finally:
        server.stop()


async def test_fifty_residents_for_ten_places(rush):
    server, site, counter, secrets = rush
    day = slots.local_today(site.settings) + timedelta(days=2)
    [listed] = await slots.days(site.settings, counter, day, 1)
    start = listed.free[0].start

    async with httpx.AsyncClient(base_url=server.url, timeout=60, trust_env=False,
                                 limits=httpx.Limits(max_connections=RESIDENTS)) as client:
        gate = asyncio.Event()

        async def book(n: int, secret: str) -> httpx.Response:
            await gate.wait()  # all 50 are ready before the first is sent
            return await client.post("/api/v1/appointments", headers={"Authorization": f"Bearer {secret}"},
                                     json={"counter_id": counter.id, "start": start.isoformat(),
                                           "note": f"note of resident {n}"})

        tasks = [asyncio.create_task(book(n, s)) for n, s in enumerate(secrets)]
        await asyncio.sleep(0.2)
        gate.set()
        answers = await asyncio.gather(*tasks)

    statuses = sorted(r.status_code for r in answers)
    assert statuses.count(201) == PLACES and statuses.count(409) == RESIDENTS - PLACES, statuses
    assert all(r.json()["error"] == JUST_TAKEN for r in answers if r.status_code == 409)
    assert await Appointment.filter(counter_id=counter.id, start=start, state="booked").count() == PLACES
    assert (await SlotTaken.get(counter_id=counter.id, start=start)).taken == PLACES
    # the booked ones kept their notes; the slot is no longer offered
    notes = {r.json()["note"] for r in answers if r.status_code == 201}
    assert len(notes) == PLACES and all(n.startswith("note of resident ") for n in notes)
    [after] = await slots.days(site.settings, counter, day, 1)
    assert start not in {s.start for s in after.free}
    assert server.log.read_text().count("Started server process") >= 3, server.tail()
