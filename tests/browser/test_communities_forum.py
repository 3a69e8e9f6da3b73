"""On phones: a resident opens a community and posts a topic, another joins and replies, the first sees
the reply through the News badge; a locked topic keeps a typed reply."""

import pytest

from browser.live import ONCE

pytestmark = [pytest.mark.browser, ONCE]


@pytest.fixture(scope="module")
def forum_people(server):
    for name in ("cmb_aki", "cmb_ben"):
        server.create_user(name)
    return ("cmb_aki", "cmb_ben")


def submit(page, selector: str = "main form.stack button[type=submit]") -> None:
    with page.expect_navigation():
        page.click(selector)


def test_open_post_reply_and_see_the_news(phones, forum_people):
    aki, ben = (phones.signed_in(name) for name in forum_people)
    aki.goto("/communities")
    with aki.expect_navigation():
        aki.click("text=Open a community")
    aki.fill("#name", "Hillside gardeners")
    aki.fill("#description", "Vegetables and *flowers*.")
    aki.check("input[name=join_policy][value=open]")
    aki.check("input[name=readable_by][value=members]")
    submit(aki)
    assert "Your community is open." in aki.inner_text(".flash")
    community_url = aki.url
    assert aki.inner_text("h1") == "Hillside gardeners"
    with aki.expect_navigation():
        aki.click("text=Post a topic")
    aki.fill("#title", "Seed swap in spring")
    aki.fill("#body", "Bring **tomato** seeds.")
    submit(aki)
    assert "Your topic is posted." in aki.inner_text(".flash")
    topic_url = aki.url.split("#")[0]

    # Ben finds it, joins, and replies.
    ben.goto("/communities")
    with ben.expect_navigation():
        ben.click("text=Hillside gardeners")
    assert ben.url == community_url
    submit(ben, "main form[action$='/join'] button")
    assert "You are a member now." in ben.inner_text(".flash")
    with ben.expect_navigation():
        ben.click("text=Seed swap in spring")
    assert ben.inner_text("article .text strong") == "tomato"
    ben.fill("#reply-body", "I have *basil* to share.")
    submit(ben, "#replies form.stack button[type=submit]")
    assert "Your reply is posted." in ben.inner_text(".flash")
    assert "basil" in ben.inner_text("#replies")

    # Aki sees the News badge, follows it to the reply.
    aki.goto("/home")
    badge = aki.locator("nav .badge")
    assert badge.inner_text().strip() == "1"
    with aki.expect_navigation():
        aki.click("nav a[href='/notifications']")
    with aki.expect_navigation():
        aki.click("main li.card a:has-text('Seed swap in spring')")
    assert aki.url.split("#")[0] == topic_url
    assert "#reply-" in aki.url
    assert aki.inner_text("#replies em") == "basil"
    # the page fits the phone: nothing wider than the screen
    assert aki.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    # Ben types a reply while Aki locks the topic: it comes back with the reason, nothing lost.
    ben.goto(topic_url)
    ben.fill("#reply-body", "My late but careful words")
    aki.goto(topic_url)
    submit(aki, "form[action$='/lock'] button")
    assert "locked" in aki.inner_text(".flash")
    submit(ben, "#replies form.stack button[type=submit]")
    assert "takes no new replies" in ben.inner_text("#replies .error")
    assert ben.input_value("#reply-body") == "My late but careful words"
