"""Alerts as CAP 1.2 documents (the manifest puts these paths before the alerts' own: sns/areas.py)."""

from __future__ import annotations

from starlette.responses import Response

from sns.api.declare import Media, Operations
from sns.context import Ctx
from sns.services import alerts as alert_service
from sns.services.cap import CAP_MEDIA, alert_to_cap

API = Operations("alerts")


@API.get("/api/v1/alerts/{id}.cap", answer=Media(CAP_MEDIA), errors=(401, 404), name="api_alert_cap")
async def alert_cap(ctx: Ctx, id: str):
    """One alert as a CAP 1.2 document.

    The response is XML (application/cap+xml), not JSON: CAP 1.2 (urn:oasis:names:tc:emergency:cap:1.2),
    msgType Alert, Update after a status change or Cancel, status Exercise for a drill.
    """
    alert = await alert_service.get_alert(ctx, id)
    return Response(alert_to_cap(alert, await alert_service.history(alert), ctx.settings), media_type=CAP_MEDIA,
                    headers={"Cache-Control": "public, max-age=30"})
