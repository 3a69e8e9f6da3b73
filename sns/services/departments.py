"""The city's departments (roads, waste, welfare, disaster desk...) and who answers for each.

The list is the city's own data, kept by administrators on /admin/departments: names in English
and Japanese, a description, an order, and whether residents can still write to it. Staff are
municipal accounts (any role but "resident") assigned to one or more departments.
"""

from __future__ import annotations

import re

from sns.context import Ctx
from sns.errors import Invalid, NotFound
from sns.i18n import N_
from sns.ids import is_id
from sns.models import Department, DepartmentStaff, User
from sns.policies import can_manage_departments
from sns.services.accounts import USERNAME_RE
from sns.services.working_days import MAX_DAYS
from sns.services.base import clean_text, delete_with_tombstone, require, save_change, save_new, transaction

MAIL_ADDRESS_RE = re.compile(r"^[a-z0-9._%-]{1,64}@[a-z0-9.-]{1,250}\.[a-z]{2,}$")  # no "+": that is for replies


def department_name(department: Department, locale: str) -> str:
    """The name in the reader's language (Japanese when given, else the English one)."""
    if locale == "ja" and department.name_ja:
        return department.name_ja
    return department.name


async def active_departments() -> list[Department]:
    return await Department.filter(active=True, deleted_at=None).order_by("position", "name")


async def all_departments(ctx: Ctx) -> list[Department]:
    require(can_manage_departments(ctx.viewer))
    return await Department.filter(deleted_at=None).order_by("position", "name")


async def get_department(department_id: str | None, *, active_only: bool = True) -> Department:
    known = isinstance(department_id, str) and is_id(department_id)
    department = await Department.get_or_none(id=department_id, deleted_at=None) if known else None
    if department is None or (active_only and not department.active):
        raise NotFound(N_("There is no such department."))
    return department


def _days(value, field: str) -> int:
    """An answer target in working days: 0 (none) to 365."""
    text = value.strip() if isinstance(value, str) else value
    if text in (None, ""):
        return 0
    if isinstance(text, int) and not isinstance(text, bool):
        number = text
    elif isinstance(text, str) and text.isascii() and text.isdigit() and len(text) <= 3:
        number = int(text)
    else:
        number = -1
    if not 0 <= number <= MAX_DAYS:
        raise Invalid(N_("Give a number of working days from 0 (no promise) to %(max)d."), field=field, max=MAX_DAYS)
    return number


def _position(value) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value.strip()) <= 6:
        number = int(value.strip())
    elif value in (None, ""):
        number = 0
    else:
        raise Invalid(N_("Give a whole number."), field="position")
    if not -9999 <= number <= 9999:
        raise Invalid(N_("Give a whole number."), field="position")
    return number


async def save_department(ctx: Ctx, department_id: str | None = None, *, name, name_ja="", description="",
                          position=0, active=True, first_answer_days=0, close_days=0, mail_address=None) -> Department:
    """Add a department (no id) or change one: its names, description, order, whether it is open, the
    answer times it promises in working days (sns/services/working_days.py; 0: no promise) and the address
    mail to it arrives at (None: unchanged)."""
    require(can_manage_departments(ctx.viewer))
    name = clean_text(name, field="name", max_chars=100, single_line=True)
    name_ja = clean_text(name_ja, field="name_ja", max_chars=100, single_line=True, required=False)
    description = clean_text(description, field="description", max_chars=1000, required=False)
    position = _position(position)
    first_answer_days, close_days = _days(first_answer_days, "first_answer_days"), _days(close_days, "close_days")
    mail_address = None if mail_address is None else _mail_address(mail_address)  # None: unchanged
    async with transaction() as tx:
        if department_id is None:
            department = await save_new(Department(name=name, name_ja=name_ja, description=description,
                                                   position=position, active=bool(active), first_answer_days=first_answer_days,
                                                   close_days=close_days, mail_address=mail_address or "",
                                                   origin=ctx.origin), tx)
        else:
            department = await get_department(department_id, active_only=False)
            department.name, department.name_ja, department.description = name, name_ja, description
            department.position, department.active = position, bool(active)
            department.first_answer_days, department.close_days = first_answer_days, close_days
            if mail_address is not None:
                department.mail_address = mail_address
            await save_change(department, tx)
    return department


def _mail_address(value) -> str:
    """The address mail to the city is routed to this department by (sns/services/mail_intake.py)."""
    value = clean_text(value, field="mail_address", max_chars=320, single_line=True, required=False).lower()
    if value and not MAIL_ADDRESS_RE.match(value):
        raise Invalid(N_("Please enter a mail address such as roads@city.example."), field="mail_address")
    return value


async def staff_of(department_ids: list[str]) -> dict[str, list[User]]:
    out: dict[str, list[User]] = {d: [] for d in department_ids}
    for row in await DepartmentStaff.filter(department_id__in=department_ids).select_related("user").order_by("id"):
        out[row.department_id].append(row.user)
    return out


async def staff_ids(department_id: str, conn=None) -> list[str]:
    q = DepartmentStaff.filter(department_id=department_id)
    return list(await (q.using_db(conn) if conn else q).values_list("user_id", flat=True))


async def add_staff(ctx: Ctx, department_id: str, username) -> User:
    require(can_manage_departments(ctx.viewer))
    department = await get_department(department_id, active_only=False)
    name = username.strip().lower().lstrip("@") if isinstance(username, str) else ""
    user = await User.get_or_none(username=name, deleted_at=None) if USERNAME_RE.match(name) else None
    if user is None:
        raise Invalid(N_("There is no resident called %(name)s."), field="username",
                      name="".join(ch for ch in name[:32] if ch.isprintable()) or "-")
    if user.role == "resident":
        raise Invalid(N_("Only municipal staff accounts can answer for a department. Give %(name)s a staff "
                         "role on the Residents page first."), field="username", name=user.username)
    if await DepartmentStaff.filter(department_id=department.id, user_id=user.id).exists():
        return user
    async with transaction() as tx:
        await save_new(DepartmentStaff(department_id=department.id, user_id=user.id, origin=ctx.origin), tx)
    return user


async def remove_staff(ctx: Ctx, department_id: str, user_id: str) -> None:
    require(can_manage_departments(ctx.viewer))
    row = await DepartmentStaff.get_or_none(department_id=department_id, user_id=user_id)
    if row is None:
        raise NotFound(N_("This person does not answer for this department."))
    async with transaction() as tx:
        await delete_with_tombstone(row, tx)
