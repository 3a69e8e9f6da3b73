"""The kinds of text the review queue handles, and what the queue's pages ask of them.

Each area hands over its kinds as data (a `Reviewable` in its service module, named in the manifest,
sns/areas.py); the queue, its pages and the moderators' e-mail read them from the site they were given
(`ctx.site.review_kinds`), never from a list filled while modules are imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Mapping

from sns.i18n import gettext


@dataclass(frozen=True)
class Reviewable:
    """A kind of text the queue handles: its model, its name for people, and (for reports) whether
    the reporter may see it (an async `visible(viewer, record)`; None: residents cannot report it)."""

    model: type
    label: str
    visible: Callable[[Any, Any], Awaitable[bool]] | None = None
    url: Callable[[Any], str] | None = None  # where the text is shown, for the moderator's link
    fields: tuple[str, ...] = ("title", "body")  # the texts a moderator reads and masks
    # What else changes when a moderator decides, in the same transaction: a held message that is
    # approved reaches its readers, a forum's counts include an approved reply... Called with
    # (ctx, target, state before the decision, tx); may return a coroutine function to run after
    # commit (e-mail notices).
    decided: Callable[[Any, Any, str, Any], Awaitable[Callable[[], Awaitable[Any]] | None]] | None = None


Kinds = Mapping[str, Reviewable]


def text_fields(kinds: Kinds, kind: str, target) -> list[str]:
    names = kinds[kind].fields if kind in kinds else ("title", "body")
    return [n for n in names if target is not None and hasattr(target, n)]


def kind_label(kinds: Kinds, kind: str) -> str:
    return gettext(kinds[kind].label) if kind in kinds else kind


def target_url(kinds: Kinds, kind: str, target) -> str | None:
    kind_of = kinds.get(kind)
    if kind_of is None or kind_of.url is None or target is None or target.deleted_at is not None:
        return None
    return kind_of.url(target)
