"""An administrator invites a resident; the resident opens the link on their own phone and joins."""

import re

import pytest

from browser.live import ONCE, PASSWORD

pytestmark = [pytest.mark.browser, ONCE]


def test_admin_invites_and_the_resident_joins(phones):
    admin = phones.signed_in("admin")
    admin.goto("/admin/invitations")
    admin.uncheck("input[name=send_mail]")
    admin.fill("#note", "Mika from the harbour district")
    with admin.expect_navigation():
        admin.click("main form.stack button[type=submit]")
    link = admin.inner_text("#invitation-link").strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/join/\S+", link), link
    assert "Mika from the harbour district" in admin.inner_text("main")  # listed as open

    resident = phones.page()  # a fresh context: nobody is signed in there
    response = resident.goto(link)
    assert response.status == 200
    resident.fill("#username", "mika")
    resident.fill("#display_name", "Mika Tanaka")
    resident.fill("#email", "mika@example.org")
    resident.fill("#password", PASSWORD)
    with resident.expect_navigation():
        resident.click("main form button[type=submit]")
    # Joined and signed in: first the welcome on the profile form, then My page.
    assert "/settings/profile" in resident.url
    with resident.expect_navigation():
        resident.click("main form button[type=submit]")
    assert resident.url.endswith("/people/mika")
    with resident.expect_navigation():
        resident.click("header nav >> text=My page")
    assert resident.url.endswith("/home")
    assert resident.inner_text("h1") == "Hello, Mika Tanaka"

    # The link works once.
    again = phones.page()
    assert again.goto(link).status in (404, 410)

    # The invitation is no longer open.
    admin.goto("/admin/invitations")
    assert "Mika from the harbour district" not in admin.inner_text("main")
