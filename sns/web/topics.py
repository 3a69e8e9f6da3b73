"""Topic pages: a topic with its replies, posting and editing topics and replies, and the topic actions
(pin, lock, move, delete, follow, report). Mounted through `sns.web.communities.ROUTES`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from sns.errors import ServiceError
from sns.i18n import N_
from sns.policies import (
    can_delete_reply, can_delete_topic, can_edit_reply, can_edit_topic, can_lock_topic, can_pin_topic, can_post_topic,
    can_reply, can_report,
)
from sns.services import communities as community_service
from sns.services import replies as reply_service
from sns.web.moderation import report_and_return
from sns.services import topics as topic_service
from sns.web.diaries import held_message
from sns.web.http import errors_of, files, form_of, load_ctx, redirect, render, signed_in, text

FIELDS = ("title", "body", "lat", "lon")
SWITCH_MESSAGES = {"pin": N_("The topic is pinned."), "unpin": N_("The topic is no longer pinned."),
                   "lock": N_("The topic is locked."), "unlock": N_("The topic is open for replies again."),
                   "follow": N_("You follow this topic."), "unfollow": N_("You no longer follow this topic.")}


def topic_url(topic_id: str) -> str:
    return f"/topics/{topic_id}"


async def _render_topic(request: Request, ctx, place, status: int = 200, **extra):
    v, topic, community, membership = ctx.viewer, place.topic, place.community, place.membership
    replies = await reply_service.replies_on(ctx, place)
    photos = await topic_service.photos_of([topic.id, *(r.id for r in replies)])
    return await render(
        request, "topic.html", status=status, topic=topic, community=community, membership=membership,
        replies=replies, photos=photos,
        may_edit=can_edit_topic(v, topic, community, membership),
        may_delete=can_delete_topic(v, topic, community, membership),
        may_pin=can_pin_topic(v, topic, community, membership), may_lock=can_lock_topic(v, topic, community, membership),
        may_reply=can_reply(v, topic, community, membership),
        may_join_to_reply=v.user is not None and not topic.locked and not can_post_topic(v, community, membership),
        may_report=v.user is not None and can_report(v, topic.author_id),
        following=await topic_service.is_following(v, topic.id),
        move_targets=await topic_service.move_targets(ctx, place),
        deletable={r.id for r in replies if can_delete_reply(v, r, topic, community, membership)},
        editable={r.id for r in replies if can_edit_reply(v, r, membership)}, **extra,
    )


async def topic_page(request: Request):
    ctx = await load_ctx(request)
    place = await topic_service.get_topic(ctx, request.path_params["id"])
    await reply_service.mark_topic_read(ctx, place.topic.id)
    return await _render_topic(request, ctx, place)


def _typed(form) -> dict:
    return {name: text(form, name) for name in (*FIELDS, "blur")}


@signed_in
async def topic_new(request: Request, ctx):
    community = await community_service.get_community(ctx, request.path_params["id"])
    if request.method == "GET":
        membership = await community_service.membership_of(ctx.viewer, community.id)
        if not can_post_topic(ctx.viewer, community, membership):
            return redirect(f"/communities/{community.id}", N_("Only members can post here: join the community first."))
        return await render(request, "topic_form.html", community=community)
    form = form_of(request)
    typed = _typed(form)
    photos = await files(form, "photos")
    try:
        topic = await topic_service.post_topic(ctx, community.id, **typed, photos=photos,
                                               client_token=text(form, "client_token") or None)
    except ServiceError as exc:
        return await render(request, "topic_form.html", status=exc.status, community=community,
                            errors=errors_of(exc), form=typed, photos_chosen=len(photos))
    return redirect(topic_url(topic.id), N_("Your topic is posted.") if topic.state == "published"
                    else held_message(topic))


@signed_in
async def topic_edit(request: Request, ctx):
    place = await topic_service.get_topic(ctx, request.path_params["id"])
    topic = place.topic
    if not can_edit_topic(ctx.viewer, topic, place.community, place.membership):
        return await render(request, "error.html", status=403, message=None)
    photos = (await topic_service.photos_of([topic.id]))[topic.id]
    if request.method == "GET":
        typed = {n: ("" if getattr(topic, n) is None else str(getattr(topic, n))) for n in FIELDS}
        return await render(request, "topic_form.html", community=place.community, topic=topic, photos=photos,
                            form=typed)
    form = form_of(request)
    typed = _typed(form)
    try:
        topic = await topic_service.edit_topic(
            ctx, topic.id, **typed, photos=await files(form, "photos"),
            remove_photos=[p for p in form.getlist("remove_photo") if isinstance(p, str)])
    except ServiceError as exc:
        return await render(request, "topic_form.html", status=exc.status, community=place.community, topic=topic,
                            photos=photos, errors=errors_of(exc), form=typed)
    return redirect(topic_url(topic.id), N_("Your changes are saved.") if topic.state == "published"
                    else held_message(topic))


@signed_in
async def reply_add(request: Request, ctx):
    topic_id = request.path_params["id"]
    form = form_of(request)
    body = text(form, "body")
    photos = await files(form, "photos")
    try:
        reply = await reply_service.add_reply(ctx, topic_id, body, photos=photos,
                                              client_token=text(form, "client_token") or None)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        try:
            place = await topic_service.get_topic(ctx, topic_id)
        except ServiceError:  # a banned member no longer reads it: the refusal itself is the answer
            raise exc from None
        return await _render_topic(request, ctx, place, status=exc.status, errors=errors_of(exc),
                                   form={"body": body}, photos_chosen=len(photos))
    return redirect(topic_url(topic_id) + f"#reply-{reply.id}", N_("Your reply is posted.")
                    if reply.state == "published" else held_message(reply))


@signed_in
async def topic_delete(request: Request, ctx):
    community = await topic_service.delete_topic(ctx, request.path_params["id"])
    return redirect(f"/communities/{community.id}", N_("The topic is deleted."))


@signed_in
async def topic_switch(request: Request, ctx):
    topic_id, action = request.path_params["id"], request.path_params["action"]
    if action not in SWITCH_MESSAGES:
        return await render(request, "error.html", status=404, message=None)
    try:
        if action == "follow":
            await reply_service.follow(ctx, topic_id)
        elif action == "unfollow":
            await reply_service.unfollow(ctx, topic_id)
        else:
            await topic_service.switch_topic(ctx, topic_id, action)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        return redirect(topic_url(topic_id), exc.message)
    return redirect(topic_url(topic_id), SWITCH_MESSAGES[action])


@signed_in
async def topic_move(request: Request, ctx):
    topic_id = request.path_params["id"]
    try:
        await topic_service.move_topic(ctx, topic_id, text(form_of(request), "community"))
    except ServiceError as exc:
        if exc.status == 404:
            raise
        return redirect(topic_url(topic_id), exc.message)
    return redirect(topic_url(topic_id), N_("The topic is moved."))


@signed_in
async def reply_edit(request: Request, ctx):
    reply, place = await reply_service.get_reply(ctx, request.path_params["id"])
    if not can_edit_reply(ctx.viewer, reply, place.membership):
        return await render(request, "error.html", status=403, message=None)
    if request.method == "GET":
        return await render(request, "topic_reply_form.html", reply=reply, topic=place.topic,
                            form={"body": reply.body})
    body = text(form_of(request), "body")
    try:
        reply = await reply_service.edit_reply(ctx, reply.id, body)
    except ServiceError as exc:
        return await render(request, "topic_reply_form.html", status=exc.status, reply=reply, topic=place.topic,
                            errors=errors_of(exc), form={"body": body})
    return redirect(reply_service.reply_url(reply), N_("Your changes are saved.") if reply.state == "published"
                    else held_message(reply))


@signed_in
async def reply_delete(request: Request, ctx):
    topic = await reply_service.delete_reply(ctx, request.path_params["id"])
    return redirect(topic_url(topic.id) + "#replies", N_("The reply is deleted."))


async def report_topic(request: Request):
    return await report_and_return(request, "topic", topic_url(request.path_params["id"]))


async def report_reply(request: Request):
    topic_id = text(form_of(request), "topic")
    back = topic_url(topic_id) + "#replies" if topic_id.replace("-", "").isalnum() else "/communities"
    return await report_and_return(request, "reply", back)


GET, POST, BOTH = ["GET"], ["POST"], ["GET", "POST"]
ROUTES: list[Route] = [
    Route("/communities/{id}/topics/new", topic_new, methods=BOTH),
    Route("/topics/{id}", topic_page, methods=GET),
    Route("/topics/{id}/edit", topic_edit, methods=BOTH),
    Route("/topics/{id}/replies", reply_add, methods=POST),
    Route("/topics/{id}/delete", topic_delete, methods=POST),
    Route("/topics/{id}/move", topic_move, methods=POST),
    Route("/topics/{id}/report", report_topic, methods=POST),
    Route("/topics/{id}/{action}", topic_switch, methods=POST),
    Route("/replies/{id}/edit", reply_edit, methods=BOTH),
    Route("/replies/{id}/delete", reply_delete, methods=POST),
    Route("/replies/{id}/report", report_reply, methods=POST),
]
