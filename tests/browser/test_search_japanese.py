"""On a phone, a resident searches in Japanese (火事) and finds a neighbour's Japanese diary."""

import pytest

from browser.live import ONCE, write_diary

pytestmark = [pytest.mark.browser, ONCE]


@pytest.fixture(scope="module")
def searchers(server):
    for name in ("sakura_search", "daichi_search"):
        server.create_user(name)


def test_search_in_japanese_finds_a_japanese_diary(phones, searchers):
    writer, reader = phones.signed_in("sakura_search"), phones.signed_in("daichi_search")
    title = "昨夜の火事と避難所のこと"
    url = write_diary(writer, title, "近所で火事がありました。公民館の避難所はとても親切でした。", visibility="members")

    reader.goto("/home")
    with reader.expect_navigation():
        reader.click("nav a[href='/search']")
    reader.fill("#q", "火事")
    with reader.expect_navigation():
        reader.click("form[role=search] button[type=submit]")
    result = reader.locator(".search-results li", has_text=title)
    assert result.count() == 1
    assert result.locator("mark").first.inner_text() == "火事"
    width = reader.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # nothing wider than the phone
    with reader.expect_navigation():
        result.locator("a.title").click()
    assert reader.url.endswith(url) and reader.inner_text("h1") == title

    # A visitor does not find a residents-only entry.
    visitor = phones.page()
    visitor.goto("/search?q=" + "避難所")
    assert visitor.locator(".search-results li", has_text=title).count() == 0
