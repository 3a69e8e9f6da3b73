"""Alerts as CAP 1.2 documents (see sns/api/v1.py: these paths are matched before the alerts' own)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sns.api.http import endpoint
from sns.api.openapi import op
from sns.context import Ctx
from sns.errors import NotFound
from sns.i18n import N_
from sns.models.alerts import Alert, AlertUpdate
from sns.services.cap import CAP_MEDIA, alert_to_cap


@endpoint
async def alert_cap(request: Request, ctx: Ctx):
    """One alert as a CAP 1.2 document.

    The response is XML (application/cap+xml), not JSON: CAP 1.2 (urn:oasis:names:tc:emergency:cap:1.2),
    msgType Alert, Update after a status change or Cancel, status Exercise for a drill.
    """
    alert = await Alert.get_or_none(id=request.path_params["id"], deleted_at=None)
    if alert is None:
        raise NotFound(N_("This does not exist or is not shared with you."))
    updates = await AlertUpdate.filter(alert_id=alert.id, deleted_at=None).order_by("created_at")
    return Response(alert_to_cap(alert, updates, ctx.settings), media_type=CAP_MEDIA,
                    headers={"Cache-Control": "public, max-age=30"})


ENDPOINTS: list[Route] = [
    Route("/api/v1/alerts/{id}.cap", alert_cap, methods=["GET"], name="api_alert_cap"),
]
# op() describes JSON answers only: the 200 here is application/cap+xml, said in the summary's description.
OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/api/v1/alerts/{id}.cap"): op("alerts", (200, None), errors=(401, 404)),
}
SCHEMAS: dict[str, Any] = {}
PATH_PARAMS: dict[str, Any] = {}
