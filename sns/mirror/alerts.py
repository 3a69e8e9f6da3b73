"""A mirrored city's alerts in our own alert feeds (docs/mirroring.md, "Serving a mirror").

After a batch of a neighbour's journal was applied to its replica (an `after_apply` hook, handed over by the
mirror area in sns/areas.py), the neighbour's alerts and the steps of their history that arrived since the
last round are copied into our own database, so that they appear in /alerts, the banner, the map, the Atom
feed and the CAP documents of this instance, and our residents who asked to be told of alerts near them are
told (sns/services/alert_notices.py reads every AlertUpdate, whatever its source).

A copy is marked the way an imported CAP alert is: `source` is "mirror:<origin>" (so nobody here can
change it: `policies.can_change_alert`), `sender` and `identifier` stay the origin's (its CAP identity),
and `source_name` is the city's name, which pages and feeds show after "From". The origin's users are not
ours, so `author_id` is left empty; its districts are not ours, so `districts` too. Versions decide as
everywhere (an update or a cancellation at the origin is a newer version of the same rows), and an alert
the origin withdrew (deleted) is tombstoned here. Copies are never journaled: they stay the origin's.

The hook reads the replica's own journal from where it last stopped (kept in the replica's meta table),
not only the batch it is handed, so a failed round, or a neighbour mirrored since before this existed,
is caught up at the next batch. Repeating a round changes nothing.
"""

from __future__ import annotations

from typing import Any

from sns import events, journal
from sns.journal import WITHDRAWN, Entry  # WITHDRAWN: the kind a replica gives an entry without its record
from sns.mirror import replicas, sql
from sns.models import Alert, AlertUpdate, Peer
from sns.models.base import utcnow
from sns.services import alert_notices
from sns.services.base import transaction
from sns.services.shared import public_changed
from sns.settings import Settings

KEY = "alerts_copied"  # replica_meta: the highest entry of the origin's journal this hook has read
CHUNK = 500


def marker(origin: str) -> str:
    return f"mirror:{origin}"


async def _copy_alert(payload: dict[str, Any], origin: str, name: str, tx) -> str | None:
    """Copy one alert; its id when something changed."""
    current = await Alert.filter(id=payload["id"]).using_db(tx).first()
    if current is not None and current.source != marker(origin) and current.origin != origin:
        return None  # never over one of our own
    if current is None and await Alert.filter(sender=payload.get("sender"), identifier=payload.get("identifier")) \
            .using_db(tx).exists():
        return None  # both cities import the same CAP source: ours already shows it
    values = dict(payload, author_id=None, districts=None, client_token=None, source=marker(origin),
                  source_name=name[:200])
    return payload["id"] if await journal.apply("alert", values, tx, index=False) else None


async def _copy_step(payload: dict[str, Any], origin: str, tx) -> str | None:
    if not await Alert.filter(id=payload.get("alert_id"), source=marker(origin)).using_db(tx).exists():
        return None  # a step of an alert we did not copy
    return payload["alert_id"] if await journal.apply("alert_update", dict(payload, author_id=None), tx,
                                                      index=False) else None


async def _withdraw(record_ids: list[str], origin: str, tx) -> set[str]:
    """Tombstone the copies of what the origin withdrew: alerts, and steps of their history."""
    if not record_ids:
        return set()
    now = utcnow()
    gone = set(await Alert.filter(id__in=record_ids, source=marker(origin), deleted_at=None).using_db(tx)
               .values_list("id", flat=True))
    if gone:
        await Alert.filter(id__in=list(gone)).using_db(tx).update(deleted_at=now, updated_at=now)
    steps = await AlertUpdate.filter(id__in=record_ids, deleted_at=None).using_db(tx).values_list("id", "alert_id")
    ours = set(await Alert.filter(id__in=list({a for _, a in steps}), source=marker(origin)).using_db(tx)
               .values_list("id", flat=True)) if steps else set()
    mine = [step for step, alert in steps if alert in ours]
    if mine:
        await AlertUpdate.filter(id__in=mine).using_db(tx).update(deleted_at=now)
    return gone | {alert for step, alert in steps if alert in ours}


async def _round(entries: list[Entry], origin: str, name: str) -> set[str]:
    changed: set[str] = set()
    withdrawn = []
    async with transaction() as tx:
        for entry in entries:
            if entry.kind == WITHDRAWN or not entry.is_open:
                withdrawn.append(entry.record_id)
            elif entry.kind == "alert":
                changed.add(await _copy_alert(entry.payload, origin, name, tx))
            else:
                changed.add(await _copy_step(entry.payload, origin, tx))
        changed |= await _withdraw(withdrawn, origin, tx)
    changed.discard(None)
    return changed


async def copy_alerts(settings: Settings, origin: str, entries: list[dict[str, Any]] | None = None) -> int:
    """Copy what arrived of `origin`'s alerts since the last round (read from its replica: `entries`, the batch
    the pull hands over, is not needed); returns how many alerts changed."""
    replica = await replicas.open_replica(settings, origin)
    done = int(await replicas.meta(replica, KEY) or 0)
    peer = await Peer.get_or_none(origin=origin)
    name = (peer.name if peer is not None else "") or origin
    top = await replicas.cursor(replica, origin)  # stable: hooks run under the replica's writer lock
    changed: set[str] = set()
    while done < top:
        rows = await sql.query(
            replica, "SELECT seq, kind, record_id, payload FROM journal WHERE origin = ? AND seq > ? AND seq <= ? "
            "AND kind IN ('alert', 'alert_update', ?) ORDER BY seq LIMIT ?", [origin, done, top, WITHDRAWN, CHUNK])
        if rows:
            changed |= await _round([Entry.from_sql(r, origin) for r in rows], origin, name)
        # read up to `top` when the chunk was not full: the next round starts after it, not at the last alert
        done = int(rows[-1]["seq"]) if len(rows) == CHUNK else top
        await replicas.set_meta(replica, KEY, str(done))
    if changed:
        public_changed()  # the banner, /alerts and the feeds of this worker are fresh at once
        newest = await AlertUpdate.filter(alert_id__in=list(changed)).order_by("-id").first()
        await events.publish("alert", {"id": newest.alert_id if newest else sorted(changed)[0],
                                       "status": "", "update": newest.id if newest else ""})
        alert_notices.notify_soon()
    return len(changed)

