"""A neighbouring town for the mirror page tests: real records written through the services of a second
site ("bville.example"), taken from its journal as they reach a neighbour, and put into a replica.

`write_bville(tmp)` runs the second site (its lifespan entered and left), writes what a small town has,
and returns its journal entries in two batches (the second one holds the cancellation of its fire
alert). `install(settings, batches...)` makes Bville our peer and stores the entries in its replica, as
`sns.mirror.pull` does. Entries are the journal's own payloads, private ones included: the replica
then holds what the travel rules would never send, so the page tests show that the mirror's own scopes
keep it out of sight whatever the replica holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from fixtures import make_site
from sns.models import JournalEntry, Peer, ReportCategory, Shelter
from sns.models.base import utcnow
from sns.services.base import save_new, transaction

ORIGIN = "bville.example"
NAME = "Bville"


@dataclass
class Bville:
    first: list[dict] = field(default_factory=list)
    second: list[dict] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)


async def _entries(after: int) -> list[dict]:
    rows = await JournalEntry.filter(origin=ORIGIN, seq__gt=after).order_by("seq")
    return [{"origin": r.origin, "seq": r.seq, "kind": r.kind, "record_id": r.record_id, "version": r.version,
             "payload": r.payload, "recorded_at": r.recorded_at.isoformat()} for r in rows]


async def write_bville(tmp: Path) -> Bville:
    from sns.services import alerts, communities, diaries, disaster, notices, replies, reports, topics

    town = Bville()
    async with make_site(tmp, origin=ORIGIN, public_url="http://bville.example",
                         posts_per_10min=1000) as site:
        mika = await site.user("mika", display_name="Mika Bville")
        fire = await site.user("chief", role="fire")
        clerk = await site.user("clerk", role="staff")
        ctx = await site.ctx_for(mika)
        town.ids["public"] = (await diaries.write_diary(ctx, title="River walk in Bville",
                                                        body="The **river** is calm.", visibility="public")).id
        town.ids["members"] = (await diaries.write_diary(ctx, title="Members only musing",
                                                         body="For residents.", visibility="members")).id
        town.ids["friends"] = (await diaries.write_diary(ctx, title="Friends only secret",
                                                         body="Just friends.", visibility="friends")).id
        town.ids["comment"] = (await diaries.add_comment(ctx, town.ids["public"], "Lovely photo spot")).id
        town.ids["notice"] = (await notices.post_notice(await site.ctx_for(clerk), title="Water supply notice",
                                                        body="Water is *safe* to drink.")).id
        async with transaction() as tx:
            shelter = await save_new(Shelter(name="Bville North School", address="1 North Street", lat=33.1,
                                             lon=130.1, capacity=300, hazards=["flood"], status="open",
                                             origin=ORIGIN), tx)
            category = await save_new(ReportCategory(name="Potholes", name_ja="道路の穴", origin=ORIGIN), tx)
        town.ids["shelter"] = shelter.id
        town.ids["report"] = (await reports.write_report(ctx, category=category.id, title="Hole on Station Road",
                                                         body="Deep enough to trip on.", lat=33.15, lon=130.15,
                                                         place="Station Road")).id
        group = await communities.open_community(ctx, name="Bville gardeners", description="We grow things.")
        hidden = await communities.open_community(ctx, name="Bville inner circle", description="Residents.",
                                                  readable_by="members")
        town.ids["community"], town.ids["members_community"] = group.id, hidden.id
        topic = await topics.post_topic(ctx, group.id, title="Tomatoes this year", body="Plant them early.")
        town.ids["topic"] = topic.id
        town.ids["reply"] = (await replies.add_reply(ctx, topic.id, "Agreed, early is best")).id
        chief = await site.ctx_for(fire)
        alert = await alerts.post_alert(chief, kind="fire", title="Fire at Bville market", description="Smoke.",
                                        instruction="Keep away from the market.", lat=33.2, lon=130.2,
                                        radius_m=500)
        town.ids["alert"] = alert.id
        desk = await site.user("desk", role="disaster")
        await disaster.start_event(await site.ctx_for(desk), name="Bville flood drill", drill=True, kind="flood")
        town.first = await _entries(0)
        await alerts.change_status(chief, alert.id, "cancelled", "A false alarm.")
        town.second = await _entries(town.first[-1]["seq"])
    return town


async def install(settings, *batches: list[dict], synced_ago: timedelta = timedelta(seconds=2)) -> None:
    """Bville as our peer (last answered `synced_ago` ago), with `batches` stored in its replica and
    the after-apply hooks run, as a pull does."""
    from sns import areas
    from sns.journal import Entry
    from sns.mirror import pull, replicas

    site = areas.site()  # the hooks the app's pulls run

    now = utcnow()
    peer = await Peer.get_or_none(origin=ORIGIN)
    values = dict(url="http://bville.example", name=NAME, fingerprint="f" * 16, public_key="k" * 43,
                  last_ok_at=now - synced_ago, last_attempt_at=now, last_entry_at=now - synced_ago, failures=0)
    if peer is None:
        await Peer.create(origin=ORIGIN, **values)
    else:
        await Peer.filter(id=peer.id).update(**values)
    replica = await replicas.open_replica(settings, ORIGIN)
    for batch in batches:
        after = await replicas.cursor(replica, ORIGIN)
        fresh = [e for e in batch if e["seq"] > after]
        if fresh:
            entries = [Entry.from_wire(e, origin=ORIGIN) for e in fresh]
            await replicas.store_entries(replica, entries, expect_after=after, stream=ORIGIN, on_store=site.on_store)
            await pull.after_apply(settings, ORIGIN, entries, site.after_apply)
