"""On the narrowest phone (320 px) without JavaScript: the administrator reads this instance's fingerprint
to the neighbour's administrator (a second real `sns serve`, who adds us with `sns mirror add`), adds the
neighbour with its fingerprint (a mistyped one first: the one found is shown and the typed text kept),
syncs it and sees it in step, pauses it (the neighbour's pulls are then refused, in words, in the mirror
log), resumes it, reads the page in Japanese, and removes it after the second step. Nothing scrolls sideways."""

from __future__ import annotations

import time

import pytest

from browser.live import ONCE, LiveServer, migrated_database
from browser.test_phone_layout import NARROW, check

pytestmark = [pytest.mark.browser, ONCE]
PAGE = "/admin/mirror"


@pytest.fixture(scope="module")
def neighbour(tmp_path_factory):
    data = tmp_path_factory.mktemp("neighbour")
    live = LiveServer(data, migrated_database(data))
    live.extra_env["SNS_ORIGIN"] = "neighbour.test"
    live.sns("init")
    live.start()
    yield live
    live.stop()


def fingerprint_of(live: LiveServer) -> str:
    return live.sns("mirror", "fingerprint").splitlines()[0].strip()


def submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def card(page):
    return page.locator("section.peer").first


def until(page, text: str, where, seconds: float = 20) -> str:
    """Reload the page until `where(page)` shows `text` (the pull job runs every second)."""
    deadline = time.monotonic() + seconds
    while True:
        shown = where(page).inner_text()
        if text in shown or time.monotonic() > deadline:
            return shown
        time.sleep(0.5)
        page.reload()


def test_add_sync_pause_resume_a_neighbour_on_a_phone(server, neighbour, phones):
    admin = phones.signed_in("admin", viewport=NARROW, java_script_enabled=False)
    check(admin, PAGE)
    assert "Private content is not backed up." in admin.inner_text("#no-backup-key")
    ours = admin.inner_text("#my-fingerprint").strip()
    assert ours == fingerprint_of(server)
    neighbour.sns("mirror", "add", server.url, "--fingerprint", ours)  # the neighbour's administrator adds us
    theirs = fingerprint_of(neighbour)

    # A mistyped fingerprint: refused, the one found shown next to the field, everything kept.
    mistyped = theirs[:-4] + ("AAAA" if not theirs.endswith("AAAA") else "BBBB")
    admin.fill("#url", neighbour.url)
    admin.fill("#fingerprint", mistyped)
    submit(admin, "main form[action='/admin/mirror'] button[type=submit]")
    message = admin.inner_text("#fingerprint-error")
    assert "has another fingerprint" in message and theirs in message
    assert admin.input_value("#url") == neighbour.url and admin.input_value("#fingerprint") == mistyped

    admin.fill("#fingerprint", theirs)
    submit(admin, "main form[action='/admin/mirror'] button[type=submit]")
    assert "The neighbour is added" in admin.inner_text(".flash")
    assert "neighbour.test" in card(admin).inner_text()
    submit(admin, "section.peer form[action$='/sync'] button")
    assert "In step" in until(admin, "In step", card)
    check(admin, PAGE)

    submit(admin, "section.peer form[action$='/state'] button")
    assert "The neighbour is paused" in admin.inner_text(".flash")
    assert "Paused" in card(admin).inner_text() and admin.query_selector("section.peer form[action$='/sync']") is None
    log = until(admin, "A peer we paused", lambda p: p.locator("ol.mirror-log"))  # its pulls of us are refused
    assert "A peer we paused" in log and "sent to us" in log

    submit(admin, "section.peer form[action$='/state'] button")
    assert "The neighbour is resumed" in admin.inner_text(".flash")
    submit(admin, "section.peer form[action$='/sync'] button")
    assert "In step" in until(admin, "In step", card)

    in_japanese = phones.signed_in("admin", viewport=NARROW, java_script_enabled=False)
    in_japanese.context.add_cookies([{"name": "lang", "value": "ja", "url": server.url}])  # as the footer's switch
    check(in_japanese, PAGE)
    assert "同期済み" in card(in_japanese).inner_text() and "今すぐ同期" in card(in_japanese).inner_text()
    assert "非公開の内容はバックアップされていません" in in_japanese.inner_text("#no-backup-key")

    # Removing takes a second step, on a page of its own; the session server then has no neighbour left.
    submit(admin, "section.peer form[action$='/remove'] button")
    check(admin, admin.url.replace(server.url, ""))
    assert "Remove" in admin.inner_text("h1") and "neighbour.test" in admin.inner_text("main")
    submit(admin, "main form[action$='/remove'] button")
    assert "The neighbour is removed" in admin.inner_text(".flash") and "No neighbours yet." in admin.inner_text("main")
