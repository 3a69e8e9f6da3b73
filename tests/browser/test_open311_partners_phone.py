"""On the narrowest phone (320 px) without JavaScript, an administrator issues an Open311 key to a partner:
the key is shown once in a field wide enough to select and copy, the partner's system (httpx, as the
specification's POST describes) files a report with it, the list then names the key by its prefix with when it
was last used, and the administrator revokes it; the partner is refused afterwards. Nothing scrolls sideways,
every control is large enough to tap, in English and in Japanese."""

from __future__ import annotations

import httpx
import pytest

from browser.live import ONCE
from browser.test_phone_layout import NARROW, check

pytestmark = [pytest.mark.browser, ONCE]
PAGE = "/admin/partners"


def submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_issue_use_and_revoke_a_partners_key_on_a_phone(server, phones):
    admin = phones.signed_in("admin", viewport=NARROW, java_script_enabled=False)
    check(admin, PAGE)
    admin.fill("#partner-name", "Street app of the prefecture")
    submit(admin, "main form button[type=submit]")
    key = admin.input_value("#new-key")
    assert key.startswith("o311_") and len(key) > 40
    box = admin.locator("#new-key").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= NARROW["width"]
    assert "shown only this once" in admin.inner_text(".key-issued")
    assert admin.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]

    admin.goto("/admin/report-categories")  # a category of its own: the server is shared by other tests
    admin.fill("#name", "Fallen sign")
    submit(admin, "form[action='/admin/report-categories'] button[type=submit]")
    services = httpx.get(f"{server.url}/open311/v2/services.json").json()
    code = next(s["service_code"] for s in services if s["service_name"] == "Fallen sign")
    filed = httpx.post(f"{server.url}/open311/v2/requests.json", data={
        "api_key": key, "lat": "32.5073", "long": "130.6016", "description": "A fallen sign by the school",
        "service_code": code})
    assert filed.status_code == 200, filed.text
    check(admin, PAGE)  # the list, and the key no longer on it
    card = admin.locator("ul.partner-keys li").first
    assert "Street app of the prefecture" in card.inner_text() and key not in admin.content()
    assert key[:12] in card.inner_text() and "never" not in card.inner_text()  # last used: just now

    submit(admin, "ul.partner-keys li >> text=Revoke")
    assert "The key is revoked" in admin.inner_text("main")
    refused = httpx.post(f"{server.url}/open311/v2/requests.json",
                         data={"api_key": key, "lat": "1", "long": "1", "description": "x", "service_code": "x"})
    assert refused.status_code == 403 and refused.json()[0]["code"] == 403

    japanese = phones.signed_in("admin", viewport=NARROW, java_script_enabled=False)
    japanese.context.add_cookies([{"name": "lang", "value": "ja", "url": server.url}])  # as the footer's switch
    check(japanese, PAGE)
    assert "オープン311連携先" in japanese.inner_text("h1") and "取り消した日時" in japanese.inner_text("main")
