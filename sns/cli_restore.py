"""`sns restore --from-peer URL --backup-key FILE`: rebuild a destroyed instance from a neighbour's copy
(docs/operating.md, "When the server is destroyed"; the work itself is sns/mirror/restore.py).
`sns restore --from-backup DIR` brings back a backup made by `sns backup` instead (sns/cli_backup.py)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from sns.cli_common import _init, _settings, console


def _confirmer(yes: bool):
    def confirm(neighbour) -> bool:
        console.print(f"Neighbour [bold]{neighbour.origin}[/bold] ({neighbour.name or '-'}) at {neighbour.url}")
        console.print(f"its fingerprint: [bold]{neighbour.fingerprint}[/bold]")
        if yes:
            return True
        if not sys.stdin.isatty():
            raise click.ClickException("Compare that fingerprint with the one the neighbour's administrator reads "
                                       "to you, then run again with --fingerprint FP.")
        return click.confirm("Is it the fingerprint its administrator gave you?", default=False)

    return confirm


def _report(settings, prepared, summary) -> None:
    n = prepared.neighbour
    console.print(f"[green]Restored[/green] {settings.origin} from {n.origin} ({n.url})")
    console.print(f"  journal: entries 1 to {summary.head} "
                  f"({summary.entries} restored by this run{f', after {summary.resumed_after}' if summary.resumed_after else ''})")
    console.print(f"  records of {settings.origin}: {summary.records}; sealed entries opened: {summary.sealed_opened}")
    console.print(f"  keys put back: {', '.join(summary.keys)}; this instance's fingerprint is {prepared.fingerprint} "
                  "(the same as before: neighbours know it)")
    rows = summary.rows
    console.print(f"  site settings: {rows.get('site_settings', 0)}, peers: {rows.get('peers', 0)}, "
                  f"CAP sources: {rows.get('cap_sources', 0)}")
    missing = summary.lost - summary.superseded
    if summary.superseded:
        console.print(f"  earlier versions not kept: {summary.superseded} entries of records their writers took back "
                      "since (the records themselves are restored from their later entries)")
    if missing:
        console.print(f"  [yellow]missing[/yellow]: {missing} private entries nobody could give back (written "
                      "before this instance had a backup key); their numbers are kept, their content is gone")
    else:
        console.print("  missing: nothing in the journal")
    for line in summary.media:
        console.print(f"  {line}")
    if not summary.media and summary.photos:
        console.print(f"  [yellow]photos[/yellow]: {summary.photos} photo records restored, but not their files "
                      "(this version cannot fetch them back yet)")
    console.print("Start the server (sns serve): it continues its journal, and its neighbours pull from it again.")


@click.command("restore")
@click.option("--from-peer", "url", default=None, help="The address of a neighbour that mirrors this city.")
@click.option("--backup-key", "key_file", default=None, type=click.Path(exists=True, dir_okay=False),
              help="With --from-peer: the file with this city's backup key (sns mirror backup-key made it; "
                   "kept offline).")
@click.option("--from-backup", "backup_dir", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="A directory written by sns backup --out.")
@click.option("--fingerprint", default=None, help="The neighbour's fingerprint, as its administrator read it to you.")
@click.option("--yes", is_flag=True, help="Trust the neighbour's fingerprint without asking.")
@click.pass_context
def restore_command(click_ctx: click.Context, url: str | None, key_file: str | None, backup_dir: Path | None,
                    fingerprint: str | None, yes: bool) -> None:
    """Rebuild this (destroyed) instance in an empty data directory, either from a neighbour's copy
    (--from-peer: public content from its mirror, private content from the sealed backup opened with the
    backup key; killed or cut off, run it again: it goes on where it stopped) or from a backup directory
    (--from-backup, made by sns backup)."""
    if (url is None) == (backup_dir is None):
        raise click.UsageError("Give exactly one of --from-peer URL (with --backup-key) or --from-backup DIR.")
    if backup_dir is not None:
        from sns.cli_backup import restore_from_backup

        restore_from_backup(click_ctx, backup_dir)
        return
    if key_file is None:
        raise click.UsageError("--from-peer needs --backup-key FILE (the key sns mirror backup-key made).")
    settings = _settings(click_ctx.obj["data"])
    backup_key = Path(key_file).read_text(errors="replace")

    async def run():
        from sns import db
        from sns import areas  # the site's parts: which files `restore` fetches back after the journal
        from sns.mirror import replicas, restore

        try:
            prepared = await restore.prepare(settings, url, backup_key, fingerprint, _confirmer(yes))
        except restore.RestoreRefused as exc:
            raise click.ClickException(str(exc)) from None
        await _init(settings)
        async with db.database(settings):
            try:
                after = await restore.claim_data_dir(settings, prepared.neighbour)
                with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                              TimeRemainingColumn(), console=console) as bar:
                    task = bar.add_task(f"journal of {settings.origin}", total=max(prepared.head, 1), completed=after)

                    def tell(done: int, head: int) -> None:
                        bar.update(task, completed=done, total=max(head, 1))

                    summary = await restore.restore(settings, prepared, after, tell, site=areas.site())
            except restore.RestoreRefused as exc:
                raise click.ClickException(str(exc)) from None
            finally:
                await replicas.close_all()
        return prepared, summary

    prepared, summary = asyncio.run(run())
    _report(settings, prepared, summary)
