"""Events and RSVPs over the JSON API: the same rules as the pages."""

from datetime import datetime, timedelta, timezone

from sns.models import Event


def at(days: float) -> str:
    return (datetime.now(timezone.utc) + timedelta(days=days)).isoformat()


async def test_event_life_over_the_api(api):
    _, org = await api.resident("apiorg")
    _, guest = await api.resident("apiguest")
    _, late = await api.resident("apilate")
    r = await org.post("/api/v1/events", json={"title": "Harbour walk", "description": "Meet at *the pier*",
                                               "starts_at": at(2), "ends_at": at(2.1), "capacity": 1,
                                               "place": "Pier 3", "visibility": "members"})
    assert r.status_code == 201, r.text
    event = r.json()
    assert event["description_html"].startswith("<p>Meet at <em>the pier</em>")
    assert event["permissions"]["edit"] and event["organizer"]["username"] == "apiorg"
    url = f"/api/v1/events/{event['id']}"
    # visitors cannot see a members' event; residents can
    assert (await api.client().get(url)).status_code == 404
    assert (await guest.get(url)).status_code == 200
    r = await guest.put(url + "/rsvp", json={"answer": "going"})
    assert r.status_code == 200 and r.json()["answer"] == "going"
    r = await late.post(url + "/rsvp", json={"answer": "going"})
    assert r.status_code == 200 and r.json()["answer"] == "waiting" and "waiting list" in r.json()["message"]
    assert (await late.get(url)).json()["my_answer"] == "waiting"
    assert (await late.get(url)).json()["counts"] == {"going": 1, "maybe": 0, "no": 0, "waiting": 1}
    # only the organizer lists who answered
    r = await org.get(url + "/attendees")
    assert [(i["person"]["username"], i["answer"]) for i in r.json()["items"]] == [("apiguest", "going"),
                                                                                 ("apilate", "waiting")]
    assert (await guest.get(url + "/attendees")).status_code == 403
    # guest steps back: late is promoted
    await guest.put(url + "/rsvp", json={"answer": "no"})
    mine = (await late.get("/api/v1/me/rsvps")).json()["items"]
    assert [(i["event_id"], i["answer"]) for i in mine] == [(event["id"], "going")]
    # edit, cancel, delete
    r = await org.patch(url, json={"title": "Harbour walk (new time)", "starts_at": at(3), "ends_at": at(3.1)})
    assert r.status_code == 200 and r.json()["title"] == "Harbour walk (new time)"
    assert (await guest.patch(url, json={"title": "mine"})).status_code == 403
    r = await org.patch(url, json={"cancelled": True})
    assert r.json()["cancelled"] is True
    r = await late.put(url + "/rsvp", json={"answer": "maybe"})
    assert r.status_code == 409
    assert (await guest.delete(url)).status_code == 403
    assert (await org.delete(url)).status_code == 204
    assert (await org.get(url)).status_code == 404


async def test_bad_event_input_is_a_clear_4xx(api):
    _, me = await api.resident("apibad")
    good = {"title": "Fine", "starts_at": at(1), "ends_at": at(1.1)}
    cases = [
        ({"ends_at": at(0.5)}, "end"),
        ({"starts_at": "2026-13-45T10:00"}, "starts_at"),
        ({"starts_at": "x" * 10_000}, "starts_at"),
        ({"starts_at": 12}, "starts_at"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": -5}, "capacity"),
        ({"capacity": 10**30}, "capacity"),
        ({"capacity": "7"}, "capacity"),
        ({"capacity": True}, "capacity"),
        ({"title": "t" * 10_000}, "title"),
        ({"visibility": "all"}, "visibility"),
        ({"official": True}, None),
        ({"community_id": 5}, "community_id"),
        ({"unknown": 1}, "unknown"),
    ]
    for change, field in cases:
        r = await me.post("/api/v1/events", json={**good, **change})
        assert 400 <= r.status_code < 500, (change, r.status_code)
        assert r.json()["field"] == field, (change, r.json())
    assert not await Event.filter(organizer__username="apibad").exists()
    r = await me.post("/api/v1/events", json=good)
    url = f"/api/v1/events/{r.json()['id']}"
    for body in ({"answer": "perhaps"}, {"answer": None}, {"answer": ["going"]}):
        assert (await me.put(url + "/rsvp", json=body)).status_code == 400
    assert (await me.get("/api/v1/events?page=0")).status_code == 400
    assert (await me.get("/api/v1/events/" + "z" * 300)).status_code == 404
    # an event that is over takes no answers
    r = await me.post("/api/v1/events", json={"title": "Old", "starts_at": at(-2), "ends_at": at(-1.9)})
    r = await me.put(f"/api/v1/events/{r.json()['id']}/rsvp", json={"answer": "going"})
    assert r.status_code == 409 and "over" in r.json()["error"]
