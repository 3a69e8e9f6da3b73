"""Passkeys through the app, answered by a software authenticator (tests/passkey_authenticator.py) and verified
by the real library: adding one, signing in with it after the password and alone, and what is refused (another
site's passkey, a replayed answer, another account's passkey, a counter that went back, a closed account),
counted by the sign-in limit and logged."""

from __future__ import annotations

import logging

import pytest

from fixtures import make_site
from passkey_authenticator import SoftAuthenticator, b64url
from sns.models import AccountEvent, SecondFactor, Session, User
from sns.settings import Settings

ORIGIN = "http://test.example"  # the site's public_url in tests (tests/fixtures.py)


LIMIT = 12  # sign-in attempts per address in 15 minutes, here


@pytest.fixture(scope="module")
async def site(tmp_path_factory):
    async with make_site(tmp_path_factory.mktemp("passkeys"), second_factor_roles=Settings.second_factor_roles,
                         login_attempts_per_15min=LIMIT) as s:
        yield s


@pytest.fixture(autouse=True)
async def fresh_count(site):
    """Every test's client comes from the same address: each starts with no failures counted."""
    await site.app.state.limits.logins.reset("ip:127.0.0.1")


async def send(client, url: str, data: dict):
    """A JSON POST as static/passkeys.js makes it: the CSRF token in its header."""
    return await client.post(url, json=data, headers={"X-CSRF-Token": await client.ensure_csrf()})


async def add_passkey(client, authenticator: SoftAuthenticator, name: str = "My phone", **where):
    options = await send(client, "/settings/passkeys/options", {"name": name})
    assert options.status_code == 200, options.text
    document = options.json()
    credential = authenticator.create(document["publicKey"], where.pop("origin", ORIGIN), **where)
    return await send(client, "/settings/passkeys/add", {"ticket": document["ticket"], "name": name,
                                                         "credential": credential})


async def resident_with_passkey(site, username: str, role: str = "resident", counts: bool = True):
    """A new account with a passkey, added from a browser signed in with the password (returned too)."""
    user = await site.user(username, role=role)
    client = site.client()
    await client.login(username)
    authenticator = SoftAuthenticator(counts=counts)
    added = await add_passkey(client, authenticator)
    assert added.status_code == 200, added.text
    return user, authenticator, client


async def sign_in_alone(client, authenticator: SoftAuthenticator, next: str = "", **answer):
    """The sign-in page's "Sign in with a passkey": options, the authenticator's answer, the check."""
    await client.ensure_csrf()
    options = await send(client, "/login/passkey/options", {})
    assert options.status_code == 200, options.text
    document = options.json()
    credential = authenticator.get(document["publicKey"], answer.pop("origin", ORIGIN), **answer)
    response = await send(client, "/login/passkey", {"ticket": document["ticket"], "credential": credential,
                                                     "next": next})
    return response, document, credential


async def refusals(user) -> int:
    return await AccountEvent.filter(user_id=user.id, kind="second_factor_refused").count()


async def test_adding_a_passkey_keeps_it_logs_it_and_lists_it(site):
    user = await site.user("aiko")
    client = site.client()
    await client.login("aiko")
    page = await client.get("/settings/security")
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    assert "Adding a passkey needs JavaScript" in page.text and 'href="/settings/security/totp/new"' in page.text

    options = (await send(client, "/settings/passkeys/options", {"name": "My phone"})).json()["publicKey"]
    assert options["rp"]["id"] == "test.example"
    assert options["user"]["id"] == b64url(user.id.encode()) and options["user"]["name"] == "aiko"
    assert options["authenticatorSelection"]["residentKey"] == "preferred"
    assert options["authenticatorSelection"]["userVerification"] == "preferred"

    authenticator = SoftAuthenticator()
    added = await add_passkey(client, authenticator, "My phone")
    assert added.status_code == 200 and added.json()["ok"] and added.headers["cache-control"] == "private, no-store"
    factor = await SecondFactor.get(user_id=user.id, kind="passkey")
    assert factor.name == "My phone" and factor.credential_id == b64url(authenticator.credential_id)
    assert factor.transports == ["internal"] and factor.public_key
    assert await AccountEvent.filter(user_id=user.id, kind="passkey_added", detail="My phone").exists()
    listed = await client.get("/settings/security")
    assert "My phone" in listed.text and "not used yet" in listed.text

    # The next options leave it out (an authenticator does not make a second one for the same account).
    again = (await send(client, "/settings/passkeys/options", {"name": "x"})).json()["publicKey"]
    assert [d["id"] for d in again["excludeCredentials"]] == [factor.credential_id]


async def test_a_replayed_registration_or_another_sites_passkey_is_not_added(site):
    user = await site.user("bunta")
    client, other = site.client(), site.client()  # two browsers, both signed in
    await client.login("bunta")
    await other.login("bunta")
    authenticator = SoftAuthenticator()
    options = (await send(client, "/settings/passkeys/options", {"name": "Key"})).json()
    credential = authenticator.create(options["publicKey"], ORIGIN)
    first = await send(client, "/settings/passkeys/add", {"ticket": options["ticket"], "name": "Key",
                                                          "credential": credential})
    assert first.status_code == 200
    replay = await send(client, "/settings/passkeys/add", {"ticket": options["ticket"], "name": "Key",
                                                           "credential": credential})
    assert replay.status_code == 400 and "already added" in replay.json()["error"]

    for where in ({"origin": "https://evil.example", "rp_id": "evil.example"},  # made on another site
                  {"origin": "https://evil.example"},  # relayed by another site's page
                  {"rp_id": "evil.example"}):
        refused = await add_passkey(client, SoftAuthenticator(), "Phished", **where)
        assert refused.status_code == 400 and refused.json()["field"] == "passkey"
    # A ticket from another browser's session is refused too.
    options = (await send(other, "/settings/passkeys/options", {"name": "Key"})).json()
    stolen = await send(client, "/settings/passkeys/add", {
        "ticket": options["ticket"], "name": "Key", "credential": SoftAuthenticator().create(options["publicKey"], ORIGIN)})
    assert stolen.status_code == 400 and "expired" in stolen.json()["error"]
    assert await SecondFactor.filter(user_id=user.id).count() == 1


async def test_a_passkey_alone_signs_in_once_and_only_its_own_account(site):
    user, authenticator, _ = await resident_with_passkey(site, "chika")
    other = await site.user("daigo")
    visitor = site.client()
    page = await visitor.get("/login")
    assert "Sign in with a passkey" in page.text and '<script src="/static/passkeys.js"' in page.text

    response, document, credential = await sign_in_alone(visitor, authenticator, next="/diaries")
    assert document["publicKey"]["allowCredentials"] == []  # discoverable: the passkey names its account
    assert response.status_code == 200, response.text
    assert response.json() == {"ok": True, "redirect": "/diaries"}
    assert (await visitor.get("/settings")).status_code == 200  # signed in by the cookie it set
    session = await Session.filter(user_id=user.id, how="passkey").first()
    assert session is not None and session.stage == "signed_in"
    # (a sign-in from a browser the account has not used: "sign_in_new_browser")
    assert await AccountEvent.filter(user_id=user.id, kind__in=("sign_in", "sign_in_new_browser"),
                                     detail="passkey").exists()
    factor = await SecondFactor.get(user_id=user.id)
    assert factor.sign_count == 1 and factor.last_used_at is not None

    # The same answer again, from the same browser: refused, and logged on the account.
    before = await refusals(user)
    again = await send(visitor, "/login/passkey", {"ticket": document["ticket"], "credential": credential})
    assert again.status_code == 400 and again.json()["field"] == "passkey"
    assert await refusals(user) == before + 1

    # A passkey that says it is another account's (its user handle): refused.
    stranger = site.client()
    forged, _, _ = await sign_in_alone(stranger, authenticator, user_handle=other.id.encode())
    assert forged.status_code == 400 and (await stranger.get("/settings")).status_code == 303


async def test_another_sites_passkey_answer_and_a_counter_gone_back_are_refused_and_logged(site, caplog):
    user, authenticator, _ = await resident_with_passkey(site, "eiji")
    for where in ({"origin": "https://evil.example", "rp_id": "evil.example"}, {"origin": "https://evil.example"},
                  {"rp_id": "evil.example"}):
        visitor = site.client()
        response, _, _ = await sign_in_alone(visitor, authenticator, **where)
        assert response.status_code == 400 and (await visitor.get("/settings")).status_code == 303
    ok, _, _ = await sign_in_alone(site.client(), authenticator)
    ok2, _, _ = await sign_in_alone(site.client(), authenticator)
    assert ok.status_code == ok2.status_code == 200
    counter = (await SecondFactor.get(user_id=user.id)).sign_count

    # A copy of the key, behind the original: its counter does not move forward.
    before = await refusals(user)
    with caplog.at_level(logging.WARNING, logger="sns.passkeys"):
        cloned, _, _ = await sign_in_alone(site.client(), authenticator, sign_count=counter - 1)
    assert cloned.status_code == 400
    assert await refusals(user) == before + 1
    assert any("cloned" in r.getMessage() for r in caplog.records)
    assert (await SecondFactor.get(user_id=user.id)).sign_count == counter


async def test_a_passkey_is_the_second_factor_after_the_password(site):
    user, authenticator, _ = await resident_with_passkey(site, "fumi")
    intruder, theirs, _ = await resident_with_passkey(site, "goro")
    client = site.client()
    answer = await client.login("fumi")
    assert answer.headers["location"].startswith("/login/second-factor")
    assert (await client.get("/settings")).status_code == 303  # the password alone signs nobody in
    page = await client.get("/login/second-factor?next=/diaries")
    assert page.status_code == 200 and "Use a passkey" in page.text and page.headers["cache-control"] == "private, no-store"
    # fumi has no authenticator app: the code the page asks for instead is a recovery code
    assert "One of your recovery codes" in page.text and "Use the code from your authenticator app" not in page.text

    options = (await send(client, "/login/second-factor/passkey/options", {})).json()
    assert [d["id"] for d in options["publicKey"]["allowCredentials"]] == [b64url(authenticator.credential_id)]
    # Another account's passkey does not finish fumi's sign-in.
    before = await refusals(user)
    wrong = await send(client, "/login/second-factor/passkey/check", {
        "ticket": options["ticket"], "credential": theirs.get(options["publicKey"], ORIGIN, unasked=True)})
    assert wrong.status_code == 400 and await refusals(user) == before + 1
    # Her own does.
    done = await send(client, "/login/second-factor/passkey/check", {
        "ticket": options["ticket"], "credential": authenticator.get(options["publicKey"], ORIGIN), "next": "/diaries"})
    assert done.status_code == 200 and done.json()["redirect"] == "/diaries"
    assert (await client.get("/settings")).status_code == 200
    assert await Session.filter(user_id=user.id, stage="password").count() == 0
    # The step is over: no pending session to finish again.
    assert (await send(client, "/login/second-factor/passkey/options", {})).status_code == 401
    # A passkey-alone ticket is not a second-factor ticket (and the other way round).
    visitor = site.client()
    await visitor.ensure_csrf()
    alone = (await send(visitor, "/login/passkey/options", {})).json()
    await visitor.login("fumi")
    crossed = await send(visitor, "/login/second-factor/passkey/check", {
        "ticket": alone["ticket"], "credential": authenticator.get(alone["publicKey"], ORIGIN)})
    assert crossed.status_code == 400
    assert intruder.id != user.id


async def test_closed_accounts_cannot_sign_in_with_a_passkey(site):
    for state in ("suspended", "pending"):
        user, authenticator, _ = await resident_with_passkey(site, f"closed_{state}")
        await User.filter(id=user.id).update(state=state)
        visitor = site.client()
        response, _, _ = await sign_in_alone(visitor, authenticator)
        assert response.status_code == 400 and (await visitor.get("/settings")).status_code == 303
        assert ("suspended" if state == "suspended" else "approval") in response.json()["error"]
    user, authenticator, _ = await resident_with_passkey(site, "closed_gone")
    await User.filter(id=user.id).update(deleted_at=user.created_at)
    response, _, _ = await sign_in_alone(site.client(), authenticator)
    assert response.status_code == 400


async def test_removing_a_passkey_asks_the_password_and_keeps_a_staff_members_last_factor(site):
    user, _, client = await resident_with_passkey(site, "hana")
    factor = await SecondFactor.get(user_id=user.id)
    wrong = await client.submit("/settings/passkeys/remove", {"factor_id": factor.id, "password": "not it at all"})
    assert wrong.status_code == 400 and "Your current password is not right." in wrong.text
    assert 'aria-invalid="true"' in wrong.text and await SecondFactor.filter(id=factor.id).exists()
    removed = await client.submit("/settings/passkeys/remove", {"factor_id": factor.id, "password": "a long enough password",
                                                                 "next": "/settings/security"})
    assert removed.status_code == 303 and removed.headers["location"] == "/settings/security"
    assert not await SecondFactor.filter(id=factor.id).exists()
    assert await AccountEvent.filter(user_id=user.id, kind="factor_removed").exists()

    moderator, authenticator, _ = await resident_with_passkey(site, "isamu", role="moderator")
    staff = site.client()
    await staff.login("isamu")  # the password, then the passkey
    options = (await send(staff, "/login/second-factor/passkey/options", {})).json()
    await send(staff, "/login/second-factor/passkey/check", {
        "ticket": options["ticket"], "credential": authenticator.get(options["publicKey"], ORIGIN)})
    last = await SecondFactor.get(user_id=moderator.id)
    kept = await staff.submit("/settings/passkeys/remove", {"factor_id": last.id, "password": "a long enough password"})
    assert kept.status_code == 403 and "must have a second factor" in kept.text
    assert await SecondFactor.filter(id=last.id).exists()
    # Nobody removes someone else's.
    other = await client.submit("/settings/passkeys/remove", {"factor_id": last.id, "password": "a long enough password"})
    assert other.status_code == 404 and await SecondFactor.filter(id=last.id).exists()


async def test_hostile_input_gets_a_clear_answer(site):
    await site.user("jun")
    client = site.client()
    await client.login("jun")
    token = await client.ensure_csrf()
    for body in (b"not json", b"[1, 2]", b"\xff\xfe", b'{"name": "' + b"x" * 70_000 + b'"}'):
        response = await client.post("/settings/passkeys/add", content=body,
                                     headers={"X-CSRF-Token": token, "Content-Type": "application/json"})
        assert response.status_code == 400 and response.json()["error"]
    for data in ({"ticket": "forged", "credential": {}}, {"ticket": 5, "credential": "x"},
                 {"ticket": None, "credential": {"id": 1}}):
        assert (await send(client, "/settings/passkeys/add", data)).status_code == 400
        assert (await send(site.client(), "/login/passkey", data)).status_code == 400
    long_name = await send(client, "/settings/passkeys/options", {"name": "n" * 65})
    assert long_name.status_code == 400 and long_name.json()["field"] == "name"
    # Without the CSRF token nothing is done.
    assert (await client.post("/settings/passkeys/options", json={"name": "x"})).status_code == 403


async def test_a_passkey_without_a_counter_still_works_once_per_challenge(site):
    """Synced passkeys often send a counter of 0: each answer still works only once."""
    user, authenticator, _ = await resident_with_passkey(site, "lena", counts=False)
    for _ in range(2):
        visitor = site.client()
        response, document, credential = await sign_in_alone(visitor, authenticator)
        assert response.status_code == 200, response.text
    assert (await SecondFactor.get(user_id=user.id)).sign_count == 0
    replayed = await send(visitor, "/login/passkey", {"ticket": document["ticket"], "credential": credential})
    assert replayed.status_code == 400


async def test_failed_passkey_sign_ins_count_toward_the_sign_in_limit(site):
    _, authenticator, _ = await resident_with_passkey(site, "kaori")
    visitor = site.client()
    for _ in range(LIMIT):
        response, _, _ = await sign_in_alone(visitor, authenticator, origin="https://evil.example")
        assert response.status_code == 400
    blocked = await send(visitor, "/login/passkey/options", {})
    assert blocked.status_code == 429 and "Too many sign-in attempts" in blocked.json()["error"]
    # the right passkey, too, waits now
    assert (await send(visitor, "/login/passkey", {"ticket": "x", "credential": {}})).status_code == 429
