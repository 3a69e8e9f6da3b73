"""What a verified inbox post changes: a `Follow` of one of our actors is stored and answered with an
`Accept`, an `Undo` of it removes it, the `Delete` of an actor removes every follow of theirs. Everything
else (replies, likes, boosts...) is acknowledged and not imported.

Whom a Follow may name: the city's actor, or a resident who is active and chose "followable"
(`accepts_followers`, sns/policies/fediverse_admin.py). The follower's inboxes come from their actor
document, fetched when their signature was checked (`RemoteActor`). Storing a follow is idempotent (the
same actor following again keeps one row, with the newest Follow's id), and its Accept is queued in the same
transaction, to the follower's own inbox only; the job "fediverse_delivery" signs and sends it."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from sns.fediverse.addresses import CITY, actor_url
from sns.fediverse.queue import nudge_after_commit
from sns.models import Delivery, Follower, RemoteActor, User
from sns.policies.fediverse_admin import accepts_followers
from sns.settings import Settings

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"


def _id(value: Any) -> str:
    """An activity's `object` (or `actor`) as an id, whether it is given as a URL or as an object."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


async def local_actor(settings: Settings, url: str) -> tuple[str, str] | None:
    """Which of our actors `url` names, as (actor for Follower/Delivery rows, the name in its URL): the city
    ("city", the handle) or a resident who accepts followers (their id, their username); None otherwise."""
    prefix = actor_url(settings, "")
    if not url.startswith(prefix) or urlsplit(url).query or urlsplit(url).fragment:
        return None
    name = unquote(url[len(prefix):])
    if not name or "/" in name:
        return None
    if name == settings.fediverse_handle:
        return CITY, name
    user = await User.get_or_none(username=name)
    return (user.id, name) if accepts_followers(user) else None


async def follow(settings: Settings, remote: RemoteActor, activity: dict) -> bool:
    """Store the follow and queue its Accept; False when it names none of our followable actors."""
    target = await local_actor(settings, _id(activity.get("object")))
    if target is None or not remote.inbox:
        return False
    actor, name = target
    host = (urlsplit(remote.actor).hostname or "").lower()
    follow_id = _id(activity)[:500]
    me = actor_url(settings, name)
    for attempt in (1, 2):  # two Follows of one actor at once: the second finds the first's row
        try:
            async with in_transaction() as conn:
                mine = Follower.filter(actor=actor, remote_actor=remote.actor).using_db(conn)
                if not await mine.update(inbox=remote.inbox, shared_inbox=remote.shared_inbox, follow_id=follow_id):
                    await Follower.create(actor=actor, remote_actor=remote.actor, inbox=remote.inbox,
                                          shared_inbox=remote.shared_inbox, host=host, follow_id=follow_id,
                                          using_db=conn)
                row = await mine.first()
                accept = {"@context": AS_CONTEXT, "id": f"{me}#accepts/follows/{row.id}", "type": "Accept",
                          "actor": me, "object": {k: v for k, v in activity.items() if k != "@context"}}
                await Delivery.create(actor=actor, inbox=remote.inbox, host=host, activity=accept, using_db=conn)
            break
        except IntegrityError:
            if attempt == 2:
                raise
    nudge_after_commit(committed=True)
    return True


async def undo(settings: Settings, remote: RemoteActor, activity: dict) -> bool:
    """`Undo(Follow)`: the follow it names goes (by the Follow's id, or by whom it followed)."""
    inner = activity.get("object")
    if isinstance(inner, dict) and inner.get("type") not in (None, "Follow"):
        return False
    mine = Follower.filter(remote_actor=remote.actor)
    follow_id = _id(inner)
    if isinstance(inner, dict) and _id(inner.get("object")):
        target = await local_actor(settings, _id(inner.get("object")))
        if target is None and not follow_id:
            return False
        if target is not None:
            return bool(await mine.filter(actor=target[0]).delete())
    return bool(follow_id) and bool(await mine.filter(follow_id=follow_id).delete())


async def forget_actor(remote: RemoteActor, activity: dict) -> bool:
    """`Delete` of the actor itself (an account closed elsewhere): its follows go."""
    if _id(activity.get("object")) != remote.actor:
        return False
    return bool(await Follower.filter(remote_actor=remote.actor).delete())


async def act_on(settings: Settings, remote: RemoteActor, activity: dict) -> str:
    """Do what a verified activity asks; returns what was done (for the log): followed, unfollowed, ignored."""
    kind = activity.get("type")
    if kind == "Follow":
        return "followed" if await follow(settings, remote, activity) else "ignored"
    if kind == "Undo":
        return "unfollowed" if await undo(settings, remote, activity) else "ignored"
    if kind == "Delete":
        return "forgotten" if await forget_actor(remote, activity) else "ignored"
    return "ignored"
