"""`sns search reindex` rebuilds the index from the tables: same results as the live index."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from tortoise import connections
from tortoise.transactions import in_transaction

from sns.services import diaries as diary_service

ROOT = Path(__file__).parents[2]


async def test_rebuild_finds_what_the_live_index_found(site):
    from sns.search.rebuild import rebuild

    u = await site.user("reindexer")
    ctx = await site.ctx_for(u)
    kept = await diary_service.write_diary(ctx, title="梅雨入り", body="今年の梅雨は早い", visibility="public",
                                           lat="", lon="")
    gone = await diary_service.write_diary(ctx, title="梅雨の傘", body="removed", visibility="public",
                                           lat="", lon="")
    await diary_service.delete_diary(ctx, gone.id)
    client = site.client()
    before = (await client.get("/search?q=" + quote("梅雨"))).text
    async with in_transaction() as tx:
        await tx.execute_query("DELETE FROM search_docs")
    assert f"/diaries/{kept.id}" not in (await client.get("/search?q=" + quote("梅雨"))).text
    async with in_transaction() as tx:
        counts = await rebuild(tx)
    assert counts["diary"] >= 1
    after = (await client.get("/search?q=" + quote("梅雨"))).text
    assert f"/diaries/{kept.id}" in after and f"/diaries/{gone.id}" not in after
    assert after.count('class="title"') == before.count('class="title"') == 1
    rows = await connections.get("default").execute_query_dict("SELECT COUNT(*) AS n FROM search_docs")
    assert int(rows[0]["n"]) == counts["diary"] + counts["community"] + counts["topic"] + counts["reply"] + \
        counts["event"]


def test_the_command_reindexes_with_a_progress_bar(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SNS_") and k != "DATABASE_URL"}
    result = subprocess.run([sys.executable, "-m", "sns", "--data", str(tmp_path / "data"), "search", "reindex"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Indexed" in result.stderr and "0 diary" in result.stderr
