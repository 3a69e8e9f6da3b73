"""Rebuilding a destroyed instance from a neighbour's copy (`sns restore --from-peer`; docs/mirroring.md,
"Backups and restore"; docs/operating.md, "When the server is destroyed").

1. `prepare` (writes nothing): the neighbour's hello (its fingerprint checked or confirmed), then the
   sealed instance box it kept for us, opened with the backup key and checked: it must be ours, and signed
   by the very key the neighbour's administrator confirmed for us. A wrong key stops here.
2. `restore`: the box's keys are put back (so we sign as ourselves again and the neighbour lets us pull
   our own journal from its replica); then our journal, in signed batches: each entry's complete payload
   (opened from its sealed box when it travelled sealed) is applied with `journal.apply_entry` (search
   index on), the same path as replaying a local entry, and the journal row itself is written with its original number, one transaction per batch, with
   the journal counter. Killed at any moment, a new run goes on after the highest number restored. Then
   the box's site settings, peers and CAP sources; then photos (the site's `media_restorers`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable

import httpx
from nacl.public import PrivateKey
from tortoise.transactions import in_transaction

from sns import journal
from sns.journal import Entry
from sns.errors import Invalid
from sns.keys import load_signing_key
from sns.mirror import instance_box, pull, seal, signing
from sns.mirror.peers import fetch_hello
from sns.models import JournalCounter, JournalEntry, Photo, User
from sns.settings import Settings
from sns.mirror.media_fetch import fetch_own_media

if TYPE_CHECKING:  # the manifest names this module's restorer, so it imports it
    from sns.areas import Site

LOST = "lost"  # the kind of a restored journal row whose content could not be had (see `_content`)
MARKER = "restore-in-progress.json"


class RestoreRefused(Exception):
    """Why restoring cannot go on, in words for the administrator."""


@dataclass
class Neighbour:
    url: str
    origin: str
    name: str
    public_key: str
    fingerprint: str


@dataclass
class Prepared:
    neighbour: Neighbour
    private: PrivateKey
    box: dict[str, Any]
    head: int  # the highest number of our journal the neighbour holds
    fingerprint: str  # our own key's, as in the box


@dataclass
class Summary:
    head: int = 0
    resumed_after: int = 0
    entries: int = 0  # journal entries restored by this run
    sealed_opened: int = 0
    lost: int = 0  # entries of our journal whose content nobody could give back (in the whole journal) ...
    superseded: int = 0  # ... of which earlier versions of records restored from a later entry (taken back
    # by their writer, e.g. a public diary made friends-only: the neighbour dropped the open old version)
    records: int = 0  # records of this origin now in the database
    photos: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)


# Photo files are not in the journal: each of the site's `media_restorers` (sns/areas.py) fetches them back
# from the neighbour (open ones as files, private ones as sealed blobs) and returns lines for the summary.
async def restore_photos(settings: Settings, neighbour: Neighbour, private: PrivateKey,
                         progress: Callable[[int, int], None] | None) -> list[str]:
    """Our photos' files, fetched back from the neighbour (sns/mirror/media_fetch.py)."""
    ids = list(await Photo.filter(origin=settings.origin, deleted_at=None).values_list("id", flat=True))
    if not ids:
        return []
    got = await fetch_own_media(settings, neighbour.url, neighbour.origin, neighbour.public_key, ids, private,
                                progress=progress)
    lines = [f"photo files restored: {got.restored}"]
    if got.missing:
        lines.append(f"photo files the neighbour does not hold: {got.missing}")
    lines += [f"photo file not restored: {why}" for why in got.failed[:20]]
    return lines



async def _box_answer(settings: Settings, url: str) -> dict[str, Any]:
    target = f"{url.rstrip('/')}/mirror/v1/restore/{settings.origin}/instance-box"
    try:
        async with httpx.AsyncClient(timeout=settings.mirror_timeout_seconds, follow_redirects=False) as client:
            answer = await client.get(target)
    except httpx.HTTPError:
        raise RestoreRefused(f"Could not reach {url}. Check the address, and that the neighbour is running.") from None
    if answer.status_code == 404:
        raise RestoreRefused(f"The neighbour at {url} holds no copy of {settings.origin} (or no instance box of it "
                             "yet). Is it the right neighbour, and is SNS_ORIGIN set to this city's old origin?")
    if answer.status_code == 429:
        raise RestoreRefused("The neighbour was asked too often; try again in an hour.")
    try:
        value = answer.json() if answer.status_code == 200 else None
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(isinstance(value.get(k), str) for k in ("body", "signature", "public_key")):
        raise RestoreRefused(f"The neighbour at {url} did not answer with an instance box (HTTP {answer.status_code}).")
    return value


def _open_box(settings: Settings, answer: dict[str, Any], private: PrivateKey) -> tuple[dict[str, Any], str]:
    try:
        body = json.loads(answer["body"])
        sealed = body["sealed"]
    except (ValueError, KeyError, TypeError):
        raise RestoreRefused("The neighbour's instance box is damaged.") from None
    if answer.get("backup_key") and answer["backup_key"] != seal.public_of(private):
        raise RestoreRefused(f"This backup key is not the one {settings.origin} used: the neighbour knows another "
                             "backup key for it. Nothing was written.")
    try:
        box = seal.open_sealed(private, sealed)
    except seal.BadBackupKey:
        raise RestoreRefused("This backup key does not open what the neighbour holds: it is not the backup key of "
                             f"{settings.origin}. Nothing was written.") from None
    key = instance_box.signing_key_of(box) if isinstance(box, dict) else None
    if key is None or box.get("origin") != settings.origin or body.get("from") != settings.origin:
        raise RestoreRefused(f"The instance box the neighbour holds is not {settings.origin}'s.")
    public = signing.public_raw(key)
    if not signing.verify(public, answer["signature"], answer["body"].encode()) \
            or signing.b64(public) != answer["public_key"]:
        raise RestoreRefused("The instance box was not signed by the key the neighbour confirmed for "
                             f"{settings.origin}. Do not use it; ask the neighbour's administrator.")
    return box, signing.fingerprint_of(public)


async def prepare(settings: Settings, url: str, backup_key: str, fingerprint: str | None,
                  confirm: Callable[[Neighbour], bool]) -> Prepared:
    """Everything checked before anything is written: the neighbour, its copy of us, the backup key."""
    if settings.origin in ("", "localhost"):
        raise RestoreRefused("Set this city's origin first (SNS_ORIGIN, or origin in sns.toml): the same host name "
                             "as before the server was destroyed.")
    try:
        private = seal.read_private(backup_key)
    except seal.BadBackupKey as exc:
        raise RestoreRefused(f"That file holds no backup key: {exc}.") from None
    try:
        hello = await fetch_hello(url, settings.mirror_timeout_seconds)
    except Invalid as exc:
        raise RestoreRefused(f"{url}: {exc.text()}") from None
    neighbour = Neighbour(url=url.rstrip("/"), origin=hello["origin"], name=str(hello.get("name") or ""),
                          public_key=hello["public_key"], fingerprint=hello["fingerprint"])
    if neighbour.origin == settings.origin:
        raise RestoreRefused("That address answers as this city itself; give a neighbour's address.")
    if fingerprint and not signing.same_fingerprint(fingerprint, neighbour.fingerprint):
        raise RestoreRefused(f"The instance at {url} has another fingerprint ({neighbour.fingerprint}). "
                             "Check it with the neighbour's administrator.")
    if not fingerprint and not confirm(neighbour):
        raise RestoreRefused("Not confirmed: nothing was written.")
    answer = await _box_answer(settings, neighbour.url)
    if answer.get("from") != neighbour.origin:
        raise RestoreRefused("The neighbour's answer names another instance.")
    if answer.get("peer_state") not in (None, "active"):
        todo = f"run `sns mirror resume {settings.origin}`" if answer["peer_state"] == "paused" else \
            "make it an active peer again"
        raise RestoreRefused(f"The neighbour's peering with {settings.origin} is {answer['peer_state']}, so it would "
                             f"not let us pull our journal: ask its administrator to {todo} (its copy is kept). "
                             "Nothing was written.")
    box, own_fingerprint = _open_box(settings, answer, private)
    return Prepared(neighbour, private, box, int(answer.get("head") or 0), own_fingerprint)


async def _restored_up_to(origin: str) -> int:
    return await journal.head(origin)


async def claim_data_dir(settings: Settings, neighbour: Neighbour) -> int:
    """Refuse a database that already holds content (unless an earlier restore of ours left it);
    returns the number restore goes on after."""
    marker = settings.data_dir / MARKER
    if marker.exists() and json.loads(marker.read_text()).get("origin") == settings.origin:
        return await _restored_up_to(settings.origin)
    entries, users = await JournalEntry.all().count(), await User.all().count()
    if entries or users:
        raise RestoreRefused(f"This data directory already holds content ({entries} journal entries, {users} "
                             "accounts). Restore into a new, empty data directory.")
    marker.write_text(json.dumps({"origin": settings.origin, "from": neighbour.url}) + "\n")
    return 0


def _content(entry: Entry, private: PrivateKey, origin: str) -> tuple[str, int, dict, bool] | None:
    """(kind, version, complete payload, whether it came from a sealed box) of an entry, or None when nobody
    can give it back: a private entry withdrawn before this instance had a backup key, or a box that does
    not open or fit."""
    if entry.sealed:
        try:
            complete = entry.unsealed(seal.open_sealed(private, entry.sealed))
        except seal.BadBackupKey:
            complete = None
        if complete is not None and complete.payload.get("origin") == origin:
            return complete.kind, complete.version, complete.payload, True
    if entry.is_open:  # checked by pull.fetch_batch: a record of ours, matching its header
        return entry.kind, entry.version, entry.payload, False
    return None


async def _apply_batch(origin: str, entries: list[Entry], private: PrivateKey, summary: Summary) -> None:
    """Each entry's complete record applied as a local one is replayed (`journal.apply_entry`), and the entry
    kept with its number (secrets left out, as `journal.record` keeps them); one transaction."""
    async with in_transaction() as tx:
        rows = []
        for e in entries:
            content = _content(e, private, origin)
            if content is None:
                rows.append(JournalEntry(**replace(e, kind=LOST, version=0, payload=None, sealed=None).row_values()))
                continue
            kind, version, payload, opened = content
            summary.sealed_opened += opened
            complete = Entry(origin=origin, seq=e.seq, record_id=e.record_id, kind=kind, version=version,
                             payload=payload, recorded_at=e.recorded_at)
            await journal.apply_entry(complete, tx, index=True)
            kept = replace(complete, payload=journal.without_secrets(journal.KINDS[kind], payload))
            rows.append(JournalEntry(**kept.row_values()))
        await JournalEntry.bulk_create(rows, using_db=tx)
        top = entries[-1].seq
        if await JournalCounter.filter(origin=origin).using_db(tx).exists():
            await JournalCounter.filter(origin=origin, value__lt=top).using_db(tx).update(value=top)
        else:
            await JournalCounter.create(origin=origin, value=top, using_db=tx)
    summary.entries += len(entries)


async def restore(settings: Settings, prepared: Prepared, after: int,
                  progress: Callable[[int, int], None] | None = None, *, site: Site) -> Summary:
    """Put the keys back, then the journal and its records from `after` on, then the local rows, then the
    files the site's `media_restorers` fetch back (`site`: the site's parts, sns/areas.py)."""
    origin, neighbour = settings.origin, prepared.neighbour
    summary = Summary(head=prepared.head, resumed_after=after)
    summary.keys = instance_box.install_keys(settings.keys_dir, prepared.box)
    seal.install_public(settings.keys_dir, seal.public_of(prepared.private))
    key = load_signing_key(settings.keys_dir)
    async with httpx.AsyncClient(timeout=settings.mirror_timeout_seconds, follow_redirects=False) as client:
        while True:
            try:
                batch = await pull.fetch_batch(settings, url=neighbour.url, peer_origin=neighbour.origin,
                                               public_key=neighbour.public_key, stream=origin, after=after,
                                               limit=settings.mirror_batch_entries, signer=key, client=client)
            except pull.Refused as exc:
                raise RestoreRefused(f"The neighbour refused our journal ({exc}). If it says paused_peer or "
                                     "unknown_peer, its administrator must resume or add us again.") from None
            except pull.Unreachable as exc:
                raise RestoreRefused(f"The neighbour stopped answering ({exc}); run the same command again to "
                                     "go on from where it stopped.") from None
            summary.head = batch.head
            if batch.entries:
                await _apply_batch(origin, batch.entries, prepared.private, summary)
                after = batch.entries[-1].seq
            if progress:
                progress(after, batch.head)
            if not batch.entries or after >= batch.head:
                break
    async with in_transaction() as tx:
        summary.rows = await instance_box.install_rows(prepared.box, tx)
    lost_ids = set(await JournalEntry.filter(origin=origin, kind=LOST).values_list("record_id", flat=True))
    summary.lost = await JournalEntry.filter(origin=origin, kind=LOST).count()
    restored = set(await JournalEntry.filter(origin=origin, record_id__in=lost_ids).exclude(kind=LOST)
                   .values_list("record_id", flat=True)) if lost_ids else set()
    summary.superseded = await JournalEntry.filter(origin=origin, kind=LOST, record_id__in=restored).count() \
        if restored else 0
    summary.records = sum([await model.filter(origin=origin).count() for model in journal.KINDS.values()])
    summary.photos = await Photo.filter(origin=origin).count()
    for fetch_back in site.media_restorers:
        summary.media += await fetch_back(settings, neighbour, prepared.private, progress)
    (settings.data_dir / MARKER).unlink(missing_ok=True)
    return summary
