"""Second factors through the app (docs/privacy.md, "Second factors"): adding an authenticator app and signing
in with it; wrong, replayed and other accounts' codes refused, counted and logged; recovery codes once, and
remade; making a token and removing a factor ask again; a staff account without a factor held at the setup
page, its kept pages not served, its API token still working."""

from __future__ import annotations

import re

import pytest

from fixtures import PASSWORD, make_site
from sns.models import AccountEvent, RecoveryCode, SecondFactor, User
from sns.services import accounts, tokens
from sns.settings import Settings
from totp_codes import code

SECRET_RE = re.compile(r'id="totp-secret">([A-Z2-7 ]+)<')
SETUP_RE = re.compile(r'name="setup" value="([^"]+)"')
CODES_RE = re.compile(r"<li><code>([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})</code></li>")
SETUP_PAGE = "/settings/security?setup=1"


@pytest.fixture(scope="module")
async def site(tmp_path_factory):
    async with make_site(tmp_path_factory.mktemp("site"), second_factor_roles=Settings.second_factor_roles,
                         login_attempts_per_15min=1000) as s:
        yield s


async def add_app(client, name: str = "My phone") -> tuple[str, list[str]]:
    """Add an authenticator app through the pages (the secret read from the page, the first code the one of
    the step before, so the current one is still unused); returns the secret and the recovery codes shown."""
    page = await client.get("/settings/security/totp/new")
    assert page.status_code == 200 and page.headers["cache-control"] == "private, no-store"
    secret = SECRET_RE.search(page.text).group(1).replace(" ", "")
    added = await client.submit("/settings/security/totp/new", {"setup": SETUP_RE.search(page.text).group(1),
                                                               "name": name, "code": code(secret, -1)})
    assert added.status_code in (200, 303), added.text[:2000]
    return secret, CODES_RE.findall(added.text)


async def password_step(site, username: str, target: str = ""):
    """A new browser, past the password: (client, the answer)."""
    client = site.client()
    data = {"username": username, "password": PASSWORD}
    if target:
        data["next"] = target
    return client, await client.submit("/login", data)


async def signed_in_with(site, username: str, typed: str, target: str = ""):
    client, answer = await password_step(site, username, target)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login/second-factor")
    return client, await client.submit("/login/second-factor", {"code": typed, "next": target})


async def kinds(user) -> list[str]:
    return [e.kind for e in await AccountEvent.filter(user_id=user.id).order_by("created_at")]


async def test_adding_an_app_and_signing_in_with_it(site):
    aiko = await site.user("aiko")
    client = site.client()
    await client.login("aiko")
    settings = await client.get("/settings")
    assert 'href="/settings/security"' in settings.text
    page = await client.get("/settings/security")
    assert page.status_code == 200 and "No authenticator app yet." in page.text
    assert page.headers["cache-control"] == "private, no-store"

    new = await client.get("/settings/security/totp/new")
    secret = SECRET_RE.search(new.text).group(1).replace(" ", "")
    assert len(secret) == 32 and '<svg viewBox=' in new.text and "<script" not in new.text.split("<main")[1]
    uri = re.search(r'href="(otpauth://[^"]+)"', new.text).group(1)
    assert uri.startswith("otpauth://totp/") and "aiko" in uri and "issuer=test.example" in uri
    # A wrong code loses nothing: the same QR code and key, the name typed.
    wrong = await client.submit("/settings/security/totp/new", {"setup": SETUP_RE.search(new.text).group(1),
                                                               "name": "Kitchen phone", "code": "000000"})
    assert wrong.status_code == 400 and 'aria-invalid="true"' in wrong.text
    assert SECRET_RE.search(wrong.text).group(1).replace(" ", "") == secret and 'value="Kitchen phone"' in wrong.text
    assert not await SecondFactor.filter(user_id=aiko.id).exists()  # never stored before it is confirmed
    # Someone else's setup field (or one tampered with) is refused, with a new QR code.
    forged = await client.submit("/settings/security/totp/new", {"setup": "x" + SETUP_RE.search(new.text).group(1),
                                                                "name": "Kitchen phone", "code": code(secret)})
    assert forged.status_code == 400 and SECRET_RE.search(forged.text).group(1).replace(" ", "") != secret

    added = await client.submit("/settings/security/totp/new", {"setup": SETUP_RE.search(wrong.text).group(1),
                                                               "name": "Kitchen phone", "code": code(secret, -1)})
    assert added.status_code == 200 and added.headers["cache-control"] == "private, no-store"
    codes = CODES_RE.findall(added.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert await RecoveryCode.filter(user_id=aiko.id).count() == 10
    assert all(codes[0] not in row.code_hash for row in await RecoveryCode.filter(user_id=aiko.id))  # hashed
    listed = await client.get("/settings/security")
    assert "Kitchen phone" in listed.text and "10 of your recovery codes are left." in listed.text
    assert secret not in listed.text
    assert await kinds(aiko) == ["sign_in", "totp_added", "recovery_codes_made"]

    # Signing in now asks for the code after the password, and keeps where the person was going.
    other, answer = await password_step(site, "aiko", "/diaries?x=1&y=2")
    assert answer.headers["location"] == "/login/second-factor?next=%2Fdiaries%3Fx%3D1%26y%3D2"
    assert (await other.get("/home")).status_code == 303  # not signed in yet
    step = await other.get(answer.headers["location"])
    assert step.status_code == 200 and 'autocomplete="one-time-code"' in step.text
    assert 'name="next" value="/diaries?x=1&amp;y=2"' in step.text
    done = await other.submit("/login/second-factor", {"code": code(secret), "next": "/diaries?x=1&y=2"})
    assert done.status_code == 303 and done.headers["location"] == "/diaries?x=1&y=2"
    assert (await other.get("/home")).status_code == 200
    # The step's session is gone: the page sends a signed-in person on.
    assert (await other.get("/login/second-factor")).status_code == 303
    assert (await kinds(aiko))[-1] == "sign_in_new_browser"  # another client: a browser aiko never used
    last = await AccountEvent.filter(user_id=aiko.id).order_by("-created_at").first()
    assert last.detail == "totp"


async def test_wrong_replayed_and_other_accounts_codes_are_refused_and_logged(site):
    await site.user("bunta")
    await site.user("chika")
    bunta, chika = site.client(), site.client()
    await bunta.login("bunta")
    await chika.login("chika")
    # An app being added belongs to the account whose page showed it: another's signed field is refused.
    theirs = await bunta.get("/settings/security/totp/new")
    their_secret = SECRET_RE.search(theirs.text).group(1).replace(" ", "")
    taken = await chika.submit("/settings/security/totp/new", {"setup": SETUP_RE.search(theirs.text).group(1),
                                                              "name": "Not mine", "code": code(their_secret)})
    assert taken.status_code == 400 and not await SecondFactor.filter(name="Not mine").exists()
    bunta_secret, _ = await add_app(bunta)
    chika_secret, _ = await add_app(chika)

    _, wrong = await signed_in_with(site, "bunta", "123456" if code(bunta_secret) != "123456" else "654321")
    assert wrong.status_code == 400 and "That code is not right" in wrong.text
    _, others = await signed_in_with(site, "bunta", code(chika_secret))
    assert others.status_code == 400
    user = await User.get(username="bunta")
    assert (await kinds(user)).count("second_factor_refused") == 2

    typed = code(bunta_secret)
    _, first = await signed_in_with(site, "bunta", typed)
    assert first.status_code == 303
    replayer, again = await signed_in_with(site, "bunta", typed)
    assert again.status_code == 400 and (await replayer.get("/home")).status_code == 303
    assert (await kinds(user)).count("second_factor_refused") == 3
    # Hostile input at the step: a clear answer, never a server error.
    hostile_client, _ = await password_step(site, "bunta")
    for typed in ("x" * 10_000, "\x00123456", "１２３４５６", "<script>", "'; --", "\u202e12345"):
        answer = await hostile_client.submit("/login/second-factor", {"code": typed, "next": typed})
        assert answer.status_code == 400, typed[:20]
    # Without a pending session there is nothing to give a code to.
    stranger = site.client()
    assert (await stranger.submit("/login/second-factor", {"code": typed})).headers["location"] == "/login"


async def test_a_recovery_code_works_once_and_new_ones_replace_the_old(site):
    await site.user("daichi")
    client = site.client()
    await client.login("daichi")
    secret, codes = await add_app(client)
    user = await User.get(username="daichi")

    step_client, answer = await password_step(site, "daichi")
    recovery_page = await step_client.get("/login/second-factor?recovery=1")
    assert 'inputmode="text"' in recovery_page.text
    # typed as a person might: capitals, spaces instead of dashes
    used = await step_client.submit("/login/second-factor", {"code": codes[0].upper().replace("-", " "),
                                                            "recovery": "1"})
    assert used.status_code == 303 and (await step_client.get("/home")).status_code == 200
    _, again = await signed_in_with(site, "daichi", codes[0])
    assert again.status_code == 400 and 'name="recovery"' not in again.text
    assert "recovery_code_used" in await kinds(user)
    assert "9 of your recovery codes are left." in (await step_client.get("/settings/security")).text

    # New codes: the password again; then the old ones stop working and the new ones work.
    refused = await client.submit("/settings/security/recovery", {"password": "not my password"})
    assert refused.status_code == 400 and "Your password is not right." in refused.text
    made = await client.submit("/settings/security/recovery", {"password": PASSWORD})
    assert made.status_code == 200 and made.headers["cache-control"] == "private, no-store"
    new_codes = CODES_RE.findall(made.text)
    assert len(new_codes) == 10 and not set(new_codes) & set(codes)
    _, old = await signed_in_with(site, "daichi", codes[1])
    assert old.status_code == 400
    _, new = await signed_in_with(site, "daichi", new_codes[1])
    assert new.status_code == 303
    assert (await kinds(user)).count("recovery_codes_made") == 2


async def test_making_a_token_asks_for_the_second_factor_or_the_password(site):
    await site.user("emi")
    client = site.client()
    await client.login("emi")
    page = await client.get("/settings")
    assert 'name="password"' in page.text and 'name="code"' not in page.text.split('action="/settings/tokens"')[1]
    wrong = await client.submit("/settings/tokens", {"name": "My script", "password": "guess"})
    assert wrong.status_code == 400 and 'value="My script"' in wrong.text and "sns_" not in wrong.text
    made = await client.submit("/settings/tokens", {"name": "My script", "password": PASSWORD})
    assert made.status_code == 200 and re.search(r"sns_[\w-]{20,}", made.text)

    secret, _ = await add_app(client)
    page = await client.get("/settings")
    form = page.text.split('action="/settings/tokens"')[1].split("</form>")[0]
    assert 'name="code"' in form and 'name="password"' not in form
    wrong = await client.submit("/settings/tokens", {"name": "Second script", "code": "000000", "password": PASSWORD})
    assert wrong.status_code == 400 and 'value="Second script"' in wrong.text and "sns_" not in wrong.text
    made = await client.submit("/settings/tokens", {"name": "Second script", "code": code(secret)})
    assert made.status_code == 200 and re.search(r"sns_[\w-]{20,}", made.text)


async def test_removing_a_factor_asks_for_the_password(site):
    await site.user("fumi")
    client = site.client()
    await client.login("fumi")
    await add_app(client)
    user = await User.get(username="fumi")
    factor = await SecondFactor.get(user_id=user.id)
    url = f"/settings/security/factors/{factor.id}/remove"
    assert 'name="password"' in (await client.get(url)).text
    refused = await client.submit(url, {"password": "not it"})
    assert refused.status_code == 400 and await SecondFactor.filter(id=factor.id).exists()
    removed = await client.submit(url, {"password": PASSWORD})
    assert removed.status_code == 303 and not await SecondFactor.filter(id=factor.id).exists()
    assert not await RecoveryCode.filter(user_id=user.id).exists()  # no stand-ins for nothing
    assert "factor_removed" in await kinds(user)
    # Another account's factor: not there for me.
    await site.user("goro")
    goro = site.client()
    await goro.login("goro")
    await add_app(goro)
    theirs = await SecondFactor.get(user__username="goro")
    assert (await client.submit(f"/settings/security/factors/{theirs.id}/remove",
                                {"password": PASSWORD})).status_code == 404
    # Signing in is a password alone again.
    _, answer = await password_step(site, "fumi")
    assert answer.headers["location"] == "/home"


async def test_a_staff_account_without_a_factor_is_held_until_it_adds_one(site):
    staff = await site.user("hiro", role="staff")
    client = site.client()
    answer = await client.login("hiro")
    assert answer.headers["location"] == "/home"
    for path in ("/home", "/diaries", "/settings", "/notices/new", "/admin/invitations", "/people/hiro",
                 "/no/such/page", "/", "/login"):
        got = await client.get(path)
        assert got.status_code == 303 and got.headers["location"] == SETUP_PAGE, path
    posted = await client.submit("/diaries/new", {"title": "t", "body": "b", "visibility": "public"})
    assert posted.status_code == 303 and posted.headers["location"] == SETUP_PAGE
    setup = await client.get(SETUP_PAGE)
    assert setup.status_code == 200
    assert "Your role (Municipal staff) must use a second factor. Add one to continue." in setup.text
    assert (await client.submit("/settings/language", {"lang": "ja", "next": SETUP_PAGE})).status_code == 303
    assert "二段階認証" in (await client.get(SETUP_PAGE)).text
    await client.submit("/settings/language", {"lang": "en", "next": SETUP_PAGE})
    # The JSON API's tokens are not held (one made on the server, as `sns token create` does).
    _, token = await tokens.create_token(await site.ctx_for(staff), "cli")
    me = await site.client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["username"] == "hiro"

    await add_app(client)
    assert (await client.get("/home")).status_code == 200
    assert "Add one to continue" not in (await client.get("/settings/security")).text
    # The last factor of such a role stays.
    factor = await SecondFactor.get(user_id=staff.id)
    assert (await client.get(f"/settings/security/factors/{factor.id}/remove")).status_code == 403
    assert (await client.submit(f"/settings/security/factors/{factor.id}/remove",
                                {"password": PASSWORD})).status_code == 403
    assert await SecondFactor.filter(id=factor.id).exists()
    # Signing out works while held, too.
    other = site.client()
    await site.user("hiro2", role="fire")
    await other.login("hiro2")
    out = await other.submit("/logout")
    assert out.status_code == 303 and out.headers["location"] == "/"
    assert (await other.get("/home")).headers["location"].startswith("/login")


async def test_a_kept_page_is_not_served_to_a_held_account(site):
    await site.user("ichiro")
    admin = await site.user("kanri", role="admin")
    client = site.client()
    await client.login("ichiro")
    assert (await client.get("/home")).status_code == 200
    assert (await client.get("/home")).status_code == 200  # kept now
    await accounts.set_role(await site.ctx_for(admin), (await User.get(username="ichiro")).id, "moderator")
    held = await client.get("/home")
    assert held.status_code == 303 and held.headers["location"] == SETUP_PAGE

    # Kept while it had a factor, then its factors removed (as administrators do for a lost phone).
    await add_app(client)
    assert (await client.get("/home")).status_code == 200
    assert (await client.get("/home")).status_code == 200
    await SecondFactor.filter(user__username="ichiro").delete()
    assert (await client.get("/home")).headers.get("location") == SETUP_PAGE


async def test_wrong_codes_count_toward_the_sign_in_limit(tmp_path):  # last: its own site closes the module's
    async with make_site(tmp_path, second_factor_roles=Settings.second_factor_roles,
                         login_attempts_per_15min=3) as small:
        await small.user("jun")
        client = small.client()
        await client.login("jun")
        secret, _ = await add_app(client)
        step, answer = await password_step(small, "jun")
        for _ in range(3):
            wrong = await step.submit("/login/second-factor", {"code": "000000" if code(secret) != "000000" else "1"})
            assert wrong.status_code == 400
        blocked = await step.submit("/login/second-factor", {"code": code(secret)})
        assert blocked.status_code == 429 and "Too many" in blocked.text
        assert (await step.get("/home")).status_code == 303
