"""Second factors on a phone (docs/privacy.md, "Second factors"), on a server of their own that asks staff for
one (SNS_SECOND_FACTOR_ROLES as shipped): a resident adds an authenticator app (the test is the app: it reads
the key from the page and computes codes with pyotp), signs out and in with the password and a code, and a
recovery code works once; a staff member without a factor is held at the setup page until they add one."""

import pytest

from browser.live import ONCE, PASSWORD, LiveServer, Phones, migrated_database
from browser.test_phone_layout import NARROW, TOO_WIDE, check
from sns.settings import Settings
from totp_codes import code

pytestmark = [pytest.mark.browser, ONCE]


@pytest.fixture(scope="module")
def factor_server(tmp_path_factory):
    data = tmp_path_factory.mktemp("factor")
    live = LiveServer(data, migrated_database(data))
    live.extra_env["SNS_SECOND_FACTOR_ROLES"] = Settings.second_factor_roles
    live.sns("init")
    live.create_user("sachiko")
    live.create_user("tomo", "staff")
    live.start()
    yield live
    live.stop()


@pytest.fixture
def devices(browser, factor_server):
    opened = Phones(browser, factor_server)
    yield opened
    opened.close()


def submit(page, form: str = "main form.stack") -> None:
    with page.expect_navigation():
        page.click(f"{form} button[type=submit]")


def password(page, username: str) -> None:
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    submit(page, "main form")


def add_app(page, name: str) -> tuple[str, list[str]]:
    """Through the pages, as a person with an authenticator app does; returns the key and the recovery codes."""
    page.goto("/settings/security")
    with page.expect_navigation():
        page.click("text=Add an authenticator app")
    assert page.locator("figure.qr svg").is_visible()
    secret = page.inner_text("#totp-secret").replace(" ", "")
    page.fill("#code", code(secret, -1))  # the step before: the current one stays unused
    page.fill("#name", name)
    submit(page)
    assert page.locator("h1").inner_text() == "Your recovery codes", page.content()[:2000]
    codes = page.locator("ol.recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    assert page.evaluate(TOO_WIDE) == []  # fits the phone, to be read out or copied
    with page.expect_navigation():
        page.click("text=I have kept them: continue")
    assert name in page.inner_text("main")
    return secret, codes


def sign_out(page) -> None:
    with page.expect_navigation():
        page.click("footer form[action='/logout'] button")


def test_an_authenticator_app_and_a_recovery_code_on_a_phone(devices):
    page = devices.page()
    password(page, "sachiko")
    assert page.url.endswith("/home")
    secret, codes = add_app(page, "Sachiko's phone")
    sign_out(page)

    password(page, "sachiko")
    assert "/login/second-factor" in page.url
    assert page.get_attribute("#code", "autocomplete") == "one-time-code"
    page.fill("#code", "000000" if code(secret) != "000000" else "111111")
    submit(page)
    assert "That code is not right" in page.inner_text("#code-error")
    page.fill("#code", code(secret))
    submit(page)
    assert page.url.endswith("/home")
    sign_out(page)

    # Lost the phone: a recovery code instead, once.
    for attempt in range(2):
        password(page, "sachiko")
        with page.expect_navigation():
            page.click("text=Use a recovery code")
        page.fill("#code", codes[3])
        submit(page)
        if attempt == 0:
            assert page.url.endswith("/home")
            sign_out(page)
        else:
            assert "/login/second-factor" in page.url and "That code is not right" in page.inner_text("main")


def test_a_staff_member_without_a_factor_is_held_at_the_setup_page(devices):
    page = devices.page(viewport=NARROW)  # the narrowest phone: the pages fit (tests/browser/test_phone_layout.py)
    password(page, "tomo")
    assert page.url.endswith("/settings/security?setup=1")
    assert "must use a second factor" in page.inner_text("#second-factor-needed")
    page.goto("/diaries/new")
    assert page.url.endswith("/settings/security?setup=1")
    for url in ("/settings/security?setup=1", "/settings/security/totp/new"):
        check(page, url)
    add_app(page, "Work phone")
    page.goto("/diaries/new")
    assert page.url.endswith("/diaries/new")
    for url in ("/settings/security", "/settings/security/recovery", "/settings"):
        check(page, url)
