"""A sign-in from a browser the account has not been used from is mailed to its owner, in their language, by a
real SMTP server (aiosmtpd): when, which browser, roughly where from, and what to do if it was not them. The
browser's cookie is long-lived, HttpOnly and SameSite=Lax; a known browser, and the very first browser of a
new account (joining), are not mailed about."""

from __future__ import annotations

import pytest

from fixtures import make_site
from sns import mail
from sns.models import AccountEvent, KnownBrowser, User
from sns.services import invitations

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.1 Mobile/15E148 Safari/604.1")


@pytest.fixture(scope="module")
async def site(tmp_path_factory, smtp):
    controller, _ = smtp
    async with make_site(tmp_path_factory.mktemp("new-browser"), smtp_host="127.0.0.1", smtp_port=controller.port,
                         mail_from="town@test.example") as s:
        yield s


def browser(site, user_agent: str):
    client = site.client()
    client.headers["user-agent"] = user_agent
    return client


def mails_to(inbox, address: str):
    return [m for rcpts, m in inbox.messages if address in rcpts]


async def kinds(user) -> list[str]:
    return [e.kind for e in await AccountEvent.filter(user_id=user.id).order_by("created_at")]


async def test_a_new_browser_is_mailed_about_and_a_known_one_is_not(site, smtp):
    _, inbox = smtp
    ken = await site.user("ken")
    desk = browser(site, FIREFOX)
    first = await desk.login("ken")  # the account's first browser: learnt, nothing to compare it with
    cookie = first.headers.get_list("set-cookie")
    [browser_cookie] = [c for c in cookie if c.startswith("sns_browser=")]
    assert "HttpOnly" in browser_cookie and "SameSite=lax" in browser_cookie.replace("Lax", "lax")
    assert "Max-Age=" in browser_cookie
    await desk.submit("/logout", {})
    await desk.login("ken")  # the same browser again
    await mail.drain(site.settings)
    assert not mails_to(inbox, "ken@example.org")
    assert await kinds(ken) == ["sign_in", "sign_in"]

    phone = browser(site, IPHONE)
    await phone.login("ken")
    await mail.drain(site.settings)
    [message] = mails_to(inbox, "ken@example.org")
    assert message["Subject"] == "A sign-in to your account from a new browser"
    body = message.get_content()
    assert "Mobile Safari 17, iOS 17" in body and "127.0.0.x" in body and "ken" in body
    assert "http://test.example/settings/sessions" in body and "http://test.example/password/forgot" in body
    assert await kinds(ken) == ["sign_in", "sign_in", "sign_in_new_browser"]
    assert await KnownBrowser.filter(user_id=ken.id).count() == 2
    # the cookie's value is kept only hashed
    token = phone.cookies["sns_browser"]
    assert not await KnownBrowser.filter(browser_hash=token).exists()

    await phone.submit("/logout", {})
    await phone.login("ken")  # now a known browser
    await mail.drain(site.settings)
    assert len(mails_to(inbox, "ken@example.org")) == 1


async def test_the_mail_is_in_the_accounts_language(site, smtp):
    _, inbox = smtp
    aiko = await site.user("aiko")
    await User.filter(id=aiko.id).update(locale="ja")
    await browser(site, FIREFOX).login("aiko")
    await browser(site, IPHONE).login("aiko")
    await mail.drain(site.settings)
    [message] = mails_to(inbox, "aiko@example.org")
    assert "新しいブラウザ" in message["Subject"]
    body = message.get_content()
    assert "ログイン" in body and "Mobile Safari 17, iOS 17" in body and "/settings/sessions" in body
    assert "If it was not you" not in body


async def test_joining_is_not_mailed_about_but_the_next_new_browser_is(site, smtp):
    _, inbox = smtp
    admin = await site.user("mayor", role="admin")
    _, link = await invitations.invite(await site.ctx_for(admin), email="newcomer@example.org", send_mail=False)
    path = link.split("test.example", 1)[1]
    joining = browser(site, FIREFOX)
    await joining.get(path)
    response = await joining.submit(path, {"username": "newcomer", "display_name": "Newcomer",
                                           "email": "newcomer@example.org", "password": "a long enough password"})
    assert response.status_code == 303
    await mail.drain(site.settings)
    assert not mails_to(inbox, "newcomer@example.org")
    await browser(site, IPHONE).login("newcomer")
    await mail.drain(site.settings)
    assert len(mails_to(inbox, "newcomer@example.org")) == 1
    newcomer = await User.get(username="newcomer")
    assert await kinds(newcomer) == ["sign_in", "sign_in_new_browser"]


async def test_a_forged_browser_cookie_is_replaced(site, smtp):
    _, inbox = smtp
    await site.user("lena")
    await browser(site, FIREFOX).login("lena")
    forged = browser(site, IPHONE)
    forged.cookies.set("sns_browser", "<script>", domain="test.example")
    response = await forged.login("lena")
    [set_browser] = [c for c in response.headers.get_list("set-cookie") if c.startswith("sns_browser=")]
    assert "<script>" not in set_browser
    await mail.drain(site.settings)
    assert len(mails_to(inbox, "lena@example.org")) == 1
