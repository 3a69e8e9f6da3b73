"""Alerts made directly with the models, for the CAP tests (the alert service is another module's)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from lxml import etree

from sns.models.alerts import Alert, AlertUpdate
from sns.models.base import utcnow

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
XSD = Path(__file__).resolve().parents[2] / "shared/standards/cap-v1.2.xsd"


def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


async def make_alert(site, **fields) -> Alert:
    fields.setdefault("title", "Fire at the old rice warehouse")
    fields.setdefault("lat", 35.6581)
    fields.setdefault("lon", 139.7017)
    fields.setdefault("sender", f"fire@{site.settings.origin}")
    alert = Alert(origin=site.settings.origin, **fields)
    if not alert.identifier:
        alert.identifier = str(alert.id)
    await alert.save()
    await AlertUpdate(alert=alert, status=alert.status, origin=site.settings.origin,
                      created_at=alert.created_at).save()  # the posting step
    return alert


async def change_status(site, alert: Alert, status: str, note: str = "", minutes: int = 10) -> AlertUpdate:
    step = AlertUpdate(alert=alert, status=status, note=note, origin=site.settings.origin,
                       created_at=alert.created_at + timedelta(minutes=minutes))
    step.cap_identifier = f"{alert.identifier}.{step.id}"
    await step.save()
    alert.status = status
    alert.updated_at = utcnow()
    await alert.save()
    return step


async def updates_of(alert: Alert) -> list[AlertUpdate]:
    return await AlertUpdate.filter(alert_id=alert.id).order_by("created_at")


def text(root, path: str) -> str | None:
    el = root.find(path.replace("cap:", CAP))
    return None if el is None else el.text
