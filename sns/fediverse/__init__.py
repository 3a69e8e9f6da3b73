"""The city on the fediverse (ActivityPub; docs/federation.md).

The city is one actor (`@city@<host>`, the handle a setting) that publishes official notices and alerts;
a resident who chose "followable" in Settings is another, publishing their public diaries only. Everything
served or delivered is built from what a visitor may see (`sns/policies`).

- `addresses.py`: the URLs of our actors, their inboxes, outboxes, followers and keys.
- `keys.py`: each actor's RSA key pair (made on first need).
- `queue.py`: `enqueue` puts one activity in the delivery queue, one row per receiving server.
- `actors.py`, `objects.py`: the actor documents; Notes, Tombstones and the activities around them.
- `outbox.py`, `discovery.py`: outboxes and followers collections; WebFinger and NodeInfo.
- `negotiation.py`: one address, the page for browsers and the object for fediverse servers.
- `publishing.py`: what the services queue, in their transactions, when a notice, alert or diary changes.
- `routes.py`: the read side's addresses (`ROUTES`, the manifest's area "fediverse").
"""
