"""A post the word filter holds: the author is told kindly, others cannot see it, a moderator approves it."""

import pytest

from browser.live import ONCE, write_diary

pytestmark = [pytest.mark.browser, ONCE]


def test_moderator_approves_a_held_post_on_a_phone(phones):
    dora, ken, momo = phones.signed_in("dora"), phones.signed_in("ken"), phones.signed_in("momo")
    title = "Bus stop by the shrine"
    diary = write_diary(dora, title, "The fucking bus was late again, twenty minutes in the rain.",
                        visibility="public")
    flash = dora.inner_text(".flash")
    assert "not other residents" in flash and "only you can see it" in flash
    assert "waits for a moderator" in dora.inner_text("main")
    assert "fucking bus" in dora.inner_text("main")  # everything she wrote is kept

    assert ken.goto(diary).status == 404
    ken.goto("/diaries")
    assert title not in ken.inner_text("main")

    momo.goto("/home")
    badge = momo.locator("header .badge")
    assert int(badge.inner_text()) >= 1
    with momo.expect_navigation():
        momo.click("header a.review-link")
    item = momo.locator("li.card", has_text="twenty minutes in the rain")
    assert item.locator("mark").first.inner_text().lower() == "fucking"
    with momo.expect_navigation():
        item.locator("button:text-is('Approve')").click()
    assert "The post is published." in momo.inner_text(".flash")
    assert "twenty minutes in the rain" not in momo.inner_text("main")

    assert ken.goto(diary).status == 200
    assert title in ken.inner_text("h1")
    dora.goto(diary)
    assert "waits for a moderator" not in dora.inner_text("main")
