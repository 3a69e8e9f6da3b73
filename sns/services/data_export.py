"""Download my data: a resident asks, the job "data_export" prepares one ZIP archive in the background, the
owner downloads it until `export_keep_days` have passed, then the job removes it (docs/privacy.md).

An export's life: waiting (asked) -> working (a round claimed it with one conditional UPDATE, so two machines
never prepare the same one; while working, `expires_at` is the end of that claim, and a claim older than
`CLAIM` is taken again, as when the machine died mid-way) -> ready (the file `<media_dir>/exports/<random>.zip`,
its size, `expires_at` = when it is removed; its owner is mailed) or failed (the reason; asking again retries).
At most one export per person is waiting or working; at most `PER_DAY` are asked per day.
What goes into the archive is `sns/services/export_kinds.py`'s.
"""

from __future__ import annotations

import json
import logging
import os
import zipfile
from datetime import timedelta
from pathlib import Path

import anyio
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from sns import mail, media, tasks
from sns.context import Ctx
from sns.errors import Conflict, NotFound, TooMany
from sns.i18n import N_, current_locale, gettext, using_locale
from sns.models import DataExport, Photo, User
from sns.models.base import utcnow
from sns.policies import is_signed_in, load_viewer
from sns.policies.my_data import can_ask_export, can_download_export, can_see_export
from sns.security import new_token
from sns.services import account_log
from sns.services.base import require
from sns.services.export_kinds import READERS
from sns.settings import Settings

log = logging.getLogger(__name__)
JOB_NAME = "data_export"
PER_DAY = 3  # exports one person may ask for in 24 hours
CLAIM = timedelta(minutes=30)  # a "working" export untouched this long is taken again (its machine died)
IN_PROGRESS = ("waiting", "working")
README = {
    "profile.json": N_("Your account and profile: name, e-mail, language, district, who sees which field, "
                       "the names of your API tokens and second factors (never their secrets)."),
    "diaries.json": N_("Your diary entries with the comments your diary pages show you, and the comments you "
                       "wrote on other people's entries."),
    "topics.json": N_("Topics and replies you wrote in communities, the topics you follow and your "
                      "memberships."),
    "messages.json": N_("Your conversations: the messages you wrote and the messages you received."),
    "inquiries.json": N_("Your inquiries to the city's departments and their answers."),
    "reports.json": N_("Your street reports with their public history, and the reports you follow."),
    "events.json": N_("Events you organised and your answers to events."),
    "albums.json": N_("Your photo albums."),
    "checkins.json": N_("Your safety check-ins and your posts on disaster boards."),
    "friends.json": N_("Your friends, friend requests and the people you blocked."),
    "notification_settings.json": N_("How you asked to be told of alerts and of new mail, and your browsers' "
                                     "push subscriptions (without their keys)."),
    "notifications.json": N_("What the site told you (your notifications)."),
    "security_log.json": N_("Your account's security log: sign-ins and changes to your password, second "
                            "factors and tokens."),
    "photos.json": N_("Your photos; each file is in the folder photos/ under its id."),
    "reminders.json": N_("Your reminders: your documents' expiry dates and your district's garbage days, with "
                         "how you asked to be told."),
    "appointments.json": N_("Your appointments at the city's counters: when, where, your note, and whether "
                            "they were kept, moved or cancelled."),
}


def exports_dir(settings: Settings) -> Path:
    return Path(settings.media_dir) / "exports"


def archive_path(settings: Settings, export: DataExport) -> Path:
    return exports_dir(settings) / export.file_name


async def latest(user_id: str) -> DataExport | None:
    """The person's newest export (the one the page and the API speak of)."""
    return await DataExport.filter(user_id=user_id).order_by("-created_at", "-id").first()


async def ask(ctx: Ctx, *, reuse_ready: bool = False) -> tuple[DataExport, bool]:
    """Queue an export for the caller; (the export, whether it was queued now). One waiting or working
    export is returned as it is with `reuse_ready` (the API), refused otherwise (the page says so); a
    ready one is reused with `reuse_ready` too."""
    require(can_ask_export(ctx.viewer))
    user_id = ctx.user.id
    current = await latest(user_id)
    ready = current is not None and current.state == "ready" and current.expires_at is not None \
        and current.expires_at > utcnow()
    if current is not None and (current.state in IN_PROGRESS or (reuse_ready and ready)):
        if reuse_ready:
            return current, False
        raise Conflict(N_("Your data is already being prepared; this page shows when it is ready."))
    if await DataExport.filter(user_id=user_id, created_at__gt=utcnow() - timedelta(days=1)).count() >= PER_DAY:
        raise TooMany(N_("You asked for your data %(n)d times today; please try again tomorrow."), n=PER_DAY)
    async with in_transaction() as tx:
        export = await DataExport.create(user_id=user_id, using_db=tx)
        await account_log.record(user_id, "export_asked", ip=ctx.client_ip, conn=tx)
    # two asks at once: the older stays, the newer goes (at most one in progress per person)
    first = await DataExport.filter(user_id=user_id, state__in=IN_PROGRESS).order_by("created_at", "id").first()
    if first is not None and first.id != export.id:
        await DataExport.filter(id=export.id).delete()
        return first, False
    tasks.nudge(JOB_NAME)
    return export, True


async def owned(ctx: Ctx, export_id: str, *, ready: bool = False) -> DataExport:
    """The caller's own export (a ready one, for downloading); anyone else's is NotFound, never Forbidden."""
    export = await DataExport.get_or_none(id=export_id) if isinstance(export_id, str) and len(export_id) <= 36 \
        else None
    allowed = can_download_export if ready else can_see_export
    if export is None or not allowed(ctx.viewer, export, utcnow()):
        raise NotFound(N_("This download does not exist or has expired."))
    return export


async def archive_for_download(ctx: Ctx, export_id: str) -> tuple[Path, str]:
    """The owner's ready archive on disk and the file name to save it as; NotFound for anyone else's,
    an expired one, or one whose file is gone."""
    export = await owned(ctx, export_id, ready=True)
    path = archive_path(ctx.settings, export)
    if not await anyio.Path(path).is_file():
        raise NotFound(N_("This download does not exist or has expired."))
    day = export.finished_at.strftime("%Y%m%d") if export.finished_at else "data"
    return path, f"my-data-{ctx.user.username}-{day}.zip"


# --- the job ----------------------------------------------------------------------------------------------

async def _claim() -> DataExport | None:
    """Take the oldest waiting export (or a working one whose claim ran out) with a conditional UPDATE: when
    two machines race for one, only one UPDATE still matches."""
    now = utcnow()
    takeable = Q(state="waiting") | Q(state="working", expires_at__lt=now)
    for export_id in await DataExport.filter(takeable).order_by("created_at", "id").limit(5) \
            .values_list("id", flat=True):
        until = now + CLAIM
        if await DataExport.filter(takeable, id=export_id).update(state="working", expires_at=until):
            return await DataExport.get(id=export_id)
    return None


def _write_zip(path: Path, documents: dict[str, bytes], photo_files: list[tuple[str, Path]]) -> int:
    """The archive, written to a temporary name and renamed; photos are copied file by file (never held in
    memory as a whole) and stored as they are (JPEG does not compress further). Returns its size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in documents.items():
                archive.writestr(name, data)
            for name, source in photo_files:
                if source.is_file():
                    archive.write(source, name, compress_type=zipfile.ZIP_STORED)
        with open(tmp, "rb") as written:
            os.fsync(written.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path.stat().st_size


def readme(user: User, files: list[str]) -> str:
    with using_locale(user.locale or current_locale()):
        head = gettext("Your data from this site, as of %(when)s (UTC). Each .json file holds one kind of thing; "
                       "dates are ISO 8601 in UTC.", when=utcnow().strftime("%Y-%m-%d %H:%M"))
        return "\n\n".join([head, *(f"{name}\n  {gettext(README[name])}" for name in files)]) + "\n"


async def _prepare(settings: Settings, export: DataExport) -> None:
    user = await User.get(id=export.user_id)
    viewer = await load_viewer(user)
    if not is_signed_in(viewer):
        raise RuntimeError("the account is not active")
    documents = {"README.txt": readme(user, list(READERS)).encode()}
    for name, reader in READERS.items():
        documents[name] = json.dumps(await reader(viewer), ensure_ascii=False, indent=1).encode()
    photo_ids = await Photo.filter(owner_id=user.id, deleted_at=None).order_by("id").values_list("id", flat=True)
    photo_files = [(f"photos/{pid}.jpg", media.photo_path(Path(settings.media_dir), pid)) for pid in photo_ids]
    name = f"{new_token(24)}.zip"
    size = await anyio.to_thread.run_sync(_write_zip, exports_dir(settings) / name, documents, photo_files)
    keep = utcnow() + timedelta(days=settings.export_keep_days)
    async with in_transaction() as tx:
        done = await DataExport.filter(id=export.id, state="working", expires_at=export.expires_at).using_db(tx) \
            .update(state="ready", file_name=name, size=size, finished_at=utcnow(), expires_at=keep, error="")
        if done and user.email:
            link = settings.base_url + "/settings/data"
            with using_locale(user.locale or current_locale()):
                subject = gettext("Your data is ready to download")
                body = gettext("The archive of your data you asked for is ready. Download it, signed in, from\n"
                               "%(link)s\nuntil %(until)s (UTC); then it is removed.",
                               link=link, until=keep.strftime("%Y-%m-%d %H:%M"))
            await mail.queue(tx, settings, user.email, subject, body)
    if not done:  # another round took it over meanwhile: its archive is the one kept
        (exports_dir(settings) / name).unlink(missing_ok=True)


async def remove_expired(settings: Settings) -> int:
    """Remove the archives (and rows) whose time is over, and failed asks older than the keeping time."""
    now = utcnow()
    gone = await DataExport.filter(Q(state="ready", expires_at__lt=now)
                                   | Q(state="failed", created_at__lt=now - timedelta(days=settings.export_keep_days)))
    for export in gone:
        if export.file_name:
            await anyio.to_thread.run_sync(lambda p=archive_path(settings, export): p.unlink(missing_ok=True))
        await DataExport.filter(id=export.id, state=export.state).delete()
    return len(gone)


async def remove_all_of(settings: Settings, user_id: str) -> int:
    """Remove every export of one person, files and rows (for deleting an account: nothing of theirs stays in
    media_dir). An export being prepared right now loses its row, so the round that prepares it keeps no file."""
    exports = await DataExport.filter(user_id=user_id)
    for export in exports:
        if export.file_name:
            await anyio.to_thread.run_sync(lambda p=archive_path(settings, export): p.unlink(missing_ok=True))
    await DataExport.filter(id__in=[e.id for e in exports]).delete()
    return len(exports)


def _sweep_orphans(folder: Path, kept: set[str], older_than: float) -> int:
    """Files in the exports folder no row names (an account deleted meanwhile, a write cut short), once
    older than a claim: removed."""
    removed = 0
    for path in folder.glob("*") if folder.is_dir() else ():
        if path.name not in kept and path.is_file() and path.stat().st_mtime < older_than:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


async def run_round(settings: Settings, site=None) -> None:
    """One round of the job "data_export": prepare what waits, one by one, then remove what expired."""
    while (export := await _claim()) is not None:
        try:
            await _prepare(settings, export)
        except Exception as exc:
            log.exception("data export %s failed", export.id)
            await DataExport.filter(id=export.id, state="working").update(
                state="failed", error=f"{type(exc).__name__}"[:200], finished_at=utcnow(), expires_at=None)
    await remove_expired(settings)
    kept = set(await DataExport.exclude(file_name="").values_list("file_name", flat=True))
    older_than = (utcnow() - CLAIM).timestamp()
    await anyio.to_thread.run_sync(_sweep_orphans, exports_dir(settings), kept, older_than)


JOB = tasks.Job(JOB_NAME, run_round, lambda s: 600.0)  # nudged when asked; the pace only cleans up (sns/areas.py)
