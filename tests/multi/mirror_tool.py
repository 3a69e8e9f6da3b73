"""Run beside a city's `sns serve` (same data directory and settings, as a child process): write many
journal entries quickly, and read digests and the journal numbers of its replicas.

    python tests/multi/mirror_tool.py --data DIR write 5000        # {"entries": ..., "seconds": ..., "head": ...}
    python tests/multi/mirror_tool.py --data DIR digest [--replica ORIGIN]
    python tests/multi/mirror_tool.py --data DIR seqs ORIGIN        # the numbers a replica holds
    python tests/multi/mirror_tool.py --data DIR compare --replica-data DIR2  # our open digest, DIR2's replica of us
    python tests/multi/mirror_tool.py --data DIR post RATE SECONDS  # posts notices; prints "<id> <commit time>"

Records are written through the services' own `save_new`/`save_change` (row, journal entry and search
index in one transaction), 200 to a transaction, so a big journal is made in seconds rather than by
thousands of HTTP posts. The mix has what travels openly and what does not: public, members-only,
friends-only and private diaries, comments, notices, and deleted diaries (tombstones).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

from sns.settings import load_settings

VISIBILITIES = ("public", "members", "friends", "private")


async def _writer(settings):
    from sns.context import Ctx, Limits
    from sns.models import User
    from sns.services.accounts import create_user

    user = await User.get_or_none(username="writer")
    if user is None:
        user = await create_user(Ctx(settings, Limits.from_settings(settings)), username="writer",
                                 password="a long enough password", role="resident")
    return user


async def write(settings, count: int, per_transaction: int = 200) -> dict:
    from sns.models import Comment, Diary, JournalEntry, Notice
    from sns.services.base import save_change, save_new, transaction

    user = await _writer(settings)
    start = await JournalEntry.filter(origin=settings.origin).count()
    began = time.perf_counter()
    written, n, last_public, diaries = 0, 0, None, []
    while written < count:
        async with transaction() as tx:
            for _ in range(min(per_transaction, count - written)):
                n += 1
                if n % 10 == 0:
                    await save_new(Notice(author_id=user.id, title=f"Notice {n}", body="Water at noon.",
                                          origin=settings.origin), tx)
                elif n % 20 == 5 and last_public is not None:
                    await save_new(Comment(diary_id=last_public, author_id=user.id, body=f"Comment {n}",
                                           origin=settings.origin), tx)
                elif n % 50 == 7 and diaries:
                    gone = await Diary.get(id=diaries.pop(0)).using_db(tx)
                    gone.deleted_at = gone.updated_at
                    await save_change(gone, tx)
                else:
                    visibility = VISIBILITIES[n % 4]
                    diary = await save_new(Diary(author_id=user.id, title=f"Diary {n}", body=f"Body of {n}. " * 5,
                                                 visibility=visibility, origin=settings.origin), tx)
                    diaries.append(diary.id)
                    if visibility == "public":
                        last_public = diary.id
                written += 1
    seconds = time.perf_counter() - began
    head = await JournalEntry.filter(origin=settings.origin).count()
    return {"entries": head - start, "seconds": round(seconds, 3), "head": head}


async def post(settings, rate: float, seconds: float) -> None:
    """Post notices at `rate` per second; print each one's id and the wall-clock time of its commit."""
    from sns.models import Notice
    from sns.services.base import save_new, transaction

    user = await _writer(settings)
    began, n = time.time(), 0
    while time.time() - began < seconds:
        async with transaction() as tx:
            notice = await save_new(Notice(author_id=user.id, title=f"Live {n}", body="Now.", origin=settings.origin),
                                    tx)
        print(notice.id, repr(time.time()), flush=True)
        n += 1
        await asyncio.sleep(max(0.0, began + n / rate - time.time()))


async def digest(settings, replica: str | None) -> dict:
    from tortoise import connections

    from sns.mirror import replicas
    from sns.mirror.digest import records_of, content_digest

    if replica:
        client = await replicas.open_replica(settings, replica)
        out = {"digest": await content_digest(client, replica), "records": len(await records_of(client, replica))}
        await replicas.close_all()
        return out
    client = connections.get("default")
    return {"digest": await content_digest(client, settings.origin, open_only=True),
            "records": len(await records_of(client, settings.origin, open_only=True)),
            "all": len(await records_of(client, settings.origin))}


async def compare(settings, replica_data: Path, replica_db: str = "") -> dict:
    """In one process (each start costs seconds): our open records' digest, the digest of the replica of us
    held by the city of `replica_data` (and of the database `replica_db`, where its replicas live when it is
    PostgreSQL), and the journal numbers that replica holds."""
    from tortoise import connections

    from sns.mirror import replicas
    from sns.mirror.digest import content_digest, records_of
    from sns.models import JournalEntry

    own = connections.get("default")
    where = load_settings(replica_data, database_url=replica_db) if replica_db else replica_data
    client = await replicas.open_replica(where, settings.origin)
    out = {"own_open": await content_digest(own, settings.origin, open_only=True),
           "records": len(await records_of(own, settings.origin, open_only=True)),
           "replica": await content_digest(client, settings.origin),
           "head": await JournalEntry.filter(origin=settings.origin).count(),
           "seqs": await seqs(settings, settings.origin, where)}
    await replicas.close_all()
    return out


async def seqs(settings, origin: str, where=None) -> dict:
    from sns.mirror import replicas, sql

    client = await replicas.open_replica(where or settings, origin)
    rows = await sql.query(client, "SELECT seq FROM journal WHERE origin = ? ORDER BY seq", [origin])
    numbers = [r["seq"] for r in rows]
    return {"count": len(numbers), "distinct": len(set(numbers)), "first": numbers[0] if numbers else 0,
            "last": numbers[-1] if numbers else 0,
            "contiguous": numbers == list(range(1, len(numbers) + 1))}


async def main(args) -> None:
    from sns import db

    settings = load_settings(Path(args.data))
    async with db.database(settings):
        if args.command == "write":
            out = await write(settings, args.count)
        elif args.command == "digest":
            out = await digest(settings, args.replica)
        elif args.command == "seqs":
            out = await seqs(settings, args.origin)
        elif args.command == "compare":
            out = await compare(settings, Path(args.replica_data), args.replica_db or "")
        else:
            await post(settings, args.rate, args.seconds)
            return
    print(json.dumps(out))


def parse(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("write").add_argument("count", type=int)
    sub.add_parser("digest").add_argument("--replica")
    sub.add_parser("seqs").add_argument("origin")
    p = sub.add_parser("compare")
    p.add_argument("--replica-data", required=True)
    p.add_argument("--replica-db", default="")
    p = sub.add_parser("post")
    p.add_argument("rate", type=float)
    p.add_argument("seconds", type=float)
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse(sys.argv[1:])))
