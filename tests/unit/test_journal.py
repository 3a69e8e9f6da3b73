"""The journal: every write leaves one numbered entry with the full new state, and
applying entries converges replicas by "highest version wins"."""

import random

from tortoise.transactions import in_transaction

from sns import journal
from sns.ids import is_id, uuid7
from sns.models import Diary, JournalEntry
from sns.services.diaries import delete_diary, edit_diary, write_diary


def test_every_replicated_record_has_a_journal_kind():
    """Mirroring ships the journal: a replicated model missing from it would silently never travel,
    or fail at its first write."""
    import sns.models
    from sns.models.base import Replicated

    replicated = {m for m in vars(sns.models).values()
                  if isinstance(m, type) and issubclass(m, Replicated) and m is not Replicated}
    assert len(replicated) >= 20
    assert replicated == set(journal.KINDS.values())
    assert all(journal.kind_of(m.__new__(m)) == k for k, m in journal.KINDS.items())


def test_uuid7_ids_are_unique_and_time_ordered():
    ids = [uuid7() for _ in range(5000)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert all(is_id(i) and i[14] == "7" for i in ids[:10])
    assert not is_id("not-an-id") and not is_id("1" * 36)


async def test_each_write_is_journaled_with_gapless_numbers(site):
    user = await site.user("journaler")
    ctx = await site.ctx_for(user)
    diary = await write_diary(ctx, title="One", body="first", visibility="public")
    await edit_diary(ctx, diary.id, title="One, edited", body="second", visibility="members")
    await delete_diary(ctx, diary.id)
    entries = await JournalEntry.filter(record_id=diary.id).order_by("seq")
    assert [e.version for e in entries] == [1, 2, 3]
    assert entries[1].payload["title"] == "One, edited" and entries[2].payload["deleted_at"]
    seqs = await JournalEntry.filter(origin=site.settings.origin).order_by("seq").values_list("seq", flat=True)
    assert list(seqs) == list(range(1, len(seqs) + 1))
    user_entry = await JournalEntry.filter(record_id=user.id).first()
    assert "password_hash" not in user_entry.payload and "email" not in user_entry.payload


async def test_applying_entries_in_any_order_converges(site):
    user = await site.user("converger")
    ctx = await site.ctx_for(user)
    diary = await write_diary(ctx, title="v1", body="b", visibility="public")
    for n in range(2, 6):
        await edit_diary(ctx, diary.id, title=f"v{n}", body="b", visibility="public")
    entries = await JournalEntry.filter(record_id=diary.id).order_by("seq")
    final = (await Diary.get(id=diary.id)).title
    for seed in range(3):
        shuffled = entries[:]
        random.Random(seed).shuffle(shuffled)
        async with in_transaction() as tx:
            await Diary.filter(id=diary.id).using_db(tx).delete()
            for entry in shuffled + shuffled:  # replays are harmless
                await journal.apply(entry.kind, entry.payload, tx)
        again = await Diary.get(id=diary.id)
        assert again.title == final and again.version == 5


async def test_an_applied_entry_is_searchable_like_a_local_write(site):
    """What mirroring brings in goes through `apply`; it must be found like a local write."""
    from sns.search.index import remove
    from sns.services.search import search

    user = await site.user("mirrored")
    ctx = await site.ctx_for(user)
    diary = await write_diary(ctx, title="Heron count", body="Seventeen herons by the weir", visibility="public")
    entries = await JournalEntry.filter(record_id=diary.id).order_by("seq")
    async with in_transaction() as tx:
        await Diary.filter(id=diary.id).using_db(tx).delete()
        await remove(tx, diary.id)
    assert not (await search(site.ctx(), "herons")).items
    async with in_transaction() as tx:
        for entry in entries:
            await journal.apply(entry.kind, entry.payload, tx)
    assert [hit.id for hit in (await search(site.ctx(), "herons")).items] == [diary.id]


async def test_first_writes_at_once_on_an_empty_journal_all_succeed(tmp_path):
    """Several residents created at the same moment on a new instance: no false 'username taken'."""
    import asyncio

    from fixtures import make_site

    async with make_site(tmp_path) as fresh:
        made = await asyncio.gather(*(fresh.user(f"early{i}") for i in range(8)))
        assert len({u.id for u in made}) == 8
        from sns.models.journal import JournalEntry

        seqs = sorted(await JournalEntry.filter(origin=fresh.settings.origin).values_list("seq", flat=True))
        assert seqs == list(range(1, len(seqs) + 1))
