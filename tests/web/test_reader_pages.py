"""Pages kept per reader (sns/web/reader_pages.py): a reload costs one query until something changes.

The freshness of what is shown after each kind of change is in test_reader_freshness.py; here: that a
kept page is reused at all (one query: the session with its version numbers), with the reader's own
tokens, and that a change bumps it away on the very next request.
"""

from __future__ import annotations

import re

from sns.services import diaries, friends
from sns.services.shared import public_changed
from tests.web.test_query_counts import count_queries

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
TOKENS = re.compile(r'name="(csrf_token|client_token)" value="[^"]+"')  # each request's own


async def _friends(site, a, b):
    await friends.request_friend(await site.ctx_for(a), b.id)
    await friends.accept(await site.ctx_for(b), a.id)


async def _reload_twice(client, path):
    first = await client.get(path)
    with count_queries() as queries:
        second = await client.get(path)
    assert first.status_code == second.status_code == 200
    return first, second, queries


async def test_a_reload_of_my_page_and_a_diary_page_costs_one_query(site):
    rin, kai = await site.user("kp_rin"), await site.user("kp_kai")
    await _friends(site, rin, kai)
    entry = await diaries.write_diary(await site.ctx_for(kai), title="Snow on the bridge", body="Careful.",
                                      visibility="friends")
    reader = site.client()
    await reader.login("kp_rin")
    public_changed()
    await reader.get("/home")  # the shared lists are loaded
    for path in ("/home", f"/diaries/{entry.id}"):
        first, second, queries = await _reload_twice(reader, path)
        assert len(queries) == 1, queries
        assert "Snow on the bridge" in second.text
        assert TOKENS.sub("", first.text) == TOKENS.sub("", second.text)


async def test_a_friends_new_entry_and_a_comment_show_on_the_next_request(site):
    rin, kai = await site.user("kp_rin2"), await site.user("kp_kai2")
    await _friends(site, rin, kai)
    reader = site.client()
    await reader.login("kp_rin2")
    await _reload_twice(reader, "/home")
    entry = await diaries.write_diary(await site.ctx_for(kai), title="Ferry is running", body="Again.",
                                      visibility="friends")
    assert "Ferry is running" in (await reader.get("/home")).text
    await _reload_twice(reader, f"/diaries/{entry.id}")
    await diaries.add_comment(await site.ctx_for(kai), entry.id, "Until six tonight.")
    assert "Until six tonight." in (await reader.get(f"/diaries/{entry.id}")).text


async def test_each_browser_gets_its_own_csrf_token_from_a_kept_page(site):
    await site.user("kp_two")
    phone, laptop = site.client(), site.client()
    await phone.login("kp_two")
    await laptop.login("kp_two")
    await _reload_twice(phone, "/home")
    from_laptop = await laptop.get("/home")
    token = CSRF_FIELD.search(from_laptop.text).group(1)
    assert token != phone.csrf
    assert (await laptop.submit("/diaries/new", {"title": "From the laptop", "body": "Hi", "visibility": "public"}
                                )).status_code == 303


async def test_signed_in_residents_share_one_light_page_that_names_nobody(site):
    from sns.services import disaster

    admin = await site.user("kp_desk", role="admin")
    await site.user("kp_aki")
    await site.user("kp_yui")
    aki, yui = site.client(), site.client()
    await aki.login("kp_aki")
    await yui.login("kp_yui")
    await disaster.start_event(await site.ctx_for(admin), name="Typhoon Ten")
    try:
        await aki.get("/")  # (disaster mode's start, heard from the live events, may forget a copy made meanwhile)
        first = await aki.get("/")
        with count_queries() as queries:
            second = await yui.get("/")
        assert "Typhoon Ten" in second.text and 'href="/home"' in second.text
        assert len(queries) == 1, queries  # yui's session, and the copy made for aki
        assert TOKENS.sub("", first.text) == TOKENS.sub("", second.text)
        assert "kp_aki" not in second.text and "kp_yui" not in second.text
        assert CSRF_FIELD.search(second.text).group(1) == yui.csrf != aki.csrf
    finally:
        await disaster.end_event(await site.ctx_for(admin))
