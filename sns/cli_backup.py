"""`sns backup --out DIR` and the `--from-backup DIR` half of `sns restore` (docs/operating.md, "Backups";
the work itself is sns/backup.py)."""

from __future__ import annotations

import asyncio
from contextlib import contextmanager
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from sns.cli_common import _init, _settings, console


@contextmanager
def progress_bar():
    """A bar per stage (database, media, keys...); yields the `tell(what, done, total)` sns.backup calls."""
    with Progress(TextColumn("{task.description:<9}"), BarColumn(), MofNCompleteColumn(), console=console) as bar:
        tasks: dict[str, int] = {}

        def tell(what: str, done: int, total: int) -> None:
            if what not in tasks:
                tasks[what] = bar.add_task(what, total=max(total, 1))
            bar.update(tasks[what], completed=done if total else 1, total=max(total, 1))

        yield tell


@click.command("backup")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="A new (or empty) directory for the backup.")
@click.pass_context
def backup_command(click_ctx: click.Context, out: Path) -> None:
    """Write a consistent backup of this instance while it runs: database, photos, keys, sns.toml and a
    manifest with the SHA-256 of every file. Keep it off this machine; the keys in it are secret."""
    from sns import backup

    settings = _settings(click_ctx.find_root().obj["data"])
    try:
        with progress_bar() as tell:
            manifest = backup.backup(settings, out, tell)
    except backup.BackupRefused as exc:
        raise click.ClickException(str(exc)) from None
    rows = sum(t["rows"] for t in manifest["tables"].values())
    console.print(f"[green]Backed up[/green] {manifest['origin']} into {out.resolve()}: {manifest['database']} "
                  f"database ({len(manifest['tables'])} tables, {rows} rows, migration {manifest['migration']}), "
                  f"{len(manifest['files'])} files", soft_wrap=True)


def restore_from_backup(click_ctx: click.Context, source: Path) -> None:
    """Bring a backup back into an empty data directory, then run the migrations it is behind on."""
    from sns import backup

    data = _settings(click_ctx.find_root().obj["data"]).data_dir
    try:
        with progress_bar() as tell:
            restored = backup.restore(data, source, tell)
    except backup.BackupRefused as exc:
        raise click.ClickException(str(exc)) from None
    settings, manifest = restored.settings, restored.manifest
    asyncio.run(_init(settings))  # pending migrations, when the backup came from an older version
    console.print(f"[green]Restored[/green] {manifest['origin']} from the backup of {manifest['created_at']} "
                  f"(version {manifest['version']}) into {settings.data_dir.resolve()}", soft_wrap=True)
    console.print(f"  database: {restored.tables} tables, {restored.rows} rows, each the same as when backed up")
    console.print(f"  files: {restored.files} (photos into {settings.media_dir}, keys, sns.toml), digests checked")
    latest = backup.latest_migration()
    if manifest["migration"] != latest:
        console.print(f"  migrations: the backup was at {manifest['migration']}; brought up to {latest}")
    console.print("Start the server (sns serve).")
