"""The manifest: the site's parts, named once, in order, each handing over what it adds as data.

An `Area` says what one part of the site brings: its pages (`routes`, tried in the manifest's order), its
API module, the kinds of text the review queue handles, who may see the photos it owns, its map layers,
its background jobs, its demo content, the mirror's hooks, and the staff pages the navigation offers.
`build_site(AREAS)` merges them into one `Site` and refuses, while building, anything named twice (two
areas giving the same review kind, layer, job, route name...). Nothing registers itself by being imported:
a module hands over constants (a `REVIEWABLE`, a `LAYER`, a `JOB`, its `ROUTES`) and this file names them.

Who builds a site, and how run-time code reaches it:

- the app: `create_app` builds one and keeps it as `app.state.site` (routes, templates, the supervisor of
  jobs are made from it). A request's services get it as `ctx.site` (`load_ctx` copies it from
  `request.app.state`, no work per request).
- the `sns` command builds the same site from the same manifest and passes it explicitly: to
  `sns demo` (`seed_demo(settings, site)`), `sns mirror sync` (`pull_peer(settings, peer, site)`),
  `sns restore` (`restore(..., site=site)`), so the command runs the very hooks the server runs.
- background jobs get it as an argument (`Job.run(settings, site)`), and so do the mirror's hooks after
  a pull round (`after_round(settings, peer, result, site)`); a `Ctx` made outside a request (jobs, the
  command, the demo) is given `site=` by whoever makes it.

Import rule: this module imports the parts; no part imports it (a type hint uses `TYPE_CHECKING`), so it
adds no import cycle. `tests/unit/test_imports.py` counts the cycles left in `sns/`.

The API: each area names its `sns/api/` module (`api`), whose `API` declares its operations
(sns/api/declare.py); the site serves them all under /api/v1 in the manifest's order, before the pages
(`Site.operations`, which /api/v1/openapi.json describes).
Journal kinds stay one table, `sns.journal.KINDS`: a kind is a wire name neighbours rely on, kept beside
the typed entry (`sns/journal/`) rather than handed over by areas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType, ModuleType
from typing import Any, Awaitable, Callable, Iterable, Mapping

from starlette.routing import BaseRoute

from sns import mail, routes, tasks
from sns.api import albums as albums_api, alert_feeds as alert_feeds_api, alerts as alerts_api
from sns.api import appointments as appointments_api
from sns.api import communities as communities_api, departments as departments_api, diaries as diaries_api
from sns.api import disaster as disaster_api, events as events_api, maps as maps_api, messages as messages_api
from sns.api import my_data as my_data_api, my_requests as my_requests_api
from sns.api import notices as notices_api, people as people_api, reports as reports_api, search as search_api
from sns.api import leaving as leaving_api, shelters as shelters_api
from sns.api import v1
from sns.api.declare import Operation
from sns.api.v1 import api_routes
from sns.demos import albums as albums_demo, alerts as alerts_demo, communities as communities_demo
from sns.demos import appointments as appointments_demo
from sns.demos import departments as departments_demo, disaster as disaster_demo, events as events_demo
from sns.demos import messages as messages_demo, reminders as reminders_demo, reports as reports_demo
from sns.demos import notices as notices_demo, shelters as shelters_demo
from sns.fediverse import routes as fediverse_routes
from sns.fediverse import delivery as fediverse_delivery
from sns.mirror import adopt, box_exchange, media_fetch, media_serve, media_store, pull, restore, serve
from sns.mirror import alerts as mirrored_alerts
from sns.policies.mail_intake import can_manage_mail_intake
from sns.policies.partners import can_manage_partner_keys
from sns.policies.appointments import can_manage_counters, is_counter_staff
from sns.policies import (
    can_manage_standby_codes, can_post_alert, can_read_alert_sources, can_read_peers, can_set_shelter_status,
    can_switch_disaster, is_disaster_staff,
)
from sns.policies.dashboard import can_view_dashboard
from sns.policies.fediverse_admin import can_manage_fediverse
from sns.services import mail_intake_imap
from sns.services import (
    albums, alert_sending, alerts, cap_poll, communities, data_export, disaster_board, events, inquiries, leaving,
    mailbox, map_areas, map_layers, notice_telling, reminder_job, replies, report_lists, reports, retention, review,
    shelters, telling, topics, weekly_activity,
)
from sns.services import appointment_mail
from sns.services.maps import DynamicLayers, Layer
from sns.services.photo_access import Check
from sns.services.review_kinds import Reviewable
from sns.web import acting as acting_pages, albums as albums_pages, alert_feeds as alert_feeds_pages
from sns.web import appointments as appointment_pages, counter_admin, counter_staff, counters as counter_pages
from sns.web import alert_notices as alert_notices_pages, alerts as alerts_pages, cap_sources as cap_sources_pages
from sns.web import city_admin, city_log, city_staff, dashboard as dashboard_pages
from sns.web import communities as communities_pages, departments as departments_pages
from sns.web import disaster as disaster_pages, events as events_pages, live as live_pages, maps as maps_pages
from sns.web import garbage as garbage_pages, reminders as reminders_pages
from sns.web import leaving as leaving_pages, mail_intake as mail_intake_pages
from sns.web import messages as messages_pages, mirror_admin as mirror_admin_pages
from sns.web import mirror_pages, my_data as my_data_pages, notifications as notifications_pages, ops as ops_pages
from sns.web import my_requests as my_requests_pages, reports as reports_pages
from sns.web import open311 as open311_protocol, partner_admin
from sns.web import search as search_pages, shelters as shelters_pages, standby as standby_pages
from sns.web import fediverse_admin, fediverse_inbox

Hook = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class Area:
    """One part of the site and what it hands over (everything optional but its name)."""

    name: str
    routes: tuple[BaseRoute, ...] = ()  # its pages (or protocol addresses), tried in this order
    api: ModuleType | None = None  # its module in sns/api/ (whose operations /api/v1 serves)
    review_kinds: Mapping[str, Reviewable] = field(default_factory=dict)  # kind -> what the review queue needs
    photo_owners: Mapping[str, Check] = field(default_factory=dict)  # photo purpose -> who may see the photo
    map_layers: tuple[Layer, ...] = ()
    dynamic_layers: tuple[DynamicLayers, ...] = ()  # layers that are data (uploaded areas)
    jobs: tuple[tasks.Job, ...] = ()  # background jobs, started by the app's lifespan
    demo: ModuleType | None = None  # its part of the demo town (`async def seed(as_user, users)`)
    # the mirror's hooks: after a batch is applied to a replica (settings, origin, open entries); after each
    # pull round of a peer (settings, peer, result, site); in the transaction storing a batch (tx, entries)
    after_apply: tuple[Hook, ...] = ()
    after_round: tuple[Hook, ...] = ()
    on_store: tuple[Hook, ...] = ()
    media_restorers: tuple[Hook, ...] = ()  # `sns restore`: files fetched back after the journal
    offered: Mapping[str, Callable[[Any], bool]] = field(default_factory=dict)  # staff pages in the navigation


@dataclass(frozen=True)
class Site:
    """The areas merged: what the app and the `sns` command are built from (`app.state.site`, `ctx.site`)."""

    areas: tuple[Area, ...]
    routes: tuple[BaseRoute, ...]
    api: tuple[ModuleType, ...]
    operations: tuple[Operation, ...]  # the API's, in the order they are matched (/api/v1/openapi.json)
    review_kinds: Mapping[str, Reviewable]
    photo_owners: Mapping[str, Check]
    map_layers: Mapping[str, Layer]
    layers: tuple[Layer, ...]  # the map's switcher order (by `order`, then name)
    dynamic_layers: tuple[DynamicLayers, ...]
    jobs: Mapping[str, tasks.Job]
    demo: tuple[ModuleType, ...]
    after_apply: tuple[Hook, ...]
    after_round: tuple[Hook, ...]
    on_store: tuple[Hook, ...]
    media_restorers: tuple[Hook, ...]
    offered: Mapping[str, Callable[[Any], bool]]


class ManifestError(ValueError):
    """Two areas hand over the same name (or an area is named twice): refused when the site is built."""


def _merge(areas: Iterable[Area], what: str, items: Callable[[Area], Iterable[tuple[str, Any]]]) -> Mapping:
    merged: dict[str, Any] = {}
    owner: dict[str, str] = {}
    for area in areas:
        for name, value in items(area):
            if name in merged:
                raise ManifestError(f"{what} {name!r} is handed over by both {owner[name]!r} and {area.name!r}")
            merged[name], owner[name] = value, area.name
    return MappingProxyType(merged)


def _all(areas: Iterable[Area], pick: Callable[[Area], Iterable]) -> tuple:
    return tuple(item for area in areas for item in pick(area))


def _named_by_hand(route: BaseRoute) -> bool:
    """A route given a name (`url_path_for` finds it by that name), not one named after its function."""
    name = getattr(route, "name", None)
    endpoint = getattr(route, "endpoint", None)
    return bool(name) and (endpoint is None or name != getattr(endpoint, "__name__", None))


def _api_routes_of(area: Area) -> list[BaseRoute]:
    return [op.route() for op in area.api.API] if area.api is not None else []


def build_site(areas: Iterable[Area]) -> Site:
    areas = tuple(areas)
    _merge(areas, "area", lambda a: [(a.name, a)])
    operations = _all(areas, lambda a: a.api.API if a.api is not None else ())
    _merge(areas, "API operation", lambda a: [(f"{op.method} {op.path}", op) for op in (a.api.API if a.api else ())])
    # the API first (nothing else is under /api/, and its last route answers any other /api/ address)
    all_routes = (*api_routes(operations), *_all(areas, lambda a: a.routes))
    _merge(areas, "route name", lambda a: [(r.name, r) for r in (*a.routes, *_api_routes_of(a)) if _named_by_hand(r)])
    map_layers = _merge(areas, "map layer", lambda a: [(layer.name, layer) for layer in a.map_layers])
    _merge(areas, "dynamic layer prefix", lambda a: [(d.prefix, d) for d in a.dynamic_layers])
    return Site(
        areas=areas,
        routes=all_routes,
        api=tuple(a.api for a in areas if a.api is not None),
        operations=operations,
        review_kinds=_merge(areas, "review kind", lambda a: a.review_kinds.items()),
        photo_owners=_merge(areas, "photo owner", lambda a: a.photo_owners.items()),
        map_layers=map_layers,
        layers=tuple(sorted(map_layers.values(), key=lambda layer: (layer.order, layer.name))),
        dynamic_layers=_all(areas, lambda a: a.dynamic_layers),
        jobs=_merge(areas, "job", lambda a: [(job.name, job) for job in a.jobs]),
        demo=tuple(a.demo for a in areas if a.demo is not None),
        after_apply=_all(areas, lambda a: a.after_apply),
        after_round=_all(areas, lambda a: a.after_round),
        on_store=_all(areas, lambda a: a.on_store),
        media_restorers=_all(areas, lambda a: a.media_restorers),
        offered=_merge(areas, "offered page", lambda a: a.offered.items()),
    )


AREAS: tuple[Area, ...] = (
    # a neighbour's requests first: /mirror/v1/... before a neighbour's read-only pages under /mirror/{origin}/
    Area("mirror_protocol", routes=(*serve.ROUTES, *media_serve.ROUTES, *box_exchange.ROUTES)),
    Area("api", api=v1),  # the API's own document (/api/v1/openapi.json); each area's API comes with it
    Area("front", routes=routes.FRONT),
    Area("ops", routes=tuple(ops_pages.ROUTES)),  # what a load balancer and the monitoring ask (docs/monitoring.md)
    # the fediverse's read side (docs/federation.md): /.well-known/webfinger, /nodeinfo, our actors, and the objects
    # at the pages' own addresses, before the diaries, notices and alerts pages (it answers only ActivityPub there)
    Area("fediverse", routes=fediverse_routes.ROUTES),
    Area("accounts", routes=routes.ACCOUNTS),
    # Download my data: the page, the API and the job preparing archives (docs/privacy.md)
    Area("my_data", routes=tuple(my_data_pages.ROUTES), api=my_data_api, jobs=(data_export.JOB,)),
    # delete my account: the page, DELETE /api/v1/me, and the job that carries deletions out (docs/privacy.md)
    Area("leaving", routes=leaving_pages.ROUTES, api=leaving_api, jobs=(leaving.JOB,)),
    Area("mail", jobs=(mail.JOB,)),  # the outbox: invitations, password resets, notes to moderators and residents
    Area("retention", jobs=(retention.JOB,)),  # keeping less: what is no longer needed goes (docs/privacy.md)
    Area("diaries", routes=routes.DIARIES, api=diaries_api, map_layers=(map_layers.DIARIES,),
         review_kinds={"diary": review.DIARY, "comment": review.COMMENT}),
    Area("people", routes=routes.PEOPLE, api=people_api),
    # notices for the town, districts or around a point; the job tells residents of those near their home
    Area("notices", routes=routes.NOTICES, api=notices_api, review_kinds={"notice": review.NOTICE},
         jobs=(notice_telling.JOB,), demo=notices_demo),
    Area("administration", routes=routes.ADMINISTRATION),
    Area("moderation", routes=routes.MODERATION),
    Area("feeds", routes=routes.FEEDS),
    Area("photos", routes=routes.PHOTOS),
    # live first: /events answers EventSource before the events page, /alerts/banner before /alerts/{id}
    Area("live", routes=tuple(live_pages.ROUTES)),
    Area("notifications", routes=tuple(notifications_pages.ROUTES)),
    Area("communities", routes=tuple(communities_pages.ROUTES), api=communities_api, demo=communities_demo,
         review_kinds={"community": communities.REVIEWABLE, "topic": topics.REVIEWABLE, "reply": replies.REVIEWABLE},
         photo_owners={"topic": topics.photo_visible, "reply": replies.photo_visible}),
    Area("events", routes=tuple(events_pages.ROUTES), api=events_api, demo=events_demo,
         review_kinds={"event": events.REVIEWABLE}, photo_owners={"event": events.photo_visible},
         map_layers=(map_layers.EVENTS,)),
    Area("messages", routes=tuple(messages_pages.ROUTES), api=messages_api, demo=messages_demo,
         review_kinds={"message": mailbox.REVIEWABLE}),
    # the staff dashboard before the departments: /city/dashboard is not the inquiry /city/{id}
    Area("dashboard", routes=tuple(dashboard_pages.ROUTES), jobs=(weekly_activity.JOB,),
         offered={"dashboard": can_view_dashboard}),
    # appointments at the city's counters (before departments: /city/counters before /city/{id})
    Area("appointments", routes=(*counter_admin.ROUTES, *counter_staff.ROUTES, *counter_pages.ROUTES,
                                 *appointment_pages.ROUTES), api=appointments_api, jobs=(appointment_mail.JOB,),
         demo=appointments_demo, offered={"manage_counters": can_manage_counters, "counter_staff": is_counter_staff}),
    Area("departments", routes=(*city_staff.ROUTES, *departments_pages.ROUTES, *city_admin.ROUTES),
         api=departments_api, demo=departments_demo,
         review_kinds={"inquiry_entry": inquiries.REVIEWABLE}, photo_owners={"inquiry": inquiries.photo_visible}),
    # My requests: every inquiry, street report and appointment of mine, with the answer times (docs/my_city.md)
    Area("my_requests", routes=(*my_requests_pages.ROUTES, *city_log.ROUTES), api=my_requests_api),
    # mail to the city becomes an inquiry: the IMAP job (the SMTP server is the lifespan's, sns/intake_smtp.py) and
    # the administrators' log (docs/mail_intake.md)
    Area("mail_intake", routes=mail_intake_pages.ROUTES, jobs=(mail_intake_imap.JOB,),
         offered={"mail_intake": can_manage_mail_intake}),
    # street reports over Open311 GeoReport v2 (/open311/v2/...) and the partners' keys (docs/open311.md)
    Area("open311", routes=(*open311_protocol.ROUTES, *partner_admin.ROUTES),
         offered={"open311_partners": can_manage_partner_keys}),
    Area("albums", routes=tuple(albums_pages.ROUTES), api=albums_api, demo=albums_demo,
         review_kinds={"album": albums.REVIEWABLE}, photo_owners={"album": albums.photo_visible}),
    Area("search", routes=tuple(search_pages.ROUTES), api=search_api),
    Area("maps", routes=tuple(maps_pages.ROUTES), api=maps_api, dynamic_layers=(map_areas.LAYERS,)),
    Area("reports", routes=tuple(reports_pages.ROUTES), api=reports_api, demo=reports_demo,
         review_kinds={"street_report": reports.REVIEWABLE}, photo_owners={"report": reports.photo_visible},
         map_layers=(report_lists.LAYER,)),
    Area("shelters", routes=tuple(shelters_pages.ROUTES), api=shelters_api, demo=shelters_demo,
         map_layers=(shelters.LAYER,), offered={"shelter_status": can_set_shelter_status}),
    # alert_feeds before alerts: /api/v1/alerts/{id}.cap is matched before /api/v1/alerts/{id}
    Area("alert_feeds", routes=tuple(alert_feeds_pages.ROUTES), api=alert_feeds_api),
    Area("alerts", routes=tuple(alerts_pages.ROUTES), api=alerts_api, demo=alerts_demo, map_layers=(alerts.LAYER,),
         offered={"post_alert": can_post_alert}),
    Area("alert_notices", routes=tuple(alert_notices_pages.ROUTES), jobs=(alert_sending.JOB, telling.JOB)),
    # reminders I ask for (my documents' expiry, my district's garbage days) and the city's garbage calendar;
    # the job tells them through the queue of the job "telling" (docs/my_city.md)
    Area("reminders", routes=(*reminders_pages.ROUTES, *garbage_pages.ROUTES), jobs=(reminder_job.JOB,),
         demo=reminders_demo),
    Area("cap_sources", routes=tuple(cap_sources_pages.ROUTES), jobs=(cap_poll.JOB,),
         offered={"alert_sources": can_read_alert_sources}),
    # the city on the fediverse: our inboxes (signed posts from other servers), the job delivering what our actors
    # publish, the administrators' page (docs/federation.md, "Following and delivery")
    Area("fediverse_inbox", routes=(*fediverse_inbox.ROUTES, *fediverse_admin.ROUTES), jobs=(fediverse_delivery.JOB,),
         offered={"fediverse": can_manage_fediverse}),
    Area("disaster", routes=tuple(disaster_pages.ROUTES), api=disaster_api, demo=disaster_demo,
         review_kinds={"disaster_post": disaster_board.REVIEWABLE},
         photo_owners={"disaster": disaster_board.photo_visible},
         offered={"switch_disaster": can_switch_disaster, "disaster_staff": is_disaster_staff}),
    # mirroring: the pull job and what follows it (a neighbour's alerts in our feeds, its photo files, what
    # its staff posted for us while we were down), the photos noted as batches are stored, `sns restore`'s
    # photo files
    Area("mirror", routes=tuple(mirror_admin_pages.ROUTES), jobs=(pull.JOB,), offered={"mirror_peers": can_read_peers},
         after_apply=(mirrored_alerts.copy_alerts,), after_round=(media_fetch.after_round, adopt.after_round),
         on_store=(media_store.note_entries,), media_restorers=(restore.restore_photos,)),
    Area("standby", routes=tuple(standby_pages.ROUTES), offered={"standby_codes": can_manage_standby_codes}),
    Area("acting", routes=tuple(acting_pages.ROUTES)),  # the fallen city's staff acting for it, before its pages
    Area("mirror_pages", routes=tuple(mirror_pages.ROUTES)),  # a neighbour's pages, read-only
    Area("static", routes=routes.STATIC),
)


def site() -> Site:
    """The site as this manifest builds it (each call builds a new one: the app keeps its own)."""
    return build_site(AREAS)
