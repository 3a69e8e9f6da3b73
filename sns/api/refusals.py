"""Input the declaration refuses, said to the caller in their language: one field, one clear message.

Pydantic names what went wrong by a type (`string_too_long`, `extra_forbidden`...) with the limit that
was broken; each type has a message here (translated like every other), so a refusal reads the same
as the services' own. A field can say how its refusals are reported with `Reported` in its annotation:
under the name the pages use for it (a comment's `body` is the form's `comment`), or with a message of
its own (latitude and longitude are reported together, as `location`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticInvalid
from pydantic_core import PydanticCustomError

from sns.errors import Invalid
from sns.i18n import N_


@dataclass(frozen=True)
class Reported:
    """How refusals of a field are reported: another field name, and/or a message of its own;
    `kinds`, if given, are the only kinds of refusal (pydantic's error types) reported so."""

    field: str | None = None
    message: str | None = None
    kinds: tuple[str, ...] = ()


def custom(message: str, **params: Any) -> PydanticCustomError:
    """A refusal from a validator of ours (`message` is a msgid; `params` fill it)."""
    return PydanticCustomError("sns", message, {"msgid": message, **params})


BY_TYPE: dict[str, str] = {
    "json_invalid": N_("The request body is not valid JSON."),
    "missing": N_("Please fill in this field."),
    "extra_forbidden": N_("This field is not known here."),
    "string_type": N_("This field must be text."),
    "string_too_long": N_("This is too long (at most %(max)d characters)."),
    "string_pattern_mismatch": N_("This is not in the expected form."),
    "bool_type": N_("This must be true or false."),
    "bool_parsing": N_("This must be true or false."),
    "int_type": N_("Give a whole number."),
    "int_parsing": N_("Give a whole number."),
    "int_from_float": N_("Give a whole number."),
    "float_type": N_("This must be a number."),
    "float_parsing": N_("This must be a number."),
    "finite_number": N_("This must be a number."),
    "greater_than_equal": N_("This must be at least %(ge)s."),
    "greater_than": N_("This must be more than %(gt)s."),
    "less_than_equal": N_("This must be at most %(le)s."),
    "less_than": N_("This must be less than %(lt)s."),
    "literal_error": N_("Choose one of: %(expected)s."),
    "enum": N_("Choose one of: %(expected)s."),
    "list_type": N_("This must be a list."),
    "too_long": N_("This list is too long (at most %(max)d items)."),
    "too_short": N_("This list needs at least %(min)d items."),
    "dict_type": N_("This field must be a JSON object."),
    "model_type": N_("This field must be a JSON object."),
    "uuid_type": N_("This is not a valid id."),
    "uuid_parsing": N_("This is not a valid id."),
    "datetime_type": N_("Give a date and time such as 2026-05-01T10:00:00+09:00."),
    "datetime_parsing": N_("Give a date and time such as 2026-05-01T10:00:00+09:00."),
    "datetime_from_date_parsing": N_("Give a date and time such as 2026-05-01T10:00:00+09:00."),
    "date_type": N_("Give a date such as 2026-05-01."),
    "date_parsing": N_("Give a date such as 2026-05-01."),
}
RENAMED = {"max_length": "max", "min_length": "min"}  # the names the catalogue's messages already use
SHORT_TEXT = N_("This must not be empty.")
SHORT_TEXT_N = N_("This is too short (at least %(min)d characters).")
OTHERWISE = N_("This value is not accepted here.")


def _reported(model: type[BaseModel], loc: tuple) -> Reported | None:
    """The `Reported` marker of the field at `loc`, looked up through nested models."""
    current: Any = model
    marker = None
    for part in loc:
        fields = getattr(current, "model_fields", None)
        if not isinstance(part, str) or fields is None or part not in fields:
            break
        info = fields[part]
        marker = next((m for m in info.metadata if isinstance(m, Reported)), marker)
        current = info.annotation
    return marker


def _message(error: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    kind, ctx = error["type"], dict(error.get("ctx") or {})
    if kind == "sns":
        return ctx.pop("msgid"), ctx
    if kind == "string_too_short":
        return (SHORT_TEXT, {}) if ctx.get("min_length") == 1 else (SHORT_TEXT_N, {"min": ctx.get("min_length")})
    if kind in ("literal_error", "enum"):
        ctx["expected"] = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")  # no English "or"
    message = BY_TYPE.get(kind, OTHERWISE)
    params = {RENAMED.get(k, k): v for k, v in ctx.items() if isinstance(v, (int, float, str))}
    return message, params


def refusal(model: type[BaseModel], exc: PydanticInvalid) -> Invalid:
    """The first thing wrong with the input, as the services would say it."""
    errors = exc.errors(include_url=False, include_input=False)
    error = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])  # a misspelt name first
    loc = tuple(error["loc"])
    if error["type"] == "json_invalid":
        return Invalid(BY_TYPE["json_invalid"])
    if not loc and error["type"] in ("model_type", "model_attributes_type", "dict_type"):
        return Invalid(N_("The request body must be a JSON object."))
    names = [str(p) for p in loc if isinstance(p, str)]
    field = ".".join(names) or None
    message, params = _message(error)
    marker = _reported(model, loc)
    if marker is not None and (not marker.kinds or error["type"] in marker.kinds):
        field = marker.field or field
        if marker.message:
            message, params = marker.message, {}
    return Invalid(message, field=field, **params)
