"""Administrators keep the city's list of departments and who answers for each: /admin/departments."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from sns.errors import ServiceError
from sns.i18n import N_
from sns.policies import can_manage_departments
from sns.services import departments as department_service
from sns.web.http import errors_of, form_of, redirect, render, signed_in_with, text

FIELDS = ("name", "name_ja", "description", "position", "first_answer_days", "close_days", "mail_address")


async def _render(request: Request, ctx, status: int = 200, **extra):
    items = await department_service.all_departments(ctx)
    staff = await department_service.staff_of([d.id for d in items])
    return await render(request, "admin_departments.html", status=status, departments=items, staff=staff, **extra)


async def _guard(request: Request):
    return await signed_in_with(request, can_manage_departments)


async def departments_page(request: Request):
    """The list, each department's form, and a form to add one (POST adds)."""
    ctx, refused = await _guard(request)
    if refused:
        return refused
    if request.method == "GET":
        return await _render(request, ctx, form={"position": "0", "first_answer_days": "0", "close_days": "0"})
    form = form_of(request)
    typed = {name: text(form, name) for name in FIELDS}
    try:
        await department_service.save_department(ctx, **typed, active=True)
    except ServiceError as exc:
        return await _render(request, ctx, status=exc.status, errors=errors_of(exc), form=typed)
    return redirect("/admin/departments", N_("The department is added."))


async def department_update(request: Request):
    ctx, refused = await _guard(request)
    if refused:
        return refused
    form = form_of(request)
    department_id = request.path_params["id"]
    typed = {name: text(form, name) for name in FIELDS}
    try:
        await department_service.save_department(ctx, department_id, **typed, active=text(form, "active") == "1")
    except ServiceError as exc:
        if exc.status == 404:
            raise
        return await _render(request, ctx, status=exc.status, edit_errors={department_id: errors_of(exc)},
                             edit_form={department_id: typed})
    return redirect(f"/admin/departments#d-{department_id}", N_("Your changes are saved."))


async def staff_add(request: Request):
    ctx, refused = await _guard(request)
    if refused:
        return refused
    department_id = request.path_params["id"]
    username = text(form_of(request), "username")
    try:
        await department_service.add_staff(ctx, department_id, username)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        return await _render(request, ctx, status=exc.status, staff_errors={department_id: exc.text()},
                             staff_form={department_id: username})
    return redirect(f"/admin/departments#d-{department_id}", N_("The staff member is added to the department."))


async def staff_remove(request: Request):
    ctx, refused = await _guard(request)
    if refused:
        return refused
    department_id = request.path_params["id"]
    await department_service.remove_staff(ctx, department_id, text(form_of(request), "user_id"))
    return redirect(f"/admin/departments#d-{department_id}", N_("The staff member is removed from the department."))


ROUTES = [
    Route("/admin/departments", departments_page, methods=["GET", "POST"]),
    Route("/admin/departments/{id}", department_update, methods=["POST"]),
    Route("/admin/departments/{id}/staff", staff_add, methods=["POST"]),
    Route("/admin/departments/{id}/staff/remove", staff_remove, methods=["POST"]),
]
