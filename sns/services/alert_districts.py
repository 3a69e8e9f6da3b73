"""The districts an alert affects: ticked by the staff when posting (districts have no geometry), so
residents who asked to be told of alerts for their district are told (sns/services/alert_notices.py)."""

from __future__ import annotations

from typing import Any

from sns.errors import Invalid
from sns.i18n import N_
from sns.models.users import District


async def check_districts(value: Any, conn: Any = None) -> list[str]:
    """The districts affected, as District ids (the form's ticks, the API's list); each must exist (in the
    database of `conn` when given: a mirrored city's replica)."""
    if value is None or value == "" or value == []:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or len(value) > 500 or not all(isinstance(v, str) for v in value):
        raise Invalid(N_("Choose the districts affected from the list."), field="districts")
    chosen = list(dict.fromkeys(v.strip() for v in value if v.strip()))
    query = District.filter(id__in=chosen, deleted_at=None)
    known = set(await (query.using_db(conn) if conn is not None else query).values_list("id", flat=True)) \
        if chosen else set()
    if len(known) != len(chosen):
        raise Invalid(N_("Choose the districts affected from the list."), field="districts")
    return chosen


async def district_names(alert) -> list[str]:
    """The names of the districts the staff ticked (none: no query)."""
    if not alert.districts:
        return []
    return list(await District.filter(id__in=list(alert.districts), deleted_at=None).order_by("position", "name")
                .values_list("name", flat=True))
