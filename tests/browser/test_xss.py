"""Script injection: whatever a resident types, nothing runs anywhere the text is shown.

The pages are walked with the Content-Security-Policy bypassed, so that escaping and
the Markdown sanitizer are tested on their own; then again with the site's policy,
which must not allow inline scripts and must not even report a violation (a report
would mean markup got through).
"""

import re

import pytest

from browser.live import ONCE, comment, write_diary

pytestmark = [pytest.mark.browser, ONCE]

# Each one sets window.__xss and opens a dialog if it ever runs.
CORPUS = [
    "<script>window.__xss='script';alert('script')</script>",
    "<img src=x onerror=\"window.__xss='img';alert('img')\">",
    "<svg onload=\"window.__xss='svg';alert('svg')\">",
    "<svg><script>window.__xss='svg-script'</script></svg>",
    "<iframe src=\"javascript:parent.__xss='iframe'\"></iframe>",
    "<details open ontoggle=\"window.__xss='details'\">x</details>",
    "<math><mtext><table><mglyph><style><img src=x onerror=\"window.__xss='mxss'\">",
    "<a href=\"javascript:window.__xss='a-href'\">html link</a>",
    "<body onload=\"window.__xss='body'\">",
    "[markdown link](javascript:window.__xss='md-link')",
    "[mixed case](JaVaScRiPt:window.__xss='md-case')",
    "[entity](&#106;avascript:window.__xss='md-entity')",
    "[tab](java\tscript:window.__xss='md-tab')",
    "[ref link][r]\n\n[r]: javascript:window.__xss='md-ref'",
    "<javascript:window.__xss='autolink'>",
    "![image](x\" onerror=\"window.__xss='md-img')",
    "![image](javascript:window.__xss='md-img-js')",
    "[x](\"onmouseover=\"window.__xss='md-quote')",
    "\"><script>window.__xss='break-dq'</script>",
    "' onfocus='window.__xss=\"break-sq\"' autofocus x='",
    "\" autofocus onfocus=\"window.__xss='break-attr'\" x=\"",
    "</textarea><script>window.__xss='textarea'</script>",
    "</title><script>window.__xss='title'</script>",
    "<style>*{display:none}</style><link rel=stylesheet href=//evil.example/x.css>",
    "{{ 7*7 }} {% raw %}${7*7}",
]
BODY = "\n\n".join(CORPUS)
TITLE = "\"><img src=x onerror=\"window.__xss='title-tag'\"></title><script>window.__xss=1</script>"
NAME = "\"><svg onload=\"window.__xss='name'\">"

# What the DOM must never contain, whatever was typed: scripts, frames and objects
# (the site has no inline or third-party scripts), event handler attributes and
# javascript: addresses.
INSPECT = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if (['script', 'iframe', 'object', 'embed', 'frame', 'base'].includes(tag)) {
      if (!(tag === 'script' && el.src && new URL(el.src).origin === location.origin)) bad.push('<' + tag + '>');
    }
    if (tag === 'link' && el.href && new URL(el.href).origin !== location.origin) bad.push('foreign link ' + el.href);
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
      if (name.startsWith('on')) bad.push(tag + ' ' + name);
      if (value.startsWith('javascript:') || value.startsWith('vbscript:') || value.startsWith('data:text'))
        bad.push(tag + ' ' + name + '=' + attr.value);
    }
  }
  return {bad, xss: window.__xss === undefined ? null : String(window.__xss)};
}"""


class Watch:
    """Records dialogs and CSP reports on every page of a context."""

    def __init__(self, context) -> None:
        self.dialogs, self.violations = [], []
        context.on("page", self.attach)
        for page in context.pages:
            self.attach(page)

    def attach(self, page) -> None:
        page.on("dialog", self.on_dialog)
        page.on("console", self.on_console)

    def on_dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def on_console(self, message) -> None:
        if "Content Security Policy" in message.text or "__xss" in message.text:
            self.violations.append(message.text)


def assert_inert(page, watch: Watch, url: str, *expected: str) -> None:
    response = page.goto(url)
    assert response.status == 200, (url, response.status)
    if "unsafe-inline" in (response.headers.get("content-security-policy") or "x"):
        raise AssertionError(f"{url}: CSP allows unsafe-inline")
    assert "script-src 'self'" in response.headers["content-security-policy"], url
    page.wait_for_load_state("load")
    # Give handlers like onfocus/ontoggle/onload a chance to fire.
    page.mouse.move(20, 200)
    page.keyboard.press("Tab")
    page.wait_for_timeout(50)
    found = page.evaluate(INSPECT)
    assert found == {"bad": [], "xss": None}, (url, found)
    assert watch.dialogs == [] and watch.violations == [], (url, watch.dialogs, watch.violations)
    text = page.content()
    for fragment in expected:
        assert fragment in text, (url, fragment)


def test_typed_scripts_never_run(phones):
    """Every field a resident can fill, shown on every page that shows it."""
    bypass_csp = True
    mallory = phones.signed_in("mallory", bypass_csp=bypass_csp)
    watch = Watch(mallory.context)

    mallory.goto("/settings/profile")
    mallory.fill("#display_name", NAME)
    mallory.fill("#introduction", BODY[:2000])
    mallory.select_option("#visibility_introduction", "public")
    with mallory.expect_navigation():
        mallory.click("main form button[type=submit]")
    assert "Your profile is saved." in mallory.inner_text(".flash")
    url = write_diary(mallory, TITLE, BODY, visibility="public")
    comment(mallory, url, BODY[:5000])
    assert "Your comment is posted." in mallory.inner_text(".flash")

    # The escaped text is there (so the test looks at the right places)...
    shown = "&lt;script&gt;window.__xss='script'"
    for page_url in (url, "/diaries", "/people/mallory", "/home", f"{url}/edit", "/settings/profile",
                     "/people?q=mallory"):
        assert_inert(mallory, watch, page_url, "&lt;svg onload=")
    assert_inert(mallory, watch, url, shown)

    # ...and other people's phones show it as text too.
    for who in ("ken", "admin"):
        other = phones.signed_in(who, bypass_csp=bypass_csp)
        seen = Watch(other.context)
        for page_url in (url, "/diaries", "/people/mallory", "/home", "/people?q=mallory"):
            assert_inert(other, seen, page_url, "&lt;svg onload=")
        if who == "admin":
            assert_inert(other, seen, "/admin/users", "&lt;svg onload=")
        if who == "ken":
            # A friend request puts the name on ken's Friends page.
            mallory.goto("/people/ken")
            if mallory.locator("main button:text-is('Send friend request')").count():
                with mallory.expect_navigation():
                    mallory.click("main button:text-is('Send friend request')")
            assert_inert(other, seen, "/friends", "&lt;svg onload=")
    visitor = phones.page(bypass_csp=bypass_csp)
    seen = Watch(visitor.context)
    for page_url in ("/", "/diaries", url):
        assert_inert(visitor, seen, page_url, "&lt;svg onload=")

    # Links in the text lead to web or mail addresses, or are relative.
    mallory.goto(url)
    hrefs = mallory.locator("article .text a, #comments .text a, .profile .text a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")
    for href in hrefs:
        scheme = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):", href or "")
        assert scheme is None or scheme.group(1).lower() in ("http", "https", "mailto"), href

    # With the site's own policy: no inline script allowed, and no violation reported.
    for who in ("ken", None):
        page = phones.signed_in(who) if who else phones.page()
        seen = Watch(page.context)
        for page_url in (url, "/diaries", "/people/mallory", "/"):
            assert_inert(page, seen, page_url)


def test_staff_texts_never_run(phones):
    """Notices, the invitation note, the town's name, welcome text and districts are typed too."""
    admin = phones.signed_in("admin", bypass_csp=True)
    watch = Watch(admin.context)
    admin.goto("/notices/new")
    admin.fill("#title", TITLE)
    admin.fill("#body", BODY)
    with admin.expect_navigation():
        admin.click("main form button[type=submit]")
    notice = "/notices/" + admin.url.split("/notices/")[1]
    admin.goto("/admin/invitations")
    admin.uncheck("input[name=send_mail]")
    admin.fill("#note", NAME)
    with admin.expect_navigation():
        admin.click("main form.stack button[type=submit]")

    admin.goto("/admin/site")
    before = {f: admin.input_value(f"#{f}") for f in ("town_name", "welcome", "districts")}
    admin.fill("#town_name", NAME)
    admin.fill("#welcome", BODY[:2000])
    admin.fill("#districts", before["districts"] + "\n" + NAME)
    with admin.expect_navigation():
        admin.click("main form button[type=submit]")
    assert "The site settings are saved." in admin.inner_text(".flash")
    try:
        for page_url in ("/admin/invitations", "/admin/site", notice, "/notices", "/settings/profile"):
            assert_inert(admin, watch, page_url, "&lt;svg onload=")
        visitor = phones.page(bypass_csp=True)
        seen = Watch(visitor.context)
        for page_url in ("/", "/notices", notice, "/login"):
            assert_inert(visitor, seen, page_url, "&lt;svg onload=")
        assert visitor.title().startswith("Sign in · \"><svg onload=")  # shown as text in the tab's title
    finally:
        admin.goto("/admin/site")
        for field, value in before.items():
            admin.fill(f"#{field}", value)
        with admin.expect_navigation():
            admin.click("main form button[type=submit]")
