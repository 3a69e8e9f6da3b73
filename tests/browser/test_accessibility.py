"""The accessibility gate: axe-core's WCAG 2.0/2.1/2.2 A and AA rules find nothing on any page a resident, a
member of the city's staff or an administrator of the demo town can reach, in English and in Japanese, on a
phone 320 px wide, nor on the pages a rejected form comes back to. See docs/accessibility.md."""

from __future__ import annotations

import logging
import time

import pytest

from browser.axe_crawl import Crawl, crawl, report
from browser.live import ONCE, LiveServer, migrated_database, sign_in
from sns.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, ONCE]
log = logging.getLogger(__name__)

NARROW = {"width": 320, "height": 640}
LANGUAGES = ("en", "ja")
# Who crawls, where they start, and how many kinds of page each must at least reach (a crawl that
# shrinks, because a link went missing or a page broke, is noticed).
PEOPLE = {
    "hanako": (["/home", "/", "/settings"], 45),                           # a resident
    "cityhall": (["/home", "/city/inbox", "/reports/queue"], 45),          # the city's staff
    "admin": (["/home", "/admin/users", "/moderation", "/disaster"], 60),  # an administrator
}
ANONYMOUS_START = ["/", "/login", "/signup", "/password/forgot"]


@pytest.fixture(scope="module")
def town(tmp_path_factory, tiles):
    """The demo town (`sns demo`) served on its own."""
    data = tmp_path_factory.mktemp("a11y")
    live = LiveServer(data, migrated_database(data))
    live.extra_env["SNS_TILE_URL"] = tiles.url_template
    live.sns("demo", "--no-serve")
    live.start()
    yield live
    live.stop()


def person(browser, town: LiveServer, who: str | None, language: str):
    """A page of a new phone-sized context in `language` (the `lang` cookie the footer's buttons set),
    signed in as `who` (the first time through the login form, then with the same session)."""
    context = browser.new_context(base_url=town.url, viewport=NARROW, is_mobile=True, has_touch=True,
                                  locale="ja-JP" if language == "ja" else "en-GB",
                                  storage_state=town.signed_in.get(who) if who else None)
    context.set_default_timeout(15_000)
    host = town.url.split("//")[1].split(":")[0]
    context.add_cookies([{"name": "lang", "value": language, "domain": host, "path": "/"}])
    page = context.new_page()
    if who and who not in town.signed_in:
        sign_in(page, who, DEMO_PASSWORD)
        town.signed_in[who] = context.storage_state()
    return page


def checked_in(page, language: str) -> None:
    assert page.get_attribute("html", "lang") == language, page.url


@pytest.fixture(scope="module")
def shapes() -> set[str]:
    """The shapes of page parts judged so far in this module (a part judged once is not judged again)."""
    return set()


@pytest.mark.parametrize("who", list(PEOPLE))
def test_every_page_a_person_reaches_passes_axe(browser, town, shapes, who):
    start, floor = PEOPLE[who]
    seen = Crawl(shapes=shapes)
    began = time.monotonic()
    for language in LANGUAGES:
        page = person(browser, town, who, language)
        visited = crawl(page, town.url, start, who, language, seen)
        checked_in(page, language)
        assert len(visited) >= floor, (f"{who} ({language}) reached only {len(visited)} kinds of page", visited)
        page.context.close()
    log.warning("accessibility: %s visited %d pages, axe judged %d, in %.0f s", who, len(seen.visited),
                len(seen.judged), time.monotonic() - began)
    assert not seen.findings, report(seen.findings)


def rejected(page, path: str, fills: dict[str, str], form: str = "main form") -> None:
    """Sends the form at `path` with `fills` past the browser's own checks (as an old browser would), so
    the site's page with the errors next to the fields comes back."""
    page.goto(path)
    for selector, value in fills.items():
        page.fill(selector, value)
    page.eval_on_selector(form, "f => { f.noValidate = true; }")
    with page.expect_navigation():
        page.click(f"{form} button[type=submit]")
    assert page.locator("p.error").count() > 0, (path, page.inner_text("main"))


def test_forms_that_come_back_with_errors_and_public_pages_pass_axe(browser, town, shapes):
    seen = Crawl(shapes=shapes)
    for language in LANGUAGES:
        page = person(browser, town, "hanako", language)
        rejected(page, "/diaries/new", {"#title": "", "#body": "A body without a title."})
        seen.check(page, "hanako", language)
        rejected(page, "/reports/new", {})
        seen.check(page, "hanako", language)
        rejected(page, "/city/new", {"#subject": "", "#body": ""})
        seen.check(page, "hanako", language)
        rejected(page, "/settings/password", {})
        seen.check(page, "hanako", language)
        checked_in(page, language)
        page.context.close()

        anonymous = person(browser, town, None, language)
        crawl(anonymous, town.url, ANONYMOUS_START, "anonymous", language, seen, cap=40)
        rejected(anonymous, "/login", {"#username": "hanako", "#password": "not the password"})
        seen.check(anonymous, "anonymous", language)
        checked_in(anonymous, language)
        anonymous.context.close()
    log.warning("accessibility: forms and anonymous visited %d pages, axe judged %d", len(seen.visited),
                len(seen.judged))
    assert len(seen.judged) >= 8, seen.judged  # each form's error page and the public pages, in each language
    assert not seen.findings, report(seen.findings)
