"""The disaster API: switching by role, checking in and posting on the board while the mode is on, clear
answers to bad input, and an answer of 409 when the mode is off."""

from sns.models import DisasterPost, SafetyCheckin


async def test_switch_check_in_and_board(api):
    _, desk = await api.resident("apidesk", role="disaster")
    _, rita = await api.resident("apirita")
    r = await rita.post("/api/v1/disaster/checkins", json={"status": "safe"})
    assert r.status_code == 409 and r.json()["error"]
    assert (await rita.post("/api/v1/disaster/start", json={"name": "x"})).status_code == 403
    r = await desk.post("/api/v1/disaster/start", json={"name": "API flood", "kind": "flood", "drill": True})
    assert r.status_code == 201 and r.json()["exercise"] is True and r.json()["active"] is True
    assert (await desk.post("/api/v1/disaster/start", json={"name": "Other"})).status_code == 409
    state = (await api.client().get("/api/v1/disaster")).json()
    assert state["active"] and state["event"]["name"] == "API flood" and state["my_checkin"] is None
    # bad input: a clear answer naming the field
    r = await rita.post("/api/v1/disaster/checkins", json={"status": "fine"})
    assert r.status_code == 400 and r.json()["field"] == "status"
    r = await rita.post("/api/v1/disaster/checkins", json={"status": "safe", "lat": 91, "lon": 0})
    assert r.status_code == 400 and r.json()["field"] == "location"
    r = await rita.post("/api/v1/disaster/checkins", json={"status": "safe", "colour": "red"})
    assert r.status_code == 400
    r = await rita.post("/api/v1/disaster/checkins", json={"status": "need_help", "message": "Stuck", "lat": 32.5,
                                                           "lon": 130.6, "client_token": "api-1"})
    assert r.status_code == 201 and r.json()["status"] == "need_help" and r.json()["username"] == "apirita"
    assert (await rita.post("/api/v1/disaster/checkins", json={"status": "need_help", "client_token": "api-1"})
            ).status_code == 201
    assert await SafetyCheckin.filter(message="Stuck").count() == 1
    mine = (await rita.get("/api/v1/disaster")).json()["my_checkin"]
    assert mine["message"] == "Stuck"
    counts = (await desk.get("/api/v1/disaster/counts")).json()
    assert counts["districts"][-1]["need_help"] == 1 and counts["need_help"][0]["message"] == "Stuck"
    r = await rita.post("/api/v1/disaster/board", json={"body": "The bridge is closed.", "place": "Bridge"})
    assert r.status_code == 201 and r.json()["state"] == "published"
    assert (await rita.post("/api/v1/disaster/board", json={"body": ""})).json()["field"] == "body"
    board = (await api.client().get("/api/v1/disaster/board")).json()["items"]
    assert [p["body"] for p in board] == ["The bridge is closed."] and await DisasterPost.all().count() == 1
    r = await desk.post("/api/v1/disaster/end")
    assert r.status_code == 200 and r.json()["active"] is False
    assert (await desk.post("/api/v1/disaster/end", json={})).status_code == 409
    assert (await api.client().get("/api/v1/disaster")).json() == {"active": False, "event": None,
                                                                   "my_checkin": None}
