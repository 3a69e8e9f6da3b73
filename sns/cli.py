"""The `sns` command: init, serve, jobs, demo, user create, token create, search reindex, alerts poll/sources, disaster start/end."""

from __future__ import annotations

import asyncio
import os
import re
import sys
import tomllib
from pathlib import Path

import click
from rich.console import Console

from sns import cli_backup, cli_mirror, cli_restore
from sns.cli_common import _init, _settings, console
from sns.settings import Settings

@click.group()
@click.option("--data", envvar="SNS_DATA", default=None, help="Data directory (default ./var).")
@click.pass_context
def main(click_ctx: click.Context, data: str | None) -> None:
    """A local social networking service for a municipality."""
    click_ctx.obj = {"data": data}


# A host name (dot-separated labels of letters, digits and inner hyphens), optionally with a port.
_HOST = re.compile(r"^(?=.{1,253}(:|$))[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*"
                   r"(?::[0-9]{1,5})?$")


def _checked_origin(origin: str) -> str:
    """Records carry their origin for ever and neighbours tell cities apart by it: a URL or a typo
    caught here is never written into one."""
    host = origin.strip().lower()
    if not _HOST.match(host):
        raise click.BadParameter(f"{origin!r} is not a host name: give the name alone, like sns.city.example "
                                 "(no http://, no path, no spaces).", param_hint="--origin")
    return host


def _saved_origin(toml_path: Path) -> str | None:
    if not toml_path.is_file():
        return None
    with toml_path.open("rb") as fh:
        return tomllib.load(fh).get("origin")


def _write_origin(toml_path: Path, origin: str) -> None:
    """Add `origin` at the top of sns.toml (made if missing), leaving every other line as the operator
    wrote it; at the top it can never fall into a [table]."""
    toml_path.parent.mkdir(parents=True, exist_ok=True)
    before = toml_path.read_text() if toml_path.is_file() else ""
    toml_path.write_text(f'origin = "{origin}"  # this city\'s canonical host name: never change it\n' + before)


def _name_the_instance(data: str | None, origin: str | None) -> None:
    """Make sure the instance has its own name before anything is made: two instances that both call
    themselves localhost cannot peer, and an origin cannot be changed once records carry it."""
    toml_path = _settings(data).data_dir / "sns.toml"
    saved, env = _saved_origin(toml_path), os.environ.get("SNS_ORIGIN") or None
    if origin is None:
        if saved is None and env is None:
            raise click.UsageError("Name this city first: sns init --origin HOST, its canonical host name (like "
                                   "sns.city.example), written into sns.toml and never changed later.")
        return
    origin = _checked_origin(origin)
    if saved is not None and saved != origin:
        raise click.ClickException(f"sns.toml already names this instance {saved}; an origin never changes "
                                   "(its records carry it).")
    if env is not None and env != origin:
        raise click.ClickException(f"SNS_ORIGIN says {env}, --origin says {origin}: the environment would win. "
                                   "Give the same name, or unset SNS_ORIGIN.")
    if saved is None:
        _write_origin(toml_path, origin)


@main.command()
@click.option("--origin", default=None, metavar="HOST",
              help="This city's canonical host name (like sns.city.example), written into sns.toml; "
                   "needed once, unless sns.toml or SNS_ORIGIN already has it. Never changed later.")
@click.pass_context
def init(click_ctx: click.Context, origin: str | None) -> None:
    """Create or upgrade the instance: database, migrations, keys. Safe to repeat."""
    _name_the_instance(click_ctx.obj["data"], origin)
    settings = _settings(click_ctx.obj["data"])
    asyncio.run(_init(settings))
    console.print(f"[green]Ready[/green]: {settings.origin}, data in {settings.data_dir.resolve()}")


def _serve(settings: Settings, host: str | None, port: int | None, workers: int | None) -> None:
    import uvicorn

    from sns import logs, metrics

    host, port = host or settings.host, port or settings.port
    os.environ["SNS_HOST"], os.environ["SNS_PORT"] = host, str(port)
    metrics.use_multiprocess_dir(settings.data_dir)  # before the workers start: /metrics sums them all
    uvicorn.run("sns.app:create_app", factory=True, host=host, port=port, workers=workers or settings.workers,
                proxy_headers=True, forwarded_allow_ips=settings.trusted_proxies,  # X-Forwarded-For only from these
                log_level="info", timeout_graceful_shutdown=5, log_config=logs.uvicorn_log_config(settings))


@main.command()
@click.option("--host", default=None)
@click.option("--port", type=int, default=None)
@click.option("--workers", type=int, default=None)
@click.pass_context
def serve(click_ctx: click.Context, host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the site (runs pending migrations first)."""
    settings = _settings(click_ctx.obj["data"])
    asyncio.run(_init(settings))
    _serve(settings, host, port, workers)


@main.command()
@click.pass_context
def jobs(click_ctx: click.Context) -> None:
    """Run the background jobs, and no web server, until SIGTERM (runs pending migrations first)."""
    from sns.jobs_process import run_jobs

    settings = _settings(click_ctx.obj["data"], background_tasks=True)  # what this process is for
    asyncio.run(_init(settings))
    asyncio.run(run_jobs(settings))


@main.command()
@click.option("--host", default=None)
@click.option("--port", type=int, default=None)
@click.option("--no-serve", is_flag=True, help="Only create the demo town.")
@click.pass_context
def demo(click_ctx: click.Context, host: str | None, port: int | None, no_serve: bool) -> None:
    """Create a demo town with residents, diaries, photos and notices, then serve it."""
    from sns import areas  # (inside the commands: `sns --help` and the light commands start fast)
    from sns.demo import DEMO_PASSWORD, seed_demo

    settings = _settings(click_ctx.obj["data"])
    asyncio.run(_init(settings))
    created = asyncio.run(seed_demo(settings, areas.site()))
    url = f"http://{host or settings.host}:{port or settings.port}/"
    console.print(("[green]Demo town created.[/green]" if created else "Demo town already there."))
    console.print(f"Open {url}")
    console.print("Sign in as admin, cityhall (staff), hanako, taro, yuki or ken", soft_wrap=True)
    console.print(f"Password for every demo account: {DEMO_PASSWORD}", soft_wrap=True)
    if settings.second_factor_role_set:
        console.print("Staff accounts (admin, cityhall) are asked to add a second factor (an authenticator app or "
                      "a passkey) when they first sign in; residents may add one under Settings, Security.",
                      soft_wrap=True)
    if not no_serve:
        _serve(settings, host, port, None)


@main.group()
def user() -> None:
    """Manage accounts."""


@user.command("create")
@click.argument("username")
@click.option("--role", default="resident", show_default=True)
@click.option("--email", default="")
@click.option("--display-name", default="")
@click.pass_context
def user_create(click_ctx: click.Context, username: str, role: str, email: str, display_name: str) -> None:
    """Create an account; the password is read from standard input."""
    settings = _settings(click_ctx.find_root().obj["data"])
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")

    async def run():
        from sns import db
        from sns.context import Ctx, Limits
        from sns.errors import ServiceError
        from sns.services.accounts import create_user

        await _init(settings)
        async with db.database(settings):
            try:
                created = await create_user(Ctx(settings, Limits.from_settings(settings)), username=username,
                                            password=password, role=role, email=email, display_name=display_name)
            except ServiceError as exc:
                raise click.ClickException(exc.text()) from None
            console.print(f"[green]Created[/green] {created.username} ({created.role})")

    asyncio.run(run())


@main.group()
def token() -> None:
    """Personal API tokens."""


@token.command("create")
@click.argument("username")
@click.option("--name", default="cli")
@click.pass_context
def token_create(click_ctx: click.Context, username: str, name: str) -> None:
    """Print a new API token for USERNAME (keep it secret)."""
    settings = _settings(click_ctx.find_root().obj["data"])

    async def run():
        from sns import db
        from sns.context import Ctx, Limits
        from sns.models import User
        from sns.policies import load_viewer
        from sns.services.tokens import create_token

        await _init(settings)
        async with db.database(settings):
            found = await User.get_or_none(username=username.lower(), deleted_at=None)
            if found is None:
                raise click.ClickException(f"no user {username}")
            ctx = Ctx(settings, Limits.from_settings(settings), await load_viewer(found))
            _, secret = await create_token(ctx, name)
            click.echo(secret)

    asyncio.run(run())


if __name__ == "__main__":
    main()


@main.group()
def search() -> None:
    """The full-text search index."""


@search.command("reindex")
@click.pass_context
def search_reindex(click_ctx: click.Context) -> None:
    """Rebuild the search index from the tables (after an upgrade or a restore). Safe to repeat."""
    settings = _settings(click_ctx.find_root().obj["data"])

    async def run():
        from rich.progress import Progress
        from tortoise.transactions import in_transaction

        from sns import db
        from sns.search.rebuild import rebuild

        await _init(settings)
        async with db.database(settings):
            with Progress(console=console) as progress:
                tasks: dict[str, int] = {}

                def tell(kind: str, done: int, total: int) -> None:
                    if kind not in tasks:
                        tasks[kind] = progress.add_task(kind, total=total)
                    progress.update(tasks[kind], completed=done, total=max(total, done))

                async with in_transaction() as tx:
                    counts = await rebuild(tx, tell)
        console.print("[green]Indexed[/green] " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))

    asyncio.run(run())


@main.group()
def alerts() -> None:
    """Official alerts: the external CAP 1.2 sources they are imported from."""


def _alerts_run(click_ctx: click.Context, work):
    settings = _settings(click_ctx.find_root().obj["data"])

    async def run():
        from sns import db

        await _init(settings)
        async with db.database(settings):
            return await work(settings)

    return asyncio.run(run())


@alerts.command("poll")
@click.pass_context
def alerts_poll(click_ctx: click.Context) -> None:
    """Poll every enabled CAP source once now (due or not) and show what each gave. Safe to repeat."""
    from rich.table import Table

    async def work(settings):
        from sns.models.cap_sources import CapSource
        from sns.services.cap_poll import poll_sources

        ids = await CapSource.filter(enabled=True).values_list("id", flat=True)
        return await poll_sources(settings, source_ids=list(ids), force=True) if ids else []

    outcomes = _alerts_run(click_ctx, work)
    if not outcomes:
        console.print("No enabled alert sources (add them at /admin/alert-sources).")
        return
    table = Table("source", "result", "new", "changed", "seen", "refused", "reason", show_lines=False)
    for o in outcomes:
        reason = o.error[1] if o.error else (o.refused[0][2] if o.refused else "")
        colour = {"ok": "green", "not_modified": "green", "failed": "red"}.get(o.result, "yellow")
        result = f"[{colour}]{o.result}[/{colour}]" if not (o.result == "ok" and o.refused) else "[yellow]partly[/yellow]"
        table.add_row(f"{o.label}\n{o.url}", result, str(o.new), str(o.changed), str(o.same),
                      str(len(o.refused) + (1 if o.error else 0)), reason)
    Console().print(table)
    if any(o.result == "failed" for o in outcomes):
        sys.exit(1)


@alerts.command("sources")
@click.pass_context
def alerts_sources(click_ctx: click.Context) -> None:
    """List the configured CAP sources with their health."""
    from rich.table import Table

    async def work(settings):
        from sns.models.cap_sources import CapSource
        from sns.services.cap_sources import health

        return [(s, health(s)) for s in await CapSource.all().order_by("created_at", "id")]

    rows = _alerts_run(click_ctx, work)
    table = Table("source", "health", "last success", "imported", "last problem")
    for s, state in rows:
        table.add_row(f"{s.label}\n{s.url}", state, s.last_success_at.isoformat(timespec="seconds")
                      if s.last_success_at else "never", str(s.imported), s.last_error)
    Console().print(table)


@main.group()
def disaster() -> None:
    """Disaster mode: switch the site into it for a named event (or a drill), and end it."""


def _switch(click_ctx: click.Context, start: bool, name: str = "", drill: bool = False, kind: str = "other") -> None:
    settings = _settings(click_ctx.find_root().obj["data"])

    async def run():
        from sns import db
        from sns.context import Ctx, Limits
        from sns.errors import ServiceError
        from sns.services import disaster as service

        await _init(settings)
        async with db.database(settings):
            ctx = Ctx(settings, Limits.from_settings(settings))
            try:
                if start:
                    event = await service.start_event(ctx, name=name, drill=drill, kind=kind,
                                                      operator=service.Operator())
                else:
                    event = await service.end_event(ctx, operator=service.Operator())
            except ServiceError as exc:
                raise click.ClickException(exc.text()) from None
        what = "drill" if event.drill else "disaster mode"
        console.print(f"[green]{'Started' if start else 'Ended'}[/green] {what}: {event.name} ({event.id})")
        if start:
            console.print(f"Running servers show it within {settings.shared_cache_seconds} s.")

    asyncio.run(run())


@disaster.command("start")
@click.argument("name")
@click.option("--drill", is_flag=True, help="An exercise: marked as one everywhere.")
@click.option("--kind", default="other", show_default=True,
              help="fire, flood, landslide, earthquake, tsunami, storm or other.")
@click.pass_context
def disaster_start(click_ctx: click.Context, name: str, drill: bool, kind: str) -> None:
    """Switch the site into disaster mode for the event NAME (logged as done from the command line)."""
    _switch(click_ctx, True, name, drill, kind)


@disaster.command("end")
@click.pass_context
def disaster_end(click_ctx: click.Context) -> None:
    """End disaster mode: the site is back to normal and the event goes to the archive."""
    _switch(click_ctx, False)


main.add_command(cli_mirror.mirror)  # `sns mirror ...` (sns/cli_mirror.py)
main.add_command(cli_restore.restore_command)  # `sns restore` (sns/cli_restore.py)
main.add_command(cli_backup.backup_command)  # `sns backup` (sns/cli_backup.py)
