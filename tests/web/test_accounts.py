"""Joining and keeping an account, with a real SMTP server (aiosmtpd) receiving the mail."""

from __future__ import annotations

import re

import pytest

from fixtures import PASSWORD, make_site
from sns import mail
from sns.models import User


@pytest.fixture(scope="module")
async def site(tmp_path_factory, smtp):
    controller, _ = smtp
    async with make_site(tmp_path_factory.mktemp("accounts"), smtp_host="127.0.0.1",
                         smtp_port=controller.port, mail_from="town@test.example") as s:
        yield s


@pytest.fixture(scope="module")
async def admin(site):
    return await site.user("mayor", role="admin")


async def test_invitation_mail_lets_a_resident_join(site, smtp, admin):
    _, inbox = smtp
    client = site.client()
    await client.login("mayor")
    response = await client.submit("/admin/invitations", {"email": "newcomer@example.org", "note": "neighbour",
                                                          "send_mail": "1"})
    assert response.status_code == 200
    await mail.drain(site.settings)
    rcpts, msg = inbox.messages[-1]
    assert rcpts == ["newcomer@example.org"] and msg["From"] == "town@test.example"
    text = msg.get_content()
    assert "invites you to join" in text and "招待" in text  # the newcomer's language is not known yet: both
    link = inbox.last_link("newcomer@example.org")

    visitor = site.client()
    page = await visitor.get(link)
    assert page.status_code == 200 and "newcomer@example.org" in page.text
    joined = await visitor.submit(link, {"username": "newcomer", "display_name": "New Comer",
                                         "email": "newcomer@example.org", "password": PASSWORD})
    assert joined.status_code == 303
    assert (await visitor.get("/home")).status_code == 200  # signed in right away
    user = await User.get(username="newcomer")
    assert user.state == "active" and user.role == "resident"

    # The link works once.
    again = await site.client().get(link)
    assert again.status_code == 404 and "already used" in again.text


async def test_without_an_invitation_joining_is_refused_until_open_signup(site, admin):
    visitor = site.client()
    fields = {"username": "walkin", "display_name": "Walk In", "email": "walkin@example.org", "password": PASSWORD}
    refused = await visitor.submit("/signup", fields)
    assert refused.status_code == 403 and await User.get_or_none(username="walkin") is None

    staff = site.client()
    await staff.login("mayor")
    settings_page = await staff.get("/admin/site")
    town = re.search(r'name="town_name"[^>]*value="([^"]*)"', settings_page.text).group(1)
    saved = await staff.submit("/admin/site", {"town_name": town, "map_lat": "32.5", "map_lon": "130.6",
                                               "map_zoom": "13", "districts": "North\nSouth", "open_signup": "1"})
    assert saved.status_code == 303

    asked = await visitor.submit("/signup", fields)
    assert asked.status_code == 303
    walkin = await User.get(username="walkin")
    assert walkin.state == "pending"
    waiting = await site.client().submit("/login", {"username": "walkin", "password": PASSWORD})
    assert waiting.status_code == 403 and "approval" in waiting.text

    approved = await staff.submit(f"/admin/users/{walkin.id}", {"action": "approve"})
    assert approved.status_code == 303
    await site.client().login("walkin")


async def test_a_newcomers_names_pass_the_word_filter_and_the_form_keeps_them(site):
    """Open sign-up is on (previous test). An abusive display name is refused next to the field,
    with the words named and everything typed still there; nothing is created."""
    fields = {"username": "rudename", "display_name": "Fucking Idiot", "email": "rude@example.org",
              "password": PASSWORD}
    refused = await site.client().submit("/signup", fields)
    assert refused.status_code == 400
    assert "word filter" in refused.text and 'value="Fucking Idiot"' in refused.text
    assert 'value="rude@example.org"' in refused.text
    assert await User.get_or_none(username="rudename") is None
    fields["display_name"] = "Polite Neighbour"
    assert (await site.client().submit("/signup", fields)).status_code == 303


async def test_forgotten_password_is_reset_by_mail(site, smtp):
    _, inbox = smtp
    await site.user("forgetful", email="forgetful@example.org")
    visitor = site.client()
    answer = await visitor.submit("/password/forgot", {"who": "forgetful@example.org"}, follow=True)
    assert answer.status_code == 200
    unknown = await site.client().submit("/password/forgot", {"who": "nobody@example.org"}, follow=True)
    assert unknown.text.count("flash") == answer.text.count("flash")  # same answer: no account probing
    await mail.drain(site.settings)
    link = inbox.last_link("forgetful@example.org")
    assert link.startswith("/password/reset/")
    changed = await visitor.submit(link, {"new_password": "a brand new passphrase"})
    assert changed.status_code == 303
    old = await site.client().submit("/login", {"username": "forgetful", "password": PASSWORD})
    assert old.status_code != 303
    await site.client().login("forgetful", "a brand new passphrase")
    reused = await visitor.submit(link, {"new_password": "yet another passphrase"})
    assert reused.status_code == 404


async def test_changing_the_password_signs_out_other_browsers(site):
    await site.user("careful")
    phone, laptop = site.client(), site.client()
    await phone.login("careful")
    await laptop.login("careful")
    wrong = await phone.submit("/settings/password", {"current_password": "not it",
                                                      "new_password": "another long passphrase"})
    assert wrong.status_code == 400
    done = await phone.submit("/settings/password", {"current_password": PASSWORD,
                                                     "new_password": "another long passphrase"})
    assert done.status_code == 303
    assert (await phone.get("/home")).status_code == 200
    assert (await laptop.get("/home")).status_code == 303  # sent to sign in


async def test_suspension_ends_every_session_at_once(site, admin):
    troublemaker = await site.user("trouble")
    resident = site.client()
    await resident.login("trouble")
    assert (await resident.get("/home")).status_code == 200
    staff = site.client()
    await staff.login("mayor")
    assert (await staff.submit(f"/admin/users/{troublemaker.id}", {"action": "suspend"})).status_code == 303
    assert (await resident.get("/home")).status_code == 303
    refused = await site.client().submit("/login", {"username": "trouble", "password": PASSWORD})
    assert refused.status_code == 403 and "suspended" in refused.text
    await staff.submit(f"/admin/users/{troublemaker.id}", {"action": "reinstate"})
    await site.client().login("trouble")


async def test_roles_are_set_by_the_administrator_only(site, admin):
    clerk = await site.user("clerk")
    resident = site.client()
    await resident.login("clerk")
    assert (await resident.get("/admin/users")).status_code == 403
    assert (await resident.submit(f"/admin/users/{clerk.id}", {"action": "role", "role": "admin"})).status_code == 403
    assert (await User.get(id=clerk.id)).role == "resident"
    staff = site.client()
    await staff.login("mayor")
    await staff.submit(f"/admin/users/{clerk.id}", {"action": "role", "role": "staff"})
    assert (await User.get(id=clerk.id)).role == "staff"
    posted = await resident.submit("/notices/new", {"title": "Water outage", "body": "Tuesday 9-12 in the north."})
    assert posted.status_code == 303
    assert "Water outage" in (await site.client().get("/notices")).text


async def test_the_admin_link_leads_each_role_to_a_page_it_may_open(site, admin):
    await site.user("deskclerk", role="staff")
    await site.user("plainresident")
    for name, expected in (("mayor", "/admin/users"), ("deskclerk", "/admin/invitations"), ("plainresident", None)):
        client = site.client()
        await client.login(name)
        home = await client.get("/home")
        links = re.findall(r'<a href="(/admin/[a-z]+)"[^>]*>', home.text.split("</header>")[0])
        assert links == ([expected] if expected else []), (name, links)
        if expected:
            assert (await client.get(expected)).status_code == 200



async def test_sign_in_is_rate_limited(tmp_path):  # last: its own site closes the module's database
    async with make_site(tmp_path, login_attempts_per_15min=3) as small:
        await small.user("target")
        client = small.client()
        for _ in range(3):
            assert (await client.submit("/login", {"username": "target", "password": "guess"})).status_code == 400
        blocked = await client.submit("/login", {"username": "target", "password": PASSWORD})
        assert blocked.status_code == 429
        assert "Too many" in blocked.text
