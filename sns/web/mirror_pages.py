"""A neighbouring city's public pages, read-only, from its replica (issue 7; docs/mirroring.md
"Serving a mirror"): `/mirror` lists the cities we mirror and their health, `/mirror/<origin>/...` shows
one of them as its origin shows a visitor, each page labelled as a copy with the time of the last sync.

Pages are light (people read them on weak networks in a disaster): no map script, places as text,
photos as links. Nothing here writes; an unknown city or record is the ordinary 404 page.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from sns.services import alerts as alert_service
from sns.services import mirror_pages as mirror
from sns.services import shelters as shelter_service
from sns.web.http import load_ctx, render


def _helpers() -> dict:
    return {"kind_label": alert_service.kind_label, "status_label": alert_service.status_label,
            "severity_label": alert_service.severity_label, "is_active": alert_service.is_active,
            "shelter_status": shelter_service.status_label, "hazard_label": shelter_service.hazard_label}


async def _city(request: Request) -> mirror.MirroredCity:
    ctx = await load_ctx(request)
    return await mirror.city(ctx.settings, request.path_params["origin"])


async def _show(request: Request, template: str, city: mirror.MirroredCity, **values):
    return await render(request, template, city=city, **_helpers(), **values)


async def mirror_list(request: Request):
    ctx = await load_ctx(request)
    return await render(request, "mirror_list.html", cities=await mirror.cities(ctx.settings))


async def mirror_front(request: Request):
    city = await _city(request)
    return await _show(request, "mirror_front.html", city, **await mirror.front(city))


async def mirror_alerts(request: Request):
    city = await _city(request)
    return await _show(request, "mirror_alerts.html", city, alerts=await mirror.alerts(city))


async def mirror_alert(request: Request):
    city = await _city(request)
    alert, steps = await mirror.alert(city, request.path_params["id"])
    return await _show(request, "mirror_alert.html", city, alert=alert, steps=steps)


async def mirror_notices(request: Request):
    city = await _city(request)
    return await _show(request, "mirror_notices.html", city, notices=await mirror.notices(city))


async def mirror_notice(request: Request):
    city = await _city(request)
    return await _show(request, "mirror_notice.html", city, notice=await mirror.notice(city, request.path_params["id"]))


async def mirror_diaries(request: Request):
    city = await _city(request)
    items = await mirror.diaries(city, request.query_params.get("before"))
    older = items[-1].id if len(items) == mirror.LIST_LIMIT else None
    return await _show(request, "mirror_diaries.html", city, diaries=items, older=older)


async def mirror_diary(request: Request):
    city = await _city(request)
    diary, comments, photos = await mirror.diary(city, request.path_params["id"])
    return await _show(request, "mirror_diary.html", city, diary=diary, comments=comments, photos=photos)


async def mirror_shelters(request: Request):
    city = await _city(request)
    return await _show(request, "mirror_shelters.html", city, shelters=await mirror.shelters(city))


async def mirror_reports(request: Request):
    city = await _city(request)
    items, categories = await mirror.reports(city, request.query_params.get("before"))
    older = items[-1].id if len(items) == mirror.LIST_LIMIT else None
    return await _show(request, "mirror_reports.html", city, reports=items, categories=categories, older=older)


async def mirror_report(request: Request):
    city = await _city(request)
    report, steps, categories, photos = await mirror.report(city, request.path_params["id"])
    return await _show(request, "mirror_report.html", city, report=report, steps=steps, categories=categories,
                       photos=photos)


async def mirror_communities(request: Request):
    city = await _city(request)
    return await _show(request, "mirror_communities.html", city, communities=await mirror.communities(city))


async def mirror_community(request: Request):
    city = await _city(request)
    group, topics = await mirror.community(city, request.path_params["id"])
    return await _show(request, "mirror_community.html", city, community=group, topics=topics)


async def mirror_topic(request: Request):
    city = await _city(request)
    topic, group, replies = await mirror.topic(city, request.path_params["id"])
    return await _show(request, "mirror_topic.html", city, topic=topic, community=group, replies=replies)


GET = ["GET"]
ROUTES: list[Route] = [
    Route("/mirror", mirror_list, methods=GET, name="mirror_list"),
    Route("/mirror/{origin}", mirror_front, methods=GET),
    Route("/mirror/{origin}/alerts", mirror_alerts, methods=GET),
    Route("/mirror/{origin}/alerts/{id}", mirror_alert, methods=GET),
    Route("/mirror/{origin}/notices", mirror_notices, methods=GET),
    Route("/mirror/{origin}/notices/{id}", mirror_notice, methods=GET),
    Route("/mirror/{origin}/diaries", mirror_diaries, methods=GET),
    Route("/mirror/{origin}/diaries/{id}", mirror_diary, methods=GET),
    Route("/mirror/{origin}/shelters", mirror_shelters, methods=GET),
    Route("/mirror/{origin}/reports", mirror_reports, methods=GET),
    Route("/mirror/{origin}/reports/{id}", mirror_report, methods=GET),
    Route("/mirror/{origin}/communities", mirror_communities, methods=GET),
    Route("/mirror/{origin}/communities/{id}", mirror_community, methods=GET),
    Route("/mirror/{origin}/topics/{id}", mirror_topic, methods=GET),
]
