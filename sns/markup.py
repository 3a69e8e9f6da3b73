"""Markdown subset for user text: markdown-it-py renders, nh3 cleans.

Raw HTML in the source is not rendered (html=False) and nh3 keeps only the
tags below, so no script, style, iframe or event handler survives. Links
get rel="nofollow noopener ugc".
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).enable("strikethrough")
_md.disable("image")  # photos are uploaded, not hot-linked from other hosts

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "s", "a", "ul", "ol", "li", "blockquote", "code", "pre",
    "h3", "h4", "h5", "h6", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


@lru_cache(maxsize=4096)
def render_markdown(source: str) -> Markup:
    html = _md.render(source)
    # Headings are demoted so a diary never outshouts the page's own h1/h2.
    for level in (1, 2):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener ugc",
    )
    return Markup(clean)


def excerpt(source: str, length: int = 140) -> str:
    """Plain text for lists and feeds summaries (escaped by the template)."""
    text = " ".join(source.replace("#", " ").replace("*", "").replace("`", "").split())
    return text if len(text) <= length else text[: length - 1] + "…"
