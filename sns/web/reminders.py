"""Settings › Reminders (/settings/reminders): my documents' expiry dates and my district's garbage days,
each by e-mail and/or Web Push; and /admin/reminder-texts, where administrators write what each document's
reminder says to bring. Plain forms (no JavaScript needed); every page of mine is `private, no-store`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sns.errors import NotFound, ServiceError
from sns.i18n import N_
from sns.models.reminders import DOCUMENT_KINDS
from sns.policies.reminders import can_edit_reminder_texts
from sns.services import reminder_texts, reminders
from sns.services.site import district_of, districts
from sns.web.http import errors_of, form_of, redirect, render, signed_in, signed_in_with, text

NO_STORE = "private, no-store"
PAGE = "/settings/reminders"


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = NO_STORE
    return response


def _document_form(reminder=None) -> dict:
    if reminder is None:
        return {"kind": "passport", "expires_on": "", "email": True, "push": False}
    return {"kind": reminder.kind, "expires_on": reminder.expires_on.isoformat(), "email": reminder.email,
            "push": reminder.push}


def _typed_document(form) -> dict:
    return {"kind": text(form, "kind")[:40], "expires_on": text(form, "expires_on")[:40],
            "email": text(form, "email") == "1", "push": text(form, "push") == "1"}


async def _page(request: Request, ctx, status: int = 200, **extra) -> Response:
    garbage = await reminders.my_garbage(ctx)
    mine = await district_of(ctx.user)
    extra.setdefault("form", _document_form())
    extra.setdefault("garbage_form", {"district_id": garbage.district_id if garbage else (mine.id if mine else ""),
                                      "email": garbage.email if garbage else True,
                                      "push": garbage.push if garbage else False})
    return _private(await render(request, "reminders.html", status=status,
                                 documents=await reminders.my_documents(ctx), garbage=garbage,
                                 districts=await districts(), kinds=DOCUMENT_KINDS,
                                 kind_label=reminder_texts.kind_label, long_date=reminders.long_date, **extra))


@signed_in
async def reminders_page(request: Request, ctx):
    return await _page(request, ctx)


@signed_in
async def document_add(request: Request, ctx):
    typed = _typed_document(form_of(request))
    try:
        await reminders.add_document(ctx, **typed)
    except ServiceError as exc:
        return await _page(request, ctx, status=exc.status, form=typed, errors=errors_of(exc))
    return redirect(PAGE, N_("Saved: you will be reminded 3 months and 1 month before it expires."))


async def _not_found(request: Request) -> Response:
    return _private(await render(request, "error.html", status=404, message=None))


@signed_in
async def document_edit(request: Request, ctx):
    try:
        reminder = await reminders.my_document(ctx, request.path_params["id"])
    except NotFound:
        return await _not_found(request)
    if request.method == "GET":
        return _private(await render(request, "reminders_document.html", reminder=reminder,
                                     form=_document_form(reminder), kinds=DOCUMENT_KINDS,
                                     kind_label=reminder_texts.kind_label))
    typed = _typed_document(form_of(request))
    try:
        await reminders.change_document(ctx, reminder.id, **typed)
    except ServiceError as exc:
        return _private(await render(request, "reminders_document.html", status=exc.status, reminder=reminder,
                                     form=typed, errors=errors_of(exc), kinds=DOCUMENT_KINDS,
                                     kind_label=reminder_texts.kind_label))
    return redirect(PAGE, N_("The reminder is saved."))


@signed_in
async def document_delete(request: Request, ctx):
    try:
        await reminders.delete_document(ctx, request.path_params["id"])
    except NotFound:
        return await _not_found(request)
    return redirect(PAGE, N_("The reminder is deleted."))


@signed_in
async def garbage_save(request: Request, ctx):
    form = form_of(request)
    typed = {"district_id": text(form, "district_id")[:40], "email": text(form, "email") == "1",
             "push": text(form, "push") == "1"}
    try:
        await reminders.save_garbage(ctx, **typed)
    except ServiceError as exc:
        return await _page(request, ctx, status=exc.status, garbage_form=typed, garbage_errors=errors_of(exc))
    return redirect(PAGE + "#garbage", N_("Saved: you will be reminded the evening before each collection day."))


@signed_in
async def garbage_stop(request: Request, ctx):
    await reminders.stop_garbage(ctx)
    return redirect(PAGE + "#garbage", N_("You will not be reminded of garbage days any more."))


async def texts_page(request: Request):
    ctx, refused = await signed_in_with(request, can_edit_reminder_texts)
    if refused:
        return refused
    stored = await reminder_texts.stored_texts()
    form = {f"{kind}_{lang}": stored[kind][lang] for kind in DOCUMENT_KINDS for lang in ("en", "ja")}
    status, errors = 200, {}
    if request.method == "POST":
        posted = form_of(request)
        form = {name: text(posted, name) for name in form}
        try:
            await reminder_texts.save_texts(ctx, form)
        except ServiceError as exc:
            status, errors = exc.status, errors_of(exc)
        else:
            return redirect("/admin/reminder-texts", N_("The reminder texts are saved."))
    defaults = {kind: reminder_texts.DEFAULTS[kind] for kind in DOCUMENT_KINDS}
    return await render(request, "reminders_texts.html", status=status, form=form, errors=errors,
                        kinds=DOCUMENT_KINDS, kind_label=reminder_texts.kind_label, defaults=defaults)


ROUTES: list[Route] = [
    Route(PAGE, reminders_page, methods=["GET"]),
    Route(PAGE + "/documents", document_add, methods=["POST"]),
    Route(PAGE + "/documents/{id}", document_edit, methods=["GET", "POST"]),
    Route(PAGE + "/documents/{id}/delete", document_delete, methods=["POST"]),
    Route(PAGE + "/garbage", garbage_save, methods=["POST"]),
    Route(PAGE + "/garbage/stop", garbage_stop, methods=["POST"]),
    Route("/admin/reminder-texts", texts_page, methods=["GET", "POST"]),
]
