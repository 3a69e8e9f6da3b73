"""The instance's own word list: administrators add, remove and allow words, import and export it.

It is stored as text (the `moderation` list format) in the site settings table; the effective filter
is the shipped lists plus this one (`moderate.current_filter`), rebuilt when the list changes.
"""

from __future__ import annotations

from moderation import Filter, wordlist
from sns.context import Ctx
from sns.errors import Invalid
from sns.i18n import N_
from sns.models import ModerationLog, SiteSetting
from sns.policies import can_administer
from sns.services import audit
from sns.services.base import clean_text, require, transaction
from sns.services.moderate import WORD_LIST_KEY, forget_filter, word_list_text

MAX_LIST_CHARS = 200_000


async def current_text(ctx: Ctx) -> str:
    require(can_administer(ctx.viewer))
    return await word_list_text()


def _severity(value) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise Invalid(N_("Choose a severity from 0 to 4."), field="severity") from None
    if not 0 <= n <= wordlist.MAX_SEVERITY:
        raise Invalid(N_("Choose a severity from 0 to 4."), field="severity")
    return n


async def save_list(ctx: Ctx, text, *, what: str = "import") -> str:
    """Replace the whole list (the import, or the edited text)."""
    require(can_administer(ctx.viewer))
    text = clean_text(text, field="words", max_chars=MAX_LIST_CHARS, required=False)
    try:
        Filter.from_text(text)  # refuse what the library cannot read, before anyone's posts meet it
    except Exception:
        raise Invalid(N_("This list cannot be read. Write one word a line, as in the example."),
                      field="words") from None
    async with transaction() as tx:
        row = await SiteSetting.get_or_none(key=WORD_LIST_KEY).using_db(tx)
        if row is None:
            await SiteSetting.create(key=WORD_LIST_KEY, value={"text": text}, using_db=tx)
        else:
            row.value = {"text": text}
            await row.save(using_db=tx)
        await ModerationLog.create(moderator_id=ctx.user.id, action="word_list", kind="word_list", target_id="-",
                                   note=what, using_db=tx)
        await audit.record(tx, ctx, "words.change", "word_list", "", what)
    forget_filter()
    return text


def _term(value, field: str) -> str:
    value = clean_text(value, field=field, max_chars=100, single_line=True)
    if "#" in value or "=" in value or value.lower().startswith(wordlist.ALLOW_PREFIX):
        raise Invalid(N_("A word cannot contain # or =."), field=field)
    return value


async def add_word(ctx: Ctx, term, severity) -> str:
    require(can_administer(ctx.viewer))
    term, n = _term(term, "term"), _severity(severity)
    text = await word_list_text()
    return await save_list(ctx, text.rstrip("\n") + f"\n{term} = {n}\n", what=f"add: {term} = {n}")


async def allow_phrase(ctx: Ctx, phrase) -> str:
    require(can_administer(ctx.viewer))
    phrase = _term(phrase, "phrase")
    text = await word_list_text()
    return await save_list(ctx, text.rstrip("\n") + f"\n{wordlist.ALLOW_PREFIX} {phrase}\n", what=f"allow: {phrase}")


async def remove_word(ctx: Ctx, term) -> str:
    """Drop the instance's own lines for `term`; a word of the shipped lists is set to severity 0
    (noted, never flagging), which is how an instance switches one off."""
    require(can_administer(ctx.viewer))
    term = _term(term, "term")
    text = await word_list_text()
    own, _ = wordlist.parse(text)
    kept = [line for line in text.splitlines() if wordlist.parse(line)[0].keys() != {term}]
    if term not in own and not Filter.default().scan(term).flagged:
        raise Invalid(N_("This word is not on the list."), field="term")
    new = "\n".join(kept).rstrip("\n") + "\n"
    if Filter.default().scan(term).flagged:
        new += f"{term} = 0\n"
    return await save_list(ctx, new, what=f"remove: {term}")
