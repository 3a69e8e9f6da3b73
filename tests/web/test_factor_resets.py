"""Second-factor resets for someone who lost their phone, through the app with a real SMTP server: one
administrator asks with a reason, a second, different one confirms; only then are the person's second
factors and recovery codes gone, every session of theirs ended (their cookie signs nobody in), their own log
told and a mail sent in their language, each step in the audit log. The asker cannot confirm, nobody resets
their own factors this way, an expired or cancelled ask cannot be confirmed."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from itsdangerous import Signer

from fixtures import make_site
from sns import mail
from sns.models import AccountEvent, FactorReset, RecoveryCode, SecondFactor, Session, StaffActionLog, User
from sns.models.base import utcnow
from sns.security import hash_password
from sns.services.second_factor import add_totp

CONFIRM_RE = re.compile(r'action="/admin/factor-resets/([^"]+)"')


@pytest.fixture(scope="module")
async def site(tmp_path_factory, smtp):
    controller, _ = smtp
    async with make_site(tmp_path_factory.mktemp("resets"), smtp_host="127.0.0.1", smtp_port=controller.port,
                         mail_from="town@test.example") as s:
        yield s


@pytest.fixture(scope="module")
async def admins(site):
    await site.user("admin_a", role="admin")
    await site.user("admin_b", role="admin")
    clients = []
    for name in ("admin_a", "admin_b"):
        client = site.client()
        await client.login(name)
        clients.append(client)
    return clients


async def with_factors(site, username: str, locale: str = "") -> User:
    """An account with an authenticator app and its ten recovery codes (made with the app) plus two more."""
    user = await site.user(username)
    if locale:
        await User.filter(id=user.id).update(locale=locale)
    secret = pyotp.random_base32()
    await add_totp(await site.ctx_for(user), user, "phone", secret, pyotp.TOTP(secret).now())
    for code in ("aaaa-bbbb-cccc", "dddd-eeee-ffff"):
        await RecoveryCode.create(user_id=user.id, code_hash=hash_password(code))
    return await User.get(id=user.id)


async def factors_of(user) -> int:
    return await SecondFactor.filter(user_id=user.id).count() + await RecoveryCode.filter(user_id=user.id).count()


async def ask(client, user, reason="Lost her phone; came to the desk with her My Number card"):
    return await client.submit(f"/admin/users/{user.username}/factor-reset", {"reason": reason})


async def test_a_reset_needs_two_different_administrators(site, smtp, admins):
    _, inbox = smtp
    a, b = admins
    yui = await with_factors(site, "yui")
    phone = site.client()
    await Session.create(id="yui-phone-session-0123456789", user_id=yui.id, csrf_token="x")
    phone.cookies.set("sns_session", _signed(site, "yui-phone-session-0123456789"), domain="test.example")
    assert (await phone.get("/settings")).status_code == 200

    users_page = (await a.get("/admin/users")).text
    assert f'href="/admin/users/{yui.username}/factor-reset"' in users_page
    form = await a.get(f"/admin/users/{yui.username}/factor-reset")
    assert form.status_code == 200 and "@yui" in form.text
    response = await ask(a, yui)
    assert response.status_code == 303 and response.headers["location"] == "/admin/factor-resets"
    [reset] = await FactorReset.filter(user_id=yui.id)
    assert reset.state == "waiting" and timedelta(hours=23) < reset.expires_at - utcnow() <= timedelta(hours=24)

    # the asker sees it waiting, with no button to confirm it, and a confirmation posted anyway is refused
    mine = (await a.get("/admin/factor-resets")).text
    assert "@yui" in mine and 'value="confirm"' not in mine and "Another administrator must confirm" in mine
    refused = await a.submit(f"/admin/factor-resets/{reset.id}", {"action": "confirm"}, follow=True)
    assert "A second administrator must confirm the reset you asked for." in refused.text
    assert await factors_of(yui) == 13 and (await phone.get("/settings")).status_code == 200
    assert (await FactorReset.get(id=reset.id)).state == "waiting"

    # the second administrator confirms
    theirs = (await b.get("/admin/factor-resets")).text
    assert CONFIRM_RE.findall(theirs) == [reset.id] and 'value="confirm"' in theirs
    done = await b.submit(f"/admin/factor-resets/{reset.id}", {"action": "confirm"}, follow=True)
    assert "The second factors are removed" in done.text
    assert await factors_of(yui) == 0
    assert await Session.filter(user_id=yui.id).count() == 0
    assert (await phone.get("/settings")).status_code == 303  # her old cookie signs nobody in
    reset = await FactorReset.get(id=reset.id)
    assert reset.state == "done" and reset.decided_by_id == (await User.get(username="admin_b")).id
    assert await AccountEvent.filter(user_id=yui.id, kind="factors_reset").count() == 1
    await mail.drain(site.settings)
    [message] = [m for rcpts, m in inbox.messages if "yui@example.org" in rcpts]
    assert message["Subject"] == "Your second factors were removed"
    assert "http://test.example/settings/security" in message.get_content()
    log = [(r.action, r.actor_id) for r in await StaffActionLog.filter(target_id=yui.id).order_by("created_at")]
    ids = {u.username: u.id for u in await User.filter(username__in=["admin_a", "admin_b"])}
    assert log == [("factor_reset.ask", ids["admin_a"]), ("factor_reset.confirm", ids["admin_b"])]
    audit_page = (await a.get("/admin/audit?kind=factor_reset")).text
    assert "Asked for a second-factor reset" in audit_page and "Confirmed a second-factor reset" in audit_page
    again = await b.submit(f"/admin/factor-resets/{reset.id}", {"action": "confirm"}, follow=True)
    assert "already confirmed or cancelled" in again.text


def _signed(site, session_id: str) -> str:
    return Signer(site.app.state.secret, salt="session").sign(session_id).decode()


async def test_the_mail_is_in_the_persons_language(site, smtp, admins):
    _, inbox = smtp
    a, b = admins
    sora = await with_factors(site, "sora", locale="ja")
    await ask(a, sora)
    reset = await FactorReset.get(user_id=sora.id)
    await b.submit(f"/admin/factor-resets/{reset.id}", {"action": "confirm"})
    await mail.drain(site.settings)
    [message] = [m for rcpts, m in inbox.messages if "sora@example.org" in rcpts]
    assert "二段階" in message["Subject"] and "/settings/security" in message.get_content()


async def test_nobody_resets_their_own_factors(site, admins):
    a, b = admins
    admin_a = await User.get(username="admin_a")
    assert (await a.get(f"/admin/users/{admin_a.username}/factor-reset")).status_code == 200  # the form, but...
    response = await ask(a, admin_a)
    assert response.status_code == 403 and "Another administrator must ask" in response.text
    assert not await FactorReset.filter(user_id=admin_a.id).exists()
    assert f'href="/admin/users/{admin_a.username}/factor-reset"' not in (await a.get("/admin/users")).text
    # asked by b for a: a (its subject) may neither confirm nor cancel it
    await ask(b, admin_a)
    reset = await FactorReset.get(user_id=admin_a.id)
    for action in ("confirm", "cancel"):
        await a.submit(f"/admin/factor-resets/{reset.id}", {"action": action})
        assert (await FactorReset.get(id=reset.id)).state == "waiting"
    await b.submit(f"/admin/factor-resets/{reset.id}", {"action": "cancel"})
    assert (await FactorReset.get(id=reset.id)).state == "cancelled"


async def test_an_expired_or_cancelled_ask_cannot_be_confirmed(site, admins):
    a, b = admins
    kai, rin = await with_factors(site, "kai"), await with_factors(site, "rin")
    await ask(a, kai)
    reset = await FactorReset.get(user_id=kai.id)
    await FactorReset.filter(id=reset.id).update(expires_at=utcnow() - timedelta(minutes=1))
    assert "@kai" not in (await b.get("/admin/factor-resets")).text
    refused = await b.submit(f"/admin/factor-resets/{reset.id}", {"action": "confirm"}, follow=True)
    assert "This ask has expired." in refused.text and await factors_of(kai) == 13

    await ask(a, rin)
    reset = await FactorReset.get(user_id=rin.id)
    cancelled = await a.submit(f"/admin/factor-resets/{reset.id}", {"action": "cancel"}, follow=True)
    assert "The reset is cancelled." in cancelled.text
    await b.submit(f"/admin/factor-resets/{reset.id}", {"action": "confirm"})
    assert await factors_of(rin) == 13 and (await FactorReset.get(id=reset.id)).state == "cancelled"
    assert await StaffActionLog.filter(action="factor_reset.cancel", target_id=rin.id).count() == 1


async def test_a_reason_is_needed_and_bad_input_is_answered(site, admins):
    a, _ = admins
    noa = await with_factors(site, "noa")
    empty = await ask(a, noa, reason="   ")
    assert empty.status_code == 400 and 'id="reason-error"' in empty.text
    long = await ask(a, noa, reason="x" * 5000)
    assert long.status_code == 400 and 'id="reason-error"' in long.text and "x" * 200 in long.text
    assert not await FactorReset.filter(user_id=noa.id).exists()
    assert (await a.get("/admin/users/no_such_person/factor-reset")).status_code == 404
    assert (await a.submit("/admin/factor-resets/no-such-id", {"action": "confirm"})).status_code == 303
    assert (await a.submit(f"/admin/factor-resets/{'x' * 40}", {"action": "dance"})).status_code == 400


async def test_only_administrators_ask_or_confirm(site, admins):
    a, _ = admins
    await site.user("mod2", role="moderator")
    mio = await with_factors(site, "mio")
    moderator = site.client()
    await moderator.login("mod2")
    assert (await moderator.get(f"/admin/users/{mio.username}/factor-reset")).status_code == 403
    assert (await ask(moderator, mio)).status_code == 403
    await ask(a, mio)
    reset = await FactorReset.get(user_id=mio.id)
    assert (await moderator.submit(f"/admin/factor-resets/{reset.id}", {"action": "confirm"})).status_code == 403
    assert await factors_of(mio) == 13
