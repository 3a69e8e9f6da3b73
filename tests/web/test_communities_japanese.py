"""Every community page reads entirely in Japanese for a Japanese reader (with the checks of
tests/unit/test_i18n.py: no English piece of any translated message shows)."""

import importlib.util
import re
from pathlib import Path

from sns.services import memberships
from sns.services.communities import open_community
from sns.services.replies import add_reply
from sns.services.topics import post_topic

_spec = importlib.util.spec_from_file_location(
    "i18n_checks", Path(__file__).parent.parent / "unit" / "test_i18n.py")
i18n_checks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(i18n_checks)
# The navigation is another part's; this test is about the community pages themselves.
NAVIGATION = set(re.findall(r'_\("([^"]+)"\)', (Path(__file__).parents[2] / "templates" / "base.html").read_text()))


async def test_community_pages_are_all_japanese(site):
    owner = await site.user("cj_owner", display_name="山田 花子")
    asker = await site.user("cj_asker", display_name="鈴木 太郎")
    member = await site.user("cj_yuki", display_name="田中 由紀")
    ctx = await site.ctx_for(owner)
    club = await open_community(ctx, name="川沿い散歩の会", description="毎週末に歩きます。", join_policy="approval",
                                readable_by="members")
    await open_community(ctx, name="防災の会", description="備えについて。")
    await memberships.join(await site.ctx_for(asker), club.id)
    await memberships.join(await site.ctx_for(member), club.id)
    await memberships.act_on_member(ctx, club.id, member.id, "accept")
    topic = await post_topic(ctx, club.id, title="土曜の朝の散歩", body="北橋に七時集合です。", lat="32.5", lon="130.6")
    reply = await add_reply(await site.ctx_for(member), topic.id, "参加します。")
    await add_reply(ctx, topic.id, "お待ちしています。")
    client = i18n_checks.ja_client(site)
    await client.login("cj_owner")
    fragments = {piece: msgid for piece, msgid in i18n_checks.english_fragments().items() if msgid not in NAVIGATION}
    for path in ("/communities", "/communities?mine=1", "/communities/new", f"/communities/{club.id}",
                 f"/communities/{club.id}/edit", f"/communities/{club.id}/members",
                 f"/communities/{club.id}/topics/new", f"/topics/{topic.id}", f"/topics/{topic.id}/edit"):
        await i18n_checks._assert_japanese(client, path, fragments)
    other = i18n_checks.ja_client(site)
    await other.login("cj_yuki")
    for path in (f"/topics/{topic.id}", f"/replies/{reply.id}/edit", f"/communities/{club.id}"):
        await i18n_checks._assert_japanese(other, path, fragments)
