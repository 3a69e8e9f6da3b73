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


async def test_an_app_that_generates_its_schema_has_a_search_index_too(tmp_path):
    from fixtures import make_settings
    from sns.app import create_app
    from sns.models import User

    settings = await make_settings(tmp_path)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    app = create_app(settings, generate_schemas=True)
    async with app.router.lifespan_context(app):
        from sns.context import Ctx
        from sns.policies import load_viewer
        from sns.services.accounts import create_user
        from sns.services.search import search

        base = Ctx(settings, app.state.limits)
        user = await create_user(base, username="schemer", password="a long enough password",
                                 email="s@example.org")
        ctx = base.as_viewer(await load_viewer(await User.get(id=user.id)))
        await diary_service.write_diary(ctx, title="避難訓練", body="公民館で", visibility="public", lat="", lon="")
        assert [h.title.text for h in (await search(ctx, "避難")).items] == ["避難訓練"]
