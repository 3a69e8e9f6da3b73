"""`sns mirror ...`: peering with neighbouring cities, their health, catching up now, the backup key."""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime

import click
from rich.console import Console
from rich.table import Table

from sns.cli_common import _init, _settings, console


def _run(click_ctx: click.Context, work):
    settings = _settings(click_ctx.find_root().obj["data"])

    async def run():
        from sns import db
        from sns.errors import ServiceError
        from sns.mirror import replicas

        await _init(settings)
        async with db.database(settings):
            try:
                return await work(settings)
            except ServiceError as exc:
                raise click.ClickException(exc.text()) from None
            finally:
                await replicas.close_all()

    return asyncio.run(run())


def _ctx(settings):
    from sns.context import Ctx, Limits

    return Ctx(settings, Limits.from_settings(settings))


@click.group()
def mirror() -> None:
    """Mirroring with neighbouring cities: peers, their health, catching up (docs/mirroring.md)."""


@mirror.command("fingerprint")
@click.pass_context
def mirror_fingerprint(click_ctx: click.Context) -> None:
    """Print this instance's origin, address and key fingerprint, to read to a neighbour's administrator."""
    settings = _settings(click_ctx.find_root().obj["data"])
    from sns.keys import ensure_keys, fingerprint

    ensure_keys(settings.keys_dir)
    click.echo(fingerprint(settings.keys_dir))
    console.print(f"origin {settings.origin}, address {settings.base_url}")


@mirror.command("add")
@click.argument("url")
@click.option("--fingerprint", required=True, help="The fingerprint the neighbour's administrator gave you.")
@click.option("--no-acting", is_flag=True, help="Do not let this neighbour post alerts and notices for us.")
@click.pass_context
def mirror_add(click_ctx: click.Context, url: str, fingerprint: str, no_acting: bool) -> None:
    """Add the neighbour at URL (it must add us too), once its key has the given fingerprint."""

    async def work(settings):
        from sns.mirror import peers

        return await peers.add_peer(_ctx(settings), url, fingerprint, acts_for_us=not no_acting, operator=True)

    peer = _run(click_ctx, work)
    console.print(f"[green]Peer added[/green]: {peer.origin} ({peer.name or peer.url}), {peer.fingerprint}")
    console.print("It is pulled from now on; it can pull from us once it has added us too.")


def _set_state(click_ctx: click.Context, origin: str, state: str, said: str) -> None:
    async def work(settings):
        from sns.mirror import peers

        return await peers.set_state(_ctx(settings), origin, state, operator=True)

    peer = _run(click_ctx, work)
    console.print(f"[green]{said}[/green]: {peer.origin}")


@mirror.command("pause")
@click.argument("origin")
@click.pass_context
def mirror_pause(click_ctx: click.Context, origin: str) -> None:
    """Stop pulling ORIGIN and refuse its pulls, until resumed."""
    _set_state(click_ctx, origin, "paused", "Paused")


@mirror.command("resume")
@click.argument("origin")
@click.pass_context
def mirror_resume(click_ctx: click.Context, origin: str) -> None:
    """Pull ORIGIN again and let it pull; it catches up from its cursor."""
    _set_state(click_ctx, origin, "active", "Resumed")


@mirror.command("remove")
@click.argument("origin")
@click.pass_context
def mirror_remove(click_ctx: click.Context, origin: str) -> None:
    """End peering with ORIGIN: it can pull nothing more. Its replica stays (see drop-replica)."""
    _set_state(click_ctx, origin, "removed", "Removed")


@mirror.command("drop-replica")
@click.argument("origin")
@click.pass_context
def mirror_drop_replica(click_ctx: click.Context, origin: str) -> None:
    """Delete the replica of a removed neighbour ORIGIN (its schema on PostgreSQL, its file on SQLite).
    Refused while ORIGIN is a peer that is not removed: the city may still need what it holds."""

    async def work(settings):
        from sns.mirror import replicas
        from sns.models import Peer

        peer = await Peer.get_or_none(origin=origin)
        if peer is not None and peer.state != "removed":
            raise click.ClickException(f"{origin} is still a peer ({peer.state}): `sns mirror remove` it first")
        if not await replicas.exists(settings, origin):
            raise click.ClickException(f"no replica of {origin} here")
        async with replicas.writer_lock(settings, origin) as mine:
            if not mine:
                raise click.ClickException(f"the replica of {origin} is being written right now: try again")
        await replicas.drop(settings, origin)

    _run(click_ctx, work)
    console.print(f"[green]Dropped[/green] the replica of {origin}")


def _age(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = max(0, int((now - moment).total_seconds()))
    return f"{seconds} s ago" if seconds < 120 else f"{seconds // 60} min ago"


@mirror.command("status")
@click.pass_context
def mirror_status(click_ctx: click.Context) -> None:
    """Each peer's cursor, lag and health, and the latest refusals."""

    async def work(settings):
        from sns.mirror import status

        return await status.peer_statuses(settings), await status.recent_problems(10)

    rows, problems = _run(click_ctx, work)
    if not rows:
        console.print("No peers yet (sns mirror add URL --fingerprint FP).")
    now = datetime.now().astimezone()
    table = Table("peer", "health", "cursor", "their head", "behind", "lag", "photos missing", "last success",
                  "last problem")
    colours = {"ok": "green", "behind": "yellow", "down": "red", "never": "yellow", "paused": "dim"}
    for s in rows:
        colour = colours.get(s.health, "white")
        table.add_row(f"{s.peer.origin}\n{s.peer.url}", f"[{colour}]{s.health}[/{colour}]", str(s.cursor),
                      str(s.peer.head_seq), str(s.behind), s.lag_text, str(s.media_missing),
                      _age(s.peer.last_ok_at, now),
                      s.peer.last_error)
    if rows:
        Console().print(table)
    if problems:  # shown with no peers too: a stranger trying to pull is worth knowing about
        log = Table("when", "peer", "", "what", "detail")
        for p in problems:
            log.add_row(p.at.isoformat(timespec="seconds"), p.peer, p.direction, p.what, p.detail)
        Console().print(log)


def sync_site():
    """The site `sns mirror sync` pulls with: built from the manifest like the server's, so each round runs
    the same hooks (a neighbour's alerts in our feeds, its photo files, what it holds for us)."""
    from sns import areas  # (here, not at the top: the other `sns mirror` commands start fast)

    return areas.site()


@mirror.command("sync")
@click.argument("origin", required=False)
@click.pass_context
def mirror_sync(click_ctx: click.Context, origin: str | None) -> None:
    """Catch up now with every active peer (or ORIGIN), with a progress bar."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    async def work(settings):
        from sns.mirror import box_exchange, pull, replicas
        from sns.models import Peer

        site = sync_site()
        query = Peer.filter(state="active")
        chosen = await (query.filter(origin=origin) if origin else query).order_by("added_at")
        if origin and not chosen:
            raise click.ClickException(f"{origin} is not an active peer")
        results = []
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=console) as bar:
            for peer in chosen:
                start = await replicas.cursor(await replicas.open_replica(settings, peer.origin), peer.origin)
                task = bar.add_task(peer.origin, total=max(peer.head_seq - start, 1))

                def tell(cursor: int, head: int, task=task, start=start) -> None:
                    bar.update(task, completed=cursor - start, total=max(head - start, 1))

                results.append(await pull.pull_peer(settings, peer, site, budget_seconds=float("inf"), progress=tell))
                if not results[-1].error:
                    await box_exchange.keep_fresh(settings, peer, force=True)
        return results

    results = _run(click_ctx, work)
    failed = False
    for r in results:
        if r.error:
            failed = True
            console.print(f"[red]{r.origin}[/red]: {r.error} (held up to entry {r.cursor})")
        else:
            console.print(f"[green]{r.origin}[/green]: {r.applied} entries applied, up to entry {r.cursor}")
    if failed:
        sys.exit(1)


@mirror.command("backup-key")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the private half here (default: print it). Keep it offline.")
@click.pass_context
def mirror_backup_key(click_ctx: click.Context, out: str | None) -> None:
    """Make the backup key private content is sealed to. Its private half is shown once: keep it offline,
    it is what `sns restore --from-peer` needs. An existing key is never replaced."""
    import os

    from sns.mirror import seal

    settings = _settings(click_ctx.find_root().obj["data"])
    try:
        private = seal.create_backup_key(settings.keys_dir)
    except FileExistsError:
        raise click.ClickException("this instance has a backup key already (keys/backup.pub)") from None
    if out:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(private + "\n")
        console.print(f"[green]Backup key made[/green]; its private half is in {out}: move it offline.")
    else:
        click.echo(private)
        console.print("[green]Backup key made[/green]. Keep the line above offline (paper, a USB stick in a safe).")


@mirror.command("standby-codes")
@click.argument("username")
@click.option("--count", default=10, show_default=True, help="How many one-time codes to make (at most 20).")
@click.option("--revoke", is_flag=True, help="Revoke USERNAME's unused codes instead of making new ones.")
@click.pass_context
def mirror_standby_codes(click_ctx: click.Context, username: str, count: int, revoke: bool) -> None:
    """Make (and print, once) one-time codes with which USERNAME (fire, disaster or admin) can act for this
    city on a neighbour's site while this one is down. A new set revokes USERNAME's earlier unused codes."""

    async def work(settings):
        from sns.services import standby_codes

        if revoke:
            return await standby_codes.revoke_codes(_ctx(settings), username, operator=True)
        return await standby_codes.make_codes(_ctx(settings), username, count, operator=True)

    done = _run(click_ctx, work)
    if revoke:
        console.print(f"[green]Revoked[/green] {done} unused standby codes of {username}.")
        return
    user, codes = done
    for code in codes:
        click.echo(code)
    console.print(f"[green]{len(codes)} standby codes for {user.username}[/green] ({user.role}). They are shown "
                  "only now: print them for the person to keep. Earlier unused codes no longer work.")
