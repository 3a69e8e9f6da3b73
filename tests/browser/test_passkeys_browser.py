"""Passkeys on a phone, in Debian's Chromium with its virtual authenticator (the DevTools protocol's WebAuthn
domain: a platform authenticator that keeps discoverable credentials and verifies its user), under the
site's strict Content-Security-Policy: add a passkey on Settings, sign out, sign in with the passkey alone;
and the password followed by the passkey as the second factor.

WebAuthn needs a secure context and a valid relying party id: the server's public address is
http://localhost:PORT (a secure context, unlike an IP address as an rp id in some browsers), and the pages
are opened there."""

from __future__ import annotations

import pytest

from browser.live import ONCE, PASSWORD, LiveServer, Phones, migrated_database, sign_in

pytestmark = [pytest.mark.browser, ONCE]


@pytest.fixture(scope="module")
def passkey_server(tmp_path_factory):
    data = tmp_path_factory.mktemp("passkeys")
    live = LiveServer(data, migrated_database(data))
    live.url = f"http://localhost:{live.port}"  # also its public_url, so the rp id is "localhost"
    for name in ("nori", "oto", "pia"):  # pia never adds a passkey
        live.create_user(name)
    live.start()
    yield live
    live.stop()


@pytest.fixture
def phones(browser, passkey_server):
    opened = Phones(browser, passkey_server)
    yield opened
    opened.close()


def phone_with_authenticator(phones):
    """A page whose browser has a passkey-capable platform authenticator; (page, CDP session, its id, the
    console's problems: script errors and refusals by the CSP; not an address answering 404, which
    /settings/security does before the second-factor pages exist)."""
    page = phones.page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning")
            and not m.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    made = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})
    return page, cdp, made["authenticatorId"], problems


def open_passkey_settings(page) -> None:
    """Settings › Security, where passkeys are listed and added."""
    assert page.goto("/settings/security").status == 200
    assert page.locator("#passkeys").count() == 1


def add_passkey(page, name: str) -> None:
    open_passkey_settings(page)
    assert page.locator(".passkey-nojs").is_hidden()  # JavaScript and WebAuthn are there
    page.fill("#passkey-name", name)
    with page.expect_navigation():
        page.click("text=Add a passkey or security key")
    assert "The passkey is added." in page.inner_text("main"), page.inner_text("main")
    if page.url.endswith("/settings/security/recovery"):  # the first factor: on to making recovery codes
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.click("main form button[type=submit]")
        assert page.locator(".recovery-codes li").count() == 10
        open_passkey_settings(page)
    assert name in page.inner_text("#passkeys")


def sign_out(page) -> None:
    with page.expect_navigation():
        page.click("form[action='/logout'] button")
    assert page.goto("/settings").url.split("?")[0].endswith("/login")


def test_add_a_passkey_then_sign_in_with_it_alone(phones, passkey_server):
    page, cdp, authenticator, problems = phone_with_authenticator(phones)
    sign_in(page, "nori")
    add_passkey(page, "My phone")
    kept = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(kept) == 1 and kept[0]["isResidentCredential"] and kept[0]["rpId"] == "localhost"

    sign_out(page)
    page.goto("/login")
    with page.expect_navigation(url="**/home"):
        page.click("text=Sign in with a passkey")  # no username, no password
    assert "Nori" in page.inner_text("h1")
    open_passkey_settings(page)
    assert "not used yet" not in page.inner_text("#passkeys")  # its last use is shown
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
    assert not problems, problems


def test_password_then_passkey_as_the_second_factor(phones, passkey_server):
    page, _, _, problems = phone_with_authenticator(phones)
    sign_in(page, "oto")
    add_passkey(page, "Security key")
    sign_out(page)

    page.goto("/login?next=/diaries")
    page.fill("#username", "oto")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    step = page.url
    assert "/login/second-factor" in step
    assert page.goto("/settings").url.split("?")[0].endswith("/login")  # the password alone signs nobody in
    page.goto(step)
    if page.locator("[data-passkey=second] .passkey-go").count() == 0:  # before the second-factor page exists
        page.goto("/login/second-factor/passkey?next=/diaries")
    with page.expect_navigation(url="**/diaries"):
        page.click("text=Use a passkey")
    assert page.goto("/settings").status == 200 and page.url.endswith("/settings")
    assert not problems, problems


def test_without_javascript_the_page_says_so_and_at_320_px_nothing_spills(phones, passkey_server):
    page = phones.page(java_script_enabled=False)
    page.goto("/login")
    assert page.locator("[data-passkey=alone]").is_hidden()  # the password form is the way in
    sign_in(page, "pia")
    page.goto("/settings/security")
    assert page.locator("[data-passkey=add]").is_hidden()
    note = page.locator(".passkey-nojs")
    assert note.is_visible() and "needs JavaScript" in note.inner_text()
    assert note.locator("a").get_attribute("href") == "/settings/security/totp/new"  # the authenticator app instead

    narrow = phones.page(viewport={"width": 320, "height": 640})
    narrow.goto("/login")
    assert narrow.evaluate("document.documentElement.scrollWidth") <= 320
    sign_in(narrow, "pia")
    narrow.goto("/settings/security")
    assert narrow.locator("[data-passkey=add]").is_visible()
    assert narrow.evaluate("document.documentElement.scrollWidth") <= 320
