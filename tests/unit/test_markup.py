"""User Markdown is rendered to a safe subset: nothing executable survives."""

from html.parser import HTMLParser

import pytest

from sns.markup import ALLOWED_TAGS, excerpt, render_markdown


class Elements(HTMLParser):
    """Collects the real elements and attributes of rendered HTML (escaped text is just text)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="javascript:alert(1)">x</a>',
    "<svg onload=alert(1)>",
    "<iframe src=//evil.example></iframe>",
    "<style>body{display:none}</style>",
    '"><script>alert(1)</script>',
    "![x](https://tracker.example/pixel.png)",
    "<details open ontoggle=alert(1)>",
    "[x](vbscript:msgbox(1))",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "``<script>alert(1)</script>``",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_nothing_executable_survives(source):
    for tag, attrs in Elements(str(render_markdown(source))).found:
        assert tag in ALLOWED_TAGS, tag  # no script, img, svg, iframe, style, details...
        assert not any(name.startswith("on") for name in attrs), attrs
        href = (attrs.get("href") or "").strip().lower()
        assert not href or href.startswith(("http://", "https://", "mailto:")), href


def test_the_safe_subset_renders():
    html = str(render_markdown("# Festival\n\n**Bold** and *em*, a [link](https://example.org).\n\n- one\n- two"))
    assert "<h3>Festival</h3>" in html  # headings are demoted under the page's own
    assert "<strong>Bold</strong>" in html and "<em>em</em>" in html
    assert 'href="https://example.org"' in html and "nofollow" in html
    assert "<li>one</li>" in html


def test_japanese_and_line_breaks_survive():
    html = str(render_markdown("秋祭り\n今年もお神輿"))
    assert "秋祭り<br" in html and "今年もお神輿" in html


def test_excerpt_is_short_plain_text():
    text = excerpt("**Hello** " + "word " * 100)
    assert len(text) <= 140 and "*" not in text and text.endswith("…")


def test_excerpt_drops_emphasis_marks_without_leaving_gaps():
    assert excerpt("Collected on **Tuesday and Friday**.") == "Collected on Tuesday and Friday."
