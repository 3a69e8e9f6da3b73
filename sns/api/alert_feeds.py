"""Alerts as CAP 1.2 documents (see sns/api/v1.py: these paths are matched before the alerts' own)."""

from __future__ import annotations

from starlette.responses import Response

from sns.api.declare import Media, Operations
from sns.context import Ctx
from sns.errors import NotFound
from sns.i18n import N_
from sns.models.alerts import Alert, AlertUpdate
from sns.services.cap import CAP_MEDIA, alert_to_cap

API = Operations("alerts")


@API.get("/api/v1/alerts/{id}.cap", answer=Media(CAP_MEDIA), errors=(401, 404), name="api_alert_cap")
async def alert_cap(ctx: Ctx, id: str):
    """One alert as a CAP 1.2 document.

    The response is XML (application/cap+xml), not JSON: CAP 1.2 (urn:oasis:names:tc:emergency:cap:1.2),
    msgType Alert, Update after a status change or Cancel, status Exercise for a drill.
    """
    alert = await Alert.get_or_none(id=id, deleted_at=None)
    if alert is None:
        raise NotFound(N_("This does not exist or is not shared with you."))
    updates = await AlertUpdate.filter(alert_id=alert.id, deleted_at=None).order_by("created_at")
    return Response(alert_to_cap(alert, updates, ctx.settings), media_type=CAP_MEDIA,
                    headers={"Cache-Control": "public, max-age=30"})
