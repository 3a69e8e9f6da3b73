"""A resident's choice to be told of alerts, and their browsers' Web Push subscriptions (issue 6).

Local, never mirrored or journaled: the home point is private and only its owner sees it. Checks:
a district needs the profile's district; "near home" needs a home point (sns/geo.py) and a distance in
kilometres; alerts need at least one channel. The same choice says whether to be told of notices near my
home (`notice_email`, `notice_push`; issue 19), which the home point and the profile's district decide;
saving it bumps the resident's own version number (`u:<id>`), as My page shows the notices near my home.
A push subscription is what the browser's PushManager gave: an https endpoint (http only to this machine, for tests), and its P-256 key and auth secret (RFC 8291).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from sns import view_versions
from sns.context import Ctx
from sns.errors import Invalid
from sns.geo import parse_location
from sns.i18n import N_
from sns.models.alert_notices import AlertSubscription, PushSubscription
from sns.models.base import utcnow
from sns.policies import can_choose_alert_notices
from sns.services.base import require, transaction

MAX_RADIUS_KM = 50
MAX_ENDPOINT = 1000
MAX_PUSH_PER_PERSON = 10  # browsers; the oldest goes when an eleventh subscribes
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


async def my_subscription(ctx: Ctx) -> AlertSubscription | None:
    require(can_choose_alert_notices(ctx.viewer))
    return await AlertSubscription.get_or_none(user_id=ctx.user.id)


async def my_push_count(ctx: Ctx) -> int:
    return await PushSubscription.filter(user_id=ctx.user.id).count()


def check_radius_km(value: Any) -> float:
    raw = unicodedata.normalize("NFKC", str(value or "")).strip()
    try:
        number = float(raw)
    except ValueError:
        number = -1.0
    if isinstance(value, bool) or len(raw) > 8 or not (0.1 <= number <= MAX_RADIUS_KM):
        raise Invalid(N_("Give the distance in kilometres, from 0.1 to %(max)d."), field="radius_km",
                      max=MAX_RADIUS_KM)
    return round(number, 2)


async def save_subscription(ctx: Ctx, *, by_district: bool, near_home: bool, lat: Any = None, lon: Any = None,
                            radius_km: Any = None, email: bool, push: bool, drills: bool, notice_email: bool = False,
                            notice_push: bool = False) -> AlertSubscription:
    """Alerts by district and/or near home, on the channels chosen; and notices near my home (for my district
    or around a point near my home point: sns/services/notice_reach.py) by e-mail and/or push. The home
    point is kept when typed (notices use it), and needed for alerts near home."""
    require(can_choose_alert_notices(ctx.viewer))
    home_lat, home_lon = parse_location(lat, lon)
    radius = None
    if near_home:
        if home_lat is None:
            raise Invalid(N_("Choose your home point on the map or type its latitude and longitude."),
                          field="location")
        radius = check_radius_km(radius_km)
    alerts, notices = bool(by_district or near_home), bool(notice_email or notice_push)
    if by_district and not ctx.user.district_id:
        raise Invalid(N_("Your profile names no district: choose yours in your profile first."),
                      field="by_district")
    if not alerts and not notices:
        raise Invalid(N_("Choose your district, a distance from home, or both."), field="by_district")
    if alerts and not email and not push:
        raise Invalid(N_("Choose e-mail, Web Push, or both."), field="channels")
    if alerts and email and not ctx.user.email:
        raise Invalid(N_("Your account has no e-mail address: choose Web Push."), field="channels")
    if notice_email and not ctx.user.email:
        raise Invalid(N_("Your account has no e-mail address: choose Web Push."), field="notice_channels")
    values = dict(by_district=bool(by_district), home_lat=home_lat, home_lon=home_lon, radius_km=radius,
                  email=bool(email), push=bool(push), drills=bool(drills), notice_email=bool(notice_email),
                  notice_push=bool(notice_push), updated_at=utcnow())
    async with transaction() as tx:
        subscription, _ = await AlertSubscription.update_or_create(user_id=ctx.user.id, defaults=values, using_db=tx)
        await view_versions.bump(tx, [f"u:{ctx.user.id}"])  # My page's "Near my home" follows the home point
    return subscription


async def stop_subscription(ctx: Ctx) -> None:
    """Be told of nothing: the choice and the home point are deleted (browsers' subscriptions too)."""
    require(can_choose_alert_notices(ctx.viewer))
    async with transaction() as tx:
        await AlertSubscription.filter(user_id=ctx.user.id).using_db(tx).delete()
        await view_versions.bump(tx, [f"u:{ctx.user.id}"])
    await PushSubscription.filter(user_id=ctx.user.id).delete()


def _key(value: Any, size: int, field: str) -> str:
    raw = value.strip() if isinstance(value, str) else ""
    try:
        decoded = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)) if 0 < len(raw) <= 200 else b""
    except (binascii.Error, ValueError):
        decoded = b""
    if len(decoded) != size or (size == 65 and decoded[0] != 4):
        raise Invalid(N_("This browser's push subscription is not valid."), field=field)
    return raw.rstrip("=")


def _public_host(host: str) -> bool:
    """A host name, or an IP address that is public (not this machine, not a private network)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host not in LOOPBACK_HOSTS and not host.endswith((".localhost", ".local", ".internal"))
    return address.is_global


def check_endpoint(value: Any, *, loopback: bool = False) -> str:
    """An https push service on a public host; with `loopback` (tests), http to this machine too."""
    endpoint = value.strip() if isinstance(value, str) else ""
    try:
        parts = urlsplit(endpoint) if 0 < len(endpoint) <= MAX_ENDPOINT else None
        host, _ = (parts.hostname, parts.port) if parts else (None, None)  # a port not a number raises
    except ValueError:
        parts = host = None
    ok = parts is not None and bool(host) and not parts.username and (
        (parts.scheme == "https" and _public_host(host)) or (loopback and host in LOOPBACK_HOSTS))
    if not ok:
        raise Invalid(N_("This browser's push subscription is not valid."), field="endpoint")
    return endpoint


async def add_push(ctx: Ctx, *, endpoint: Any, p256dh: Any, auth: Any) -> PushSubscription:
    """Keep this browser's subscription (again: the same endpoint is updated, not doubled)."""
    require(can_choose_alert_notices(ctx.viewer))
    endpoint = check_endpoint(endpoint, loopback=ctx.settings.web_push_loopback)
    p256dh, auth = _key(p256dh, 65, "p256dh"), _key(auth, 16, "auth")
    await PushSubscription.filter(endpoint=endpoint).delete()  # a browser passed on to another account
    row = await PushSubscription.create(user_id=ctx.user.id, endpoint=endpoint, p256dh=p256dh, auth=auth)
    mine = await PushSubscription.filter(user_id=ctx.user.id).order_by("-created_at", "-id").values_list("id",
                                                                                                    flat=True)
    if len(mine) > MAX_PUSH_PER_PERSON:
        await PushSubscription.filter(id__in=list(mine[MAX_PUSH_PER_PERSON:])).delete()
    return row


async def remove_push(ctx: Ctx, *, endpoint: Any) -> bool:
    require(can_choose_alert_notices(ctx.viewer))
    endpoint = endpoint.strip() if isinstance(endpoint, str) else ""
    return bool(await PushSubscription.filter(user_id=ctx.user.id, endpoint=endpoint[:MAX_ENDPOINT]).delete())
