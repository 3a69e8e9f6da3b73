"""The SQL scopes select exactly what their Python predicates allow (DESIGN invariant 11).

On random towns (residents, staff and suspended accounts; friendships requested, accepted and one-sided;
blocks both ways; disaster board posts; diaries in every visibility x state x deleted; comments likewise; communities with
topics and replies in the states the community rules know) and for every viewer (a visitor and each
resident: who is an author, a friend, blocked or blocking, a moderator or an admin varies with the
town), each fragment of `sns.policies.sql` (and `post_scope_sql`, `public_board_scope_sql`) selects the rows its predicate
allows, on whichever database the suite runs on. `load_viewer`'s one query is checked against the
town's own relations too.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sns.models import (
    Block, Comment, Community, Diary, DisasterEvent, DisasterPost, Friendship, Membership, Reply, Topic, User,
)
from sns.models.base import utcnow
from sns.policies import (
    ANONYMOUS, audience_allows, audience_scope_sql, can_read_community, can_view_comment, can_view_diary,
    can_view_board_post, can_view_reply, can_view_topic, comment_scope_sql, diary_scope, diary_scope_sql, load_viewer,
    post_scope_sql, public_board_scope_sql, public_diary_scope_sql,
)
from sns.policies.sql import database, fetch

VISIBILITIES = ("public", "members", "friends", "private")
STATES = ("published", "held", "removed")
ORIGIN = "test.example"
_names = itertools.count()

person = st.tuples(st.sampled_from(("resident", "resident", "staff", "moderator", "admin")),
                   st.sampled_from(("active", "active", "active", "suspended")))
pair = st.tuples(st.integers(0, 5), st.integers(0, 5)).filter(lambda ab: ab[0] != ab[1])
text_row = st.tuples(st.integers(0, 5), st.sampled_from(STATES), st.booleans())  # author, state, deleted
town = st.fixed_dictionaries({
    "people": st.lists(person, min_size=6, max_size=6),
    "friendships": st.dictionaries(pair, st.sampled_from(("requested", "accepted")), max_size=12),
    "blocks": st.sets(pair, max_size=4),
    "diaries": st.lists(st.tuples(text_row, st.sampled_from(VISIBILITIES)), max_size=14),
    "comments": st.lists(st.tuples(st.integers(0, 13), text_row), max_size=14),
    "communities": st.lists(st.tuples(st.integers(0, 5), st.sampled_from(("public", "members", "community")),
                                      st.sampled_from(STATES), st.booleans()), min_size=1, max_size=2),
    "memberships": st.dictionaries(st.tuples(st.integers(0, 1), st.integers(0, 5)),
                                   st.sampled_from(("active", "banned", "pending", "invited")), max_size=6),
    "topics": st.lists(st.tuples(st.integers(0, 1), text_row), max_size=8),
    "replies": st.lists(st.tuples(st.integers(0, 7), text_row), max_size=8),
    "board": st.lists(text_row, max_size=6),  # posts on a disaster board
})


async def _clear() -> None:
    for model in (DisasterPost, DisasterEvent, Reply, Topic, Membership, Community, Comment, Diary, Block, Friendship,
                  User):
        await model.all().delete()


async def _build(t: dict) -> dict:
    """Insert the town in bulk; returns the rows made, by kind (in the order drawn)."""
    await _clear()
    now = utcnow()
    gone = lambda deleted: now if deleted else None  # noqa: E731
    people = [User(username=f"s{next(_names)}", display_name="x", role=role, state=state, origin=ORIGIN)
              for role, state in t["people"]]
    await User.bulk_create(people)
    uid = [u.id for u in people]
    await Friendship.bulk_create([Friendship(user_id=uid[a], friend_id=uid[b], state=s, origin=ORIGIN)
                                  for (a, b), s in t["friendships"].items()])
    await Block.bulk_create([Block(blocker_id=uid[a], blocked_id=uid[b], origin=ORIGIN) for a, b in t["blocks"]])
    diaries = [Diary(author_id=uid[a], title="t", body="b", visibility=vis, state=s, deleted_at=gone(d),
                     origin=ORIGIN) for (a, s, d), vis in t["diaries"]]
    await Diary.bulk_create(diaries)
    comments = [Comment(diary_id=diaries[i % len(diaries)].id, author_id=uid[a], body="c", state=s,
                        deleted_at=gone(d), origin=ORIGIN) for i, (a, s, d) in t["comments"] if diaries]
    await Comment.bulk_create(comments)
    communities = [Community(name="c", creator_id=uid[a], readable_by=r, state=s, deleted_at=gone(d), origin=ORIGIN)
                   for a, r, s, d in t["communities"]]
    await Community.bulk_create(communities)
    memberships = [Membership(community_id=communities[c % len(communities)].id, user_id=uid[u], state=s,
                              origin=ORIGIN) for (c, u), s in t["memberships"].items() if c < len(communities)]
    await Membership.bulk_create(memberships)
    topics = [Topic(community_id=communities[c % len(communities)].id, author_id=uid[a], title="t", body="b",
                    state=s, deleted_at=gone(d), bumped_at=now - timedelta(minutes=i), origin=ORIGIN)
              for i, (c, (a, s, d)) in enumerate(t["topics"])]
    await Topic.bulk_create(topics)
    replies = [Reply(topic_id=topics[i % len(topics)].id, author_id=uid[a], body="r", state=s, deleted_at=gone(d),
                     origin=ORIGIN) for i, (a, s, d) in t["replies"] if topics]
    await Reply.bulk_create(replies)
    event = await DisasterEvent.create(name="e", started_at=now, origin=ORIGIN)
    board = [DisasterPost(event_id=event.id, author_id=uid[a], body="b", state=s, deleted_at=gone(d), origin=ORIGIN)
             for a, s, d in t["board"]]
    await DisasterPost.bulk_create(board)
    return {"people": people, "diaries": diaries, "comments": comments, "communities": communities,
            "memberships": memberships, "topics": topics, "replies": replies, "board": board}


async def _ids(sql: str, p) -> set[str]:
    conn, _ = database()
    return {r["id"] for r in await fetch(conn, sql, p)}


def _params():
    return database()[1]


async def _check_viewer_relations(made: dict, t: dict, who: int) -> None:
    """`load_viewer`'s one query finds the town's own relations of this resident."""
    uid = [u.id for u in made["people"]]
    v = await load_viewer(made["people"][who])
    assert v.friend_ids == {uid[b] for (a, b), s in t["friendships"].items() if a == who and s == "accepted"}
    assert v.blocking_ids == {uid[b] for a, b in t["blocks"] if a == who}
    assert v.blocked_ids == v.blocking_ids | {uid[a] for a, b in t["blocks"] if b == who}


async def _check_diaries(v, made: dict) -> None:
    diaries = made["diaries"]
    p = _params()
    allowed = {d.id for d in diaries if can_view_diary(v, d)}
    assert await _ids(f"SELECT d.id FROM diaries d WHERE {diary_scope_sql(v, 'd', p)}", p) == allowed
    assert set(await Diary.filter(diary_scope(v)).values_list("id", flat=True)) == allowed  # the Q scope too
    p = _params()
    others = {d.id for d in diaries if d.author_id != v.id and audience_allows(v, d.author_id, d.visibility)}
    sql = f"SELECT d.id FROM diaries d WHERE {audience_scope_sql(v, 'd.author_id', 'd.visibility', p)}"
    mine = {d.id for d in diaries if d.author_id == v.id}
    assert (await _ids(sql, p)) - mine == others
    p = _params()
    assert await _ids(f"SELECT d.id FROM diaries d WHERE {public_diary_scope_sql('d')}", p) == {
        d.id for d in diaries if can_view_diary(ANONYMOUS, d)}


async def _check_comments(v, made: dict) -> None:
    by_id = {d.id: d for d in made["diaries"]}
    p = _params()
    sql = (f"SELECT c.id FROM comments c JOIN diaries d ON d.id = c.diary_id"
           f" WHERE {diary_scope_sql(v, 'd', p)} AND {comment_scope_sql(v, 'c', p)}")
    assert await _ids(sql, p) == {c.id for c in made["comments"] if can_view_comment(v, c, by_id[c.diary_id])}


async def _check_posts(v, made: dict) -> None:
    """Topics and replies in the communities `v` may read (the topic list checks that first)."""
    mine = {m.community_id: m for m in made["memberships"] if m.user_id == v.id}
    places = {c.id: (c, mine.get(c.id)) for c in made["communities"] if can_read_community(v, c, mine.get(c.id))}
    p = _params()
    readable = ", ".join(p(c) for c in places) or "NULL"
    sql = f"SELECT t.id FROM topics t WHERE t.community_id IN ({readable}) AND {post_scope_sql(v, 't', p)}"
    assert await _ids(sql, p) == {t.id for t in made["topics"] if t.community_id in places
                                  and can_view_topic(v, t, *places[t.community_id])}
    topics = {t.id: t for t in made["topics"]}
    p = _params()
    readable = ", ".join(p(c) for c in places) or "NULL"
    sql = (f"SELECT r.id FROM replies r JOIN topics t ON t.id = r.topic_id WHERE t.community_id IN ({readable})"
           f" AND {post_scope_sql(v, 't', p)} AND {post_scope_sql(v, 'r', p)}")
    assert await _ids(sql, p) == {
        r.id for r in made["replies"] if topics[r.topic_id].community_id in places
        and can_view_reply(v, r, topics[r.topic_id], *places[topics[r.topic_id].community_id])}


async def _check_public_board(made: dict) -> None:
    """The light disaster front page's shared list: what a visitor may see of the board."""
    assert await _ids(f"SELECT b.id FROM disaster_posts b WHERE {public_board_scope_sql('b')}", _params()) == {
        b.id for b in made["board"] if can_view_board_post(ANONYMOUS, b)}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(t=town)
async def test_sql_scopes_select_what_the_predicates_allow(site, t):
    made = await _build(t)
    await _check_public_board(made)
    for who in [None, *range(len(made["people"]))]:
        if who is None:
            v = ANONYMOUS
        else:
            await _check_viewer_relations(made, t, who)
            v = await load_viewer(made["people"][who])
        await _check_diaries(v, made)
        await _check_comments(v, made)
        await _check_posts(v, made)
