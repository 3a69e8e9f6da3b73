"""Settings › Being told of alerts: a resident chooses district and/or a distance from home, e-mail and/or
Web Push, drills or not; bad input comes back with a message next to the field and everything typed kept;
the home point is never shown to anyone else; a browser's push subscription is checked."""

import base64
import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from sns.keys import vapid_public_key
from sns.models import District, User
from sns.models.alert_notices import AlertSubscription, PushSubscription
from sns.services.site import set_districts


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def browser_keys() -> dict:
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {"p256dh": b64url(public), "auth": b64url(os.urandom(16))}


@pytest.fixture(scope="module")
async def people(site):
    admin = await site.user("admin1", role="admin")
    await set_districts(await site.ctx_for(admin), "Minato\nYamate")
    minato = await District.get(name="Minato")
    hana = await site.user("hana", display_name="Hana")
    await User.filter(id=hana.id).update(district_id=minato.id)
    await site.user("nosy", display_name="Nosy")
    return {"minato": minato, "hana": hana}


GOOD = {"by_district": "1", "near_home": "1", "lat": "32.50811", "lon": "130.59733", "radius_km": "1.5",
        "email": "1", "push": "1", "drills": "1"}


async def test_resident_chooses_and_sees_it_kept(site, people):
    client = site.client()
    await client.login("hana")
    page = await client.get("/settings")
    assert 'href="/settings/alerts"' in page.text
    page = await client.get("/settings/alerts")
    assert page.status_code == 200
    assert "Alerts for my district (Minato)" in page.text and "hana@example.org" in page.text
    assert "Web Push needs JavaScript" in page.text and 'src="/static/push.js"' in page.text
    assert f'data-key="{vapid_public_key(site.settings.keys_dir)}"' in page.text
    assert "<script>" not in page.text  # no inline script (strict CSP)
    r = await client.submit("/settings/alerts", GOOD)
    assert r.status_code == 303 and r.headers["location"] == "/settings/alerts"
    sub = await AlertSubscription.get(user_id=people["hana"].id)
    assert (sub.by_district, sub.home_lat, sub.home_lon, sub.radius_km, sub.email, sub.push, sub.drills) == \
        (True, 32.50811, 130.59733, 1.5, True, True, True)
    page = await client.get("/settings/alerts")
    assert "Saved: you will be told of alerts as you chose." in page.text
    assert 'value="32.50811"' in page.text and 'value="1.5"' in page.text
    # changing it keeps one row
    r = await client.submit("/settings/alerts", {**GOOD, "drills": "", "push": ""})
    assert r.status_code == 303
    sub = await AlertSubscription.get(user_id=people["hana"].id)
    assert (sub.drills, sub.push) == (False, False) and await AlertSubscription.filter(user_id=sub.user_id).count() == 1


@pytest.mark.parametrize("changes, field, message", [
    ({"radius_km": "500"}, "radius_km", "Give the distance in kilometres, from 0.1 to 50."),
    ({"radius_km": "far"}, "radius_km", "Give the distance in kilometres, from 0.1 to 50."),
    ({"lat": "132.5", "lon": "130.6"}, "location", "Latitude must be between -90 and 90"),
    ({"lat": "", "lon": ""}, "location", "Choose your home point on the map or type its latitude and longitude."),
    ({"lat": "north", "lon": "130.6"}, "location", "Latitude and longitude must be numbers"),
    ({"email": "", "push": ""}, "channels", "Choose e-mail, Web Push, or both."),
    ({"by_district": "", "near_home": ""}, "by_district", "Choose your district, a distance from home, or both."),
])
async def test_bad_input_is_answered_next_to_the_field_and_kept(site, people, changes, field, message):
    client = site.client()
    await client.login("hana")
    typed = {**GOOD, "radius_km": "7", "lat": "32.4", "lon": "130.5", **changes}
    before = await AlertSubscription.get_or_none(user_id=people["hana"].id)
    r = await client.submit("/settings/alerts", typed)
    assert r.status_code == 400
    assert f'id="{field}-error"' in r.text and message in r.text
    for name in ("lat", "lon", "radius_km"):
        if typed[name]:
            assert f'value="{typed[name]}"' in r.text, name
    after = await AlertSubscription.get_or_none(user_id=people["hana"].id)
    assert (before and before.radius_km) == (after and after.radius_km)  # nothing saved


async def test_no_district_in_profile_is_explained(site, people):
    client = site.client()
    await client.login("nosy")
    r = await client.submit("/settings/alerts", {**GOOD, "near_home": ""})
    assert r.status_code == 400 and "Your profile names no district" in r.text


async def test_home_point_is_never_shown_to_others(site, people):
    hana = site.client()
    await hana.login("hana")
    assert (await hana.submit("/settings/alerts", {**GOOD, "lat": "32.51234", "lon": "130.61234"})).status_code == 303
    nosy, visitor = site.client(), site.client()
    await nosy.login("nosy")
    for client in (nosy, visitor):
        for path in ("/people/hana", "/people", "/settings/alerts", "/", "/alerts", "/api/v1/people/hana"):
            page = await client.get(path)
            assert "32.51234" not in page.text and "130.61234" not in page.text, path
    # another resident's settings page shows their own (empty) choice
    page = await nosy.get("/settings/alerts")
    assert "Hana" not in page.text and "hana@example.org" not in page.text


async def test_browser_push_subscription_checked_kept_and_removed(site, people):
    client = site.client()
    await client.login("hana")
    await client.get("/settings/alerts")
    keys = browser_keys()
    endpoint = "https://push.example.net/send/abc123"
    r = await client.submit("/settings/alerts/push", {"endpoint": endpoint, **keys})
    assert r.status_code == 200 and r.json()["ok"] is True
    assert await PushSubscription.filter(user_id=people["hana"].id, endpoint=endpoint).count() == 1
    again = await client.submit("/settings/alerts/push", {"endpoint": endpoint, **keys})
    assert again.status_code == 200 and await PushSubscription.filter(endpoint=endpoint).count() == 1
    bad = [
        {"endpoint": "http://push.example.net/send/x", **keys},  # not https and not this machine
        {"endpoint": "https://" + "a" * 1000 + ".example/x", **keys},
        {"endpoint": "javascript:alert(1)", **keys},
        {"endpoint": "http://127.0.0.1:9200/_bulk", **keys},  # this machine: only with web_push_loopback
        {"endpoint": "https://127.0.0.1/push", **keys},
        {"endpoint": "https://10.0.0.5/push", **keys},  # a private network
        {"endpoint": "https://[fd00::1]/push", **keys},
        {"endpoint": "https://169.254.169.254/latest", **keys},
        {"endpoint": "https://localhost/push", **keys},
        {"endpoint": "https://push.example.net:notaport/x", **keys},
        {"endpoint": endpoint + "2", "p256dh": keys["p256dh"][:-4], "auth": keys["auth"]},
        {"endpoint": endpoint + "3", "p256dh": keys["p256dh"], "auth": b64url(os.urandom(8))},
        {"endpoint": endpoint + "4", "p256dh": "!!!", "auth": keys["auth"]},
    ]
    for fields in bad:
        r = await client.submit("/settings/alerts/push", fields)
        assert r.status_code == 400 and r.json()["error"] == "This browser's push subscription is not valid.", fields
    assert await PushSubscription.filter(user_id=people["hana"].id).count() == 1
    # without the CSRF token: refused
    r = await client.post("/settings/alerts/push", data={"endpoint": endpoint + "5", **keys})
    assert r.status_code == 403
    # a visitor cannot subscribe
    visitor = site.client()
    await visitor.get("/login")
    assert (await visitor.submit("/settings/alerts/push", {"endpoint": endpoint + "6", **keys})).status_code == 401
    r = await client.submit("/settings/alerts/push", {"action": "remove", "endpoint": endpoint})
    assert r.status_code == 200 and not await PushSubscription.filter(endpoint=endpoint).exists()


async def test_stop_deletes_the_choice_and_home_point(site, people):
    client = site.client()
    await client.login("hana")
    assert (await client.submit("/settings/alerts", GOOD)).status_code == 303
    r = await client.submit("/settings/alerts/stop", {})
    assert r.status_code == 303
    assert not await AlertSubscription.filter(user_id=people["hana"].id).exists()
    page = await client.get("/settings/alerts")
    assert "You will not be told of alerts any more" in page.text


async def test_japanese_page(site, people):
    client = site.client()
    await client.login("hana")
    await client.submit("/settings/language", {"lang": "ja", "next": "/settings/alerts"})
    page = await client.get("/settings/alerts")
    assert page.status_code == 200 and "Being told of alerts" not in page.text
    await client.submit("/settings/language", {"lang": "en", "next": "/settings"})


async def test_hostile_input_never_breaks_the_page(site, people):
    from test_bad_input import HOSTILE

    client = site.client()
    await client.login("hana")
    fields = ["by_district", "near_home", "lat", "lon", "radius_km", "email", "push", "drills"]
    for value in HOSTILE:
        r = await client.submit("/settings/alerts", {name: value for name in fields})
        assert r.status_code < 500, (value[:40], r.text[:300])
        r = await client.submit("/settings/alerts", {**GOOD, "lat": value, "lon": value, "radius_km": value})
        assert r.status_code < 500, (value[:40], r.text[:300])
        r = await client.submit("/settings/alerts/push", {"endpoint": value, "p256dh": value, "auth": value,
                                                          "action": value})
        assert r.status_code in (200, 400), (value[:40], r.text[:300])


async def test_unsafe_requests_need_the_csrf_token(site, people):
    client = site.client()
    await client.login("hana")
    for url in ("/settings/alerts", "/settings/alerts/stop", "/settings/alerts/push"):
        r = await client.post(url, data=GOOD)
        assert r.status_code == 403, url
