"""Two real cities on loopback ports (`sns serve` each), peered with `sns mirror add`: what Bville posts
shows on the neighbour's mirror pages and its alert in the neighbour's own alerts page, marked as
Bville's; Bville's cancellation follows; and when Bville's server dies, the neighbour's front page points
Bville's residents to the mirror. Nothing is stored by hand: the pull job does it all."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from browser.live import POSTGRES_HALF, LiveServer, migrated_database

pytestmark = [pytest.mark.slow, POSTGRES_HALF]


def _town(tmp, origin: str, **env) -> LiveServer:
    live = LiveServer(tmp / origin, migrated_database(tmp / origin))
    live.extra_env.update({"SNS_ORIGIN": origin, "SNS_MIRROR_DOWN_AFTER_SECONDS": "3", **env})
    live.sns("init")
    return live


def _fingerprint(live: LiveServer) -> str:
    return live.sns("mirror", "fingerprint").splitlines()[0].strip()


def _until(what, check, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        try:
            text = check()
        except httpx.HTTPError:
            text = ""
        if text:
            return text
        time.sleep(0.3)
    raise AssertionError(f"not within {timeout} s: {what}")


def _words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture(scope="module")
def towns(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("mirror-serving")
    bville, ours = _town(tmp, "bville.test"), _town(tmp, "ours.test")
    bville.create_user("chief", "fire")
    bville.create_user("mika")
    tokens = {name: bville.sns("token", "create", name).strip().splitlines()[-1] for name in ("chief", "mika")}
    for live in (bville, ours):
        live.start()
    try:
        ours.sns("mirror", "add", bville.url, "--fingerprint", _fingerprint(bville))
        bville.sns("mirror", "add", ours.url, "--fingerprint", _fingerprint(ours))
        yield bville, ours, tokens
    finally:
        for live in (bville, ours):
            live.stop()


def test_a_city_and_its_mirror_on_the_neighbour(towns):
    bville, ours, tokens = towns
    name = httpx.get(bville.url + "/mirror/v1/hello", trust_env=False).json()["name"]
    api = {n: {"Authorization": f"Bearer {t}"} for n, t in tokens.items()}
    diary = httpx.post(bville.url + "/api/v1/diaries", headers=api["mika"], trust_env=False, json={
        "title": "Cherry blossoms by the river", "body": "Full bloom today.", "visibility": "public"})
    assert diary.status_code == 201, diary.text
    hidden = httpx.post(bville.url + "/api/v1/diaries", headers=api["mika"], trust_env=False, json={
        "title": "Only for residents", "body": "Members.", "visibility": "members"})
    assert hidden.status_code == 201, hidden.text
    alert = httpx.post(bville.url + "/api/v1/alerts", headers=api["chief"], trust_env=False, json={
        "kind": "fire", "title": "Fire near Bville station", "description": "Smoke.",
        "instruction": "Keep away from the station.", "lat": 33.2, "lon": 130.2, "radius_m": 400})
    assert alert.status_code == 201, alert.text
    alert_id = alert.json()["id"]

    def mirrored_diaries() -> str:
        page = httpx.get(f"{ours.url}/mirror/bville.test/diaries", trust_env=False)
        return page.text if "Cherry blossoms by the river" in page.text else ""

    listing = _until("the public diary on the mirror", mirrored_diaries)
    assert "Only for residents" not in listing and f"This is a copy of {name}" in _words(listing)

    def our_alerts() -> str:
        page = httpx.get(ours.url + "/alerts", trust_env=False)
        return page.text if "Fire near Bville station" in page.text else ""

    assert f"From {name}" in _words(_until("Bville's alert in our /alerts", our_alerts))

    changed = httpx.post(f"{bville.url}/api/v1/alerts/{alert_id}/status", headers=api["chief"], trust_env=False,
                         json={"status": "cancelled", "note": "False alarm"})
    assert changed.status_code == 200, changed.text

    def cancelled_here() -> str:
        page = httpx.get(f"{ours.url}/alerts/{alert_id}", trust_env=False)
        return page.text if "False alarm" in page.text else ""

    assert "Cancelled" in _until("the cancellation followed", cancelled_here)

    bville.kill()  # its server dies

    def pointer() -> str:
        page = httpx.get(ours.url + "/", trust_env=False)
        return page.text if f"{name} is not reachable right now." in _words(page.text) else ""

    front = _until("the front page points to the mirror", pointer)
    assert 'href="/mirror/bville.test"' in front
    page = httpx.get(f"{ours.url}/mirror/bville.test", trust_env=False)
    assert page.status_code == 200 and f"{name} is not reachable right now." in _words(page.text)
