"""What each document's reminder tells the resident to bring when renewing it, in English and Japanese.

Administrators edit the texts (/admin/reminder-texts); they are kept as one site setting (`SiteSetting`
"reminder_texts": {kind: {"en": ..., "ja": ...}}), no table of their own. A text left empty falls back to
the default shipped here, translated into the reader's language.
"""

from __future__ import annotations

from sns.context import Ctx
from sns.i18n import N_, current_locale, gettext
from sns.models import SiteSetting
from sns.models.reminders import DOCUMENT_KINDS
from sns.policies.reminders import can_edit_reminder_texts
from sns.services import audit
from sns.services.base import clean_text, require, transaction

KEY = "reminder_texts"
MAX_CHARS = 1000
KIND_LABELS = {"passport": N_("Passport"), "residence_card": N_("Residence card"),
               "driving_licence": N_("Driving licence")}
DEFAULTS = {
    "passport": N_("To renew it, bring your current passport, one application form, one photo (45 × 35 mm, taken "
                   "within 6 months) and the fee. You can apply from 6 months before it expires."),
    "residence_card": N_("To renew it, bring your residence card, your passport, one photo (40 × 30 mm) and the "
                         "application form to the immigration office. Apply before it expires."),
    "driving_licence": N_("To renew it, bring your licence, the reminder postcard if you have one, your glasses "
                          "if you drive with them, and the fee to the licence centre."),
}


def kind_label(kind: str) -> str:
    return gettext(KIND_LABELS.get(kind, kind))


async def stored_texts() -> dict[str, dict[str, str]]:
    """What the administrators wrote: {kind: {"en": ..., "ja": ...}} (empty strings where nothing)."""
    row = await SiteSetting.get_or_none(key=KEY)
    value = row.value if row and isinstance(row.value, dict) else {}
    return {kind: {lang: str((value.get(kind) or {}).get(lang) or "") for lang in ("en", "ja")}
            for kind in DOCUMENT_KINDS}


def text_for(stored: dict[str, dict[str, str]], kind: str, locale: str | None = None) -> str:
    """The text in `locale` (the current language by default): the administrators' own, else the default."""
    locale = locale or current_locale()
    mine = (stored.get(kind) or {}).get(locale, "")
    return mine or gettext(DEFAULTS.get(kind, ""))


async def save_texts(ctx: Ctx, values: dict[str, str]) -> dict[str, dict[str, str]]:
    """Save every kind's texts from `values` ("passport_en", "passport_ja"...); empty means the default."""
    require(can_edit_reminder_texts(ctx.viewer))
    texts = {kind: {lang: clean_text(values.get(f"{kind}_{lang}"), field=f"{kind}_{lang}", max_chars=MAX_CHARS,
                                     required=False)
                    for lang in ("en", "ja")} for kind in DOCUMENT_KINDS}
    async with transaction() as tx:
        await SiteSetting.update_or_create(key=KEY, defaults={"value": texts}, using_db=tx)
        await audit.record(tx, ctx, "site.settings", "site", KEY, "reminder texts")
    return texts
