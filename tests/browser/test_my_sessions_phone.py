"""On a 320 px phone with JavaScript off, a resident finds their signed-in browsers from Settings and signs
their other phone out (that phone is then asked to sign in again); the security log, the audit log and the
second-factor reset pages fit the narrowest phone too."""

import pytest

from browser.live import ONCE, sign_in
from browser.test_phone_layout import NARROW, check

pytestmark = [pytest.mark.browser, ONCE]


def test_signing_out_my_other_phone_from_the_list(phones, server):
    server.ensure_user("sessions_sumi")
    other = phones.page()
    sign_in(other, "sessions_sumi")
    mine = phones.page(viewport=NARROW, java_script_enabled=False)
    sign_in(mine, "sessions_sumi")
    mine.goto("/settings")
    with mine.expect_navigation():
        mine.click("text=Signed-in browsers and apps")
    assert mine.url.endswith("/settings/sessions")
    check(mine, "/settings/sessions")
    assert mine.locator(".sessions .card").count() == 2 and mine.locator("text=This browser").count() == 1
    with mine.expect_navigation():
        mine.click(".sessions .card button:has-text('Sign out')")
    assert mine.locator("text=That session is signed out.").count() == 1
    assert mine.locator(".sessions .card").count() == 1
    other.goto("/settings")
    assert "/login" in other.url  # the other phone's cookie signs nobody in any more
    check(mine, "/settings/security/log")
    assert mine.locator("text=A session signed out").count() == 1


def test_the_administrators_pages_fit_a_320px_phone(phones, server):
    admin = phones.signed_in("admin", viewport=NARROW)
    for url in ("/admin/audit", "/admin/audit?kind=user", "/admin/factor-resets", "/admin/users/ken/factor-reset",
                "/admin/users"):
        check(admin, url)
