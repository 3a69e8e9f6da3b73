"""Alerts in standard formats for pages and readers: the Atom feed (issue 6).

`/feeds/alerts.atom`: every alert still active and every alert changed in the last 30 days, one entry
each, updated at its newest change, with a link to its page and to its CAP 1.2 document. The feed is
the same for every reader of a language (kept in the shared cache like the other public feeds).
"""

from __future__ import annotations

from datetime import timedelta

from feedgen.feed import FeedGenerator
from lxml import etree
from starlette.requests import Request
from starlette.routing import Route

from sns import i18n
from sns.i18n import N_
from sns.models.alerts import ACTIVE_STATUSES, Alert, AlertUpdate
from sns.models.base import utcnow
from sns.services.cap import CAP_MEDIA
from sns.services.site import load_site
from sns.web.feeds import _shared_feed
from sns.web.http import load_ctx

RECENT_DAYS = 30
ATOM_NS = "{http://www.w3.org/2005/Atom}"
STATUS_LABELS = {"outbreak": N_("Outbreak"), "under_control": N_("Under control"),
                 "extinguished": N_("Extinguished"), "cancelled": N_("Cancelled")}


async def feed_alerts() -> list[tuple[Alert, object]]:
    """(alert, its newest change), newest change first: the active ones and those of the last 30 days."""
    since = utcnow() - timedelta(days=RECENT_DAYS)
    alerts = await Alert.filter(deleted_at=None).filter(status__in=ACTIVE_STATUSES).order_by("-updated_at").limit(200)
    recent = await Alert.filter(deleted_at=None, updated_at__gte=since).order_by("-updated_at").limit(200)
    rows = {a.id: a for a in [*alerts, *recent]}
    steps = await AlertUpdate.filter(alert_id__in=list(rows), deleted_at=None).values_list("alert_id", "created_at")
    latest = {aid: a.updated_at for aid, a in rows.items()}
    for aid, when in steps:
        if when > latest[aid]:
            latest[aid] = when
    return sorted(((a, latest[a.id]) for a in rows.values()), key=lambda pair: pair[1], reverse=True)


def entry_title(alert: Alert) -> str:
    title = f"{i18n.gettext(STATUS_LABELS.get(alert.status, alert.status))}: {alert.title}"
    if alert.exercise:
        title = f"[{i18n.gettext('Exercise')}] {title}"
    return title


def _typed_links(atom: bytes) -> bytes:
    """feedgen 1.0 drops an entry link's rel and type: put them back (the page, then the CAP document)."""
    root = etree.fromstring(atom, etree.XMLParser(resolve_entities=False, no_network=True))
    for entry in root.iter(f"{ATOM_NS}entry"):
        for link, kind in zip(entry.findall(f"{ATOM_NS}link"), ("text/html", CAP_MEDIA)):
            link.set("rel", "alternate")
            link.set("type", kind)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


async def alerts_feed(request: Request):
    ctx = await load_ctx(request)
    base = ctx.settings.base_url

    async def make() -> bytes:
        site = await load_site()
        fg = FeedGenerator()
        fg.id(f"{base}/feeds/alerts.atom")
        fg.title(i18n.gettext("%(town)s: alerts", town=site.name_for(i18n.current_locale())))
        fg.link(href=f"{base}/feeds/alerts.atom", rel="self")
        fg.link(href=f"{base}/alerts", rel="alternate")
        fg.language(i18n.current_locale())
        rows = await feed_alerts()
        for alert, changed in reversed(rows):
            fe = fg.add_entry()
            fe.id(f"{base}/alerts/{alert.id}")
            fe.title(entry_title(alert))
            fe.link(href=f"{base}/alerts/{alert.id}", rel="alternate", type="text/html")
            fe.link(href=f"{base}/api/v1/alerts/{alert.id}.cap", rel="alternate", type=CAP_MEDIA)
            fe.author(name=alert.source_name or alert.sender)
            fe.published(alert.sent_at)
            fe.updated(changed)
            fe.summary("\n\n".join(t for t in (alert.description, alert.instruction) if t) or alert.title)
        fg.updated(rows[0][1] if rows else utcnow())
        return _typed_links(fg.atom_str(pretty=False))

    return await _shared_feed(ctx, "alerts", make)


ROUTES: list[Route] = [Route("/feeds/alerts.atom", alerts_feed, methods=["GET"], name="alerts_feed")]
