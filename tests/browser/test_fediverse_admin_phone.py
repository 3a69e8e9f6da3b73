"""On the narrowest phone (320 px), without JavaScript: a server elsewhere posts to the city's inbox (once
unsigned, once signed with a key the city may not fetch: a private address), and the administrator reads
both refusals on /admin/fediverse; blocks a server (a bad name first: the message is next to the field and
the typed text kept), sees it listed, and unblocks it. Nothing scrolls sideways."""

from __future__ import annotations

import httpx
import pytest

from browser.live import ONCE
from browser.test_phone_layout import NARROW, check
from fedi_servers import AS, fediverse_peer

pytestmark = [pytest.mark.browser, ONCE]


@pytest.fixture(scope="module")
def people(server):
    server.create_user("fediphoneadmin", "admin")
    return server


def test_refusals_and_blocking_on_a_phone(people, phones):
    server = people
    inbox = f"{server.url}/ap/users/city/inbox"
    with fediverse_peer("127.0.0.2") as peer:
        peer.key("alice")
        r = httpx.post(inbox, content=b'{"type": "Follow"}', headers={"Content-Type": "application/activity+json"})
        assert r.status_code == 401
        body, headers = peer.signed_post("alice", inbox, {"@context": AS, "id": peer.actor("alice") + "#f",
                                                          "type": "Follow", "actor": peer.actor("alice"),
                                                          "object": f"{server.url}/ap/users/city"})
        assert httpx.post(inbox, content=body, headers=headers).status_code == 401
        assert peer.fetches == []  # a private address: never fetched outside tests' loopback setting
    admin = phones.signed_in("fediphoneadmin", viewport=NARROW, java_script_enabled=False)
    check(admin, "/admin/fediverse")
    refused = admin.inner_text("#refused")
    assert "Not signed" in refused and "The sender's key could not be fetched" in refused and "127.0.0.2" in refused

    admin.fill("#host", "not a server name!")
    admin.fill("#reason", "Spam waves")
    with admin.expect_navigation():
        admin.click("form[action='/admin/fediverse/block'] button[type=submit]")
    assert "such as mastodon.example" in admin.inner_text("#host-error")
    assert admin.input_value("#host") == "not a server name!" and admin.input_value("#reason") == "Spam waves"
    admin.fill("#host", "https://spam.example/about")
    with admin.expect_navigation():
        admin.click("form[action='/admin/fediverse/block'] button[type=submit]")
    check(admin, "/admin/fediverse")
    blocked = admin.inner_text("#blocked")
    assert "spam.example" in blocked and "Spam waves" in blocked
    with admin.expect_navigation():
        admin.click("form[action='/admin/fediverse/unblock'] button")
    assert "No server is blocked." in admin.inner_text("#blocked")
