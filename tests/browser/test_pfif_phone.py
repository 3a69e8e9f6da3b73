"""On phones, PFIF during a drill (docs/pfif.md): a resident on the narrowest phone without JavaScript finds the
consent to share her check-in with other person finders unticked, ticks it and checks in; the disaster desk
downloads the PFIF file and imports it back as a partner registry's; her friend, on his narrow phone, sees
"Reported safe by ..." with her check-in on My page. Its reads and writes run on both databases in tests/web."""

from __future__ import annotations

import pytest

from browser.axe_crawl import audit
from browser.live import ONCE

pytestmark = [pytest.mark.browser, ONCE]

NARROW = {"width": 320, "height": 640}


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_consent_export_import_and_a_friend_sees_reported_safe(server, phones, tmp_path):
    server.ensure_user("shelterdesk", "disaster")  # the disaster desk of the other disaster tests too
    server.ensure_user("pfifsora")
    server.ensure_user("pfifriku")
    bosai = phones.signed_in("shelterdesk")
    sora = phones.signed_in("pfifsora", viewport=NARROW, java_script_enabled=False)
    riku = phones.signed_in("pfifriku", viewport=NARROW)
    sora.goto("/people/pfifriku")
    if sora.locator("main button:text-is('Send friend request')").count():
        with sora.expect_navigation():
            sora.click("main button:text-is('Send friend request')")
        riku.goto("/friends")
        with riku.expect_navigation():
            riku.locator("li.card", has_text="Pfifsora").locator("button:text-is('Accept')").click()
    bosai.goto("/disaster")
    bosai.fill("#name", "Phone drill: PFIF")
    bosai.check("input[name=drill]")
    with bosai.expect_navigation():
        bosai.click("form[action='/disaster/start'] button[type=submit]")
    try:
        sora.goto("/disaster/checkin")
        consent = sora.locator("input[name=share_pfif]")
        assert not consent.is_checked() and fits(sora)
        assert "Your e-mail address and username are never sent." in sora.inner_text(".pfif-consent")
        sora.check("input[name=status][value=safe]")
        sora.fill("#message", "At the harbour hall, all fine")
        consent.check()
        with sora.expect_navigation():
            sora.click("form.checkin-form button[type=submit]")
        assert "can see that you are safe" in sora.inner_text(".flash")

        bosai.goto("/disaster/pfif")
        with bosai.expect_download() as download:
            bosai.click("form[action='/disaster/pfif/export'] button[type=submit]")
        saved = tmp_path / "export.xml"
        download.value.save_as(saved)
        assert download.value.suggested_filename.startswith("pfif-") and b"Pfifsora" in saved.read_bytes()
        bosai.fill("#source", "Partner finder")
        bosai.set_input_files("#document", str(saved))
        with bosai.expect_navigation():
            bosai.click("form[action='/disaster/pfif/import'] button[type=submit]")
        assert "about our residents stored" in bosai.inner_text("[role=status]")
        found = audit(bosai, "disaster", "en")  # the desk's page with an import's result
        bosai.goto("/disaster/checkin")
        found += audit(bosai, "disaster", "en")  # the consent's checkbox and its explanation

        riku.goto("/home")
        safety = riku.locator("#safety")
        line = safety.locator(".pfif-note", has_text="Reported safe by Partner finder (Pfifsora)")
        assert line.count() == 1 and "At the harbour hall, all fine" in line.inner_text() and fits(riku)
        found += audit(riku, "resident", "en")
        assert not found, "\n".join(f.line() for f in found)
    finally:
        bosai.goto("/disaster")
        with bosai.expect_navigation():
            bosai.click("form[action='/disaster/end'] button[type=submit]")
