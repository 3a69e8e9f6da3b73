"""A friends-only diary with a photo: the friend sees it and comments, a stranger and the feed never do."""

import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from browser.live import ONCE, comment, write_diary
from fixtures import jpeg_with_gps

pytestmark = [pytest.mark.browser, ONCE]

ATOM = "{http://www.w3.org/2005/Atom}"


def befriend(asker, answerer, answerer_name: str, asker_display: str) -> None:
    """`asker` sends a friend request from the other's profile; `answerer` accepts it on Friends."""
    asker.goto(f"/people/{answerer_name}")
    with asker.expect_navigation():
        asker.click("main button:text-is('Send friend request')")
    assert "Your friend request is sent." in asker.inner_text(".flash")
    answerer.goto("/friends")
    request = answerer.locator("li.card", has_text=asker_display)
    with answerer.expect_navigation():
        request.locator("button:text-is('Accept')").click()
    assert "You are now friends." in answerer.inner_text(".flash")
    assert asker_display in answerer.inner_text("main")


def photo_without_exif(page, url: str) -> None:
    response = page.context.request.get(url)
    assert response.status == 200 and response.headers["content-type"] == "image/jpeg"
    data = response.body()
    img = Image.open(io.BytesIO(data))
    assert dict(img.getexif()) == {}, dict(img.getexif())
    assert b"SpyCam" not in data and b"Exif" not in data


def test_friends_only_diary_with_photo(phones):
    hanako, taro, ken = phones.signed_in("hanako"), phones.signed_in("taro"), phones.signed_in("ken")
    visitor = phones.page()
    befriend(hanako, taro, "taro", "Hanako")

    secret = "Persimmons from our garden"
    url = write_diary(hanako, secret, "The tree is *full* this year.", visibility="friends", photo=jpeg_with_gps())
    assert "Your diary entry is saved." in hanako.inner_text(".flash")
    public = "Morning walk by the river"
    public_url = write_diary(hanako, public, "Herons everywhere.", visibility="public")

    # The friend sees the entry, its photo (without the GPS position) and it on My page.
    taro.goto(url)
    assert taro.inner_text("h1") == secret
    assert taro.inner_text("article .text em") == "full"
    thumb = taro.locator("article figure img")
    # the thumbnail is loading="lazy": it may still be arriving when the page's load event has fired
    taro.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle(), timeout=15000)
    full = taro.locator("article figure a").get_attribute("href")
    for photo_url in (full, thumb.get_attribute("src")):
        photo_without_exif(taro, photo_url)
    taro.goto("/home")
    assert secret in taro.inner_text("#friends")
    taro.goto("/diaries")
    assert secret in taro.inner_text("main")

    # The friend comments.
    comment(taro, url, "They look **delicious**!")
    assert "Your comment is posted." in taro.inner_text(".flash")
    assert taro.inner_text("#comments .comments strong") == "delicious"
    hanako.goto("/home")
    assert "They look delicious!" in hanako.inner_text("#comments")

    # A stranger and a visitor see nothing of it: not the page, the lists, My page, nor the photo.
    for other in (ken, visitor):
        response = other.goto(url)
        assert response.status == 404 and secret not in other.content()
        for page_url in ("/diaries", "/people/hanako", "/home", "/"):
            other.goto(page_url)
            assert secret not in other.content(), page_url
        other.goto("/diaries")
        assert public in other.inner_text("main")
        assert other.context.request.get(full).status == 404
    ken.goto(public_url)
    assert ken.inner_text("h1") == public

    # The public feed has the public entry and never the friends-only one.
    feed = visitor.context.request.get("/feeds/diaries.atom")
    assert feed.status == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    titles = [e.findtext(f"{ATOM}title") for e in ET.fromstring(feed.body()).iter(f"{ATOM}entry")]
    assert public in titles and secret not in titles
    assert secret not in feed.text() and "full</em>" not in feed.text()
