"""The Jinja2 environment: autoescaped, with gettext and a few filters."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from sns import i18n
from sns.markup import excerpt, render_markdown
from sns.services import review_kinds

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def _template_ngettext(singular: str, plural: str, n: int) -> str:
    """Jinja's newstyle ngettext fills in %(num)d and the other values itself (escaped)."""
    return i18n.translations(i18n.current_locale()).ngettext(singular, plural, n)


def make_environment(site=None) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(i18n.gettext, _template_ngettext, newstyle=True)
    env.filters["markdown"] = render_markdown
    env.filters["excerpt"] = excerpt
    env.filters["when"] = i18n.format_time
    env.globals["language_name"] = i18n.language_name
    env.globals["month_name"] = i18n.month_name
    env.globals["LOCALES"] = i18n.LOCALES
    if site is not None:  # the review queue's kinds, handed over by the site's areas (sns/areas.py)
        env.globals["review_kind_label"] = partial(review_kinds.kind_label, site.review_kinds)
        env.globals["review_target_url"] = partial(review_kinds.target_url, site.review_kinds)
    return env
