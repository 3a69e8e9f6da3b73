"""The peer: one fediverse actor on 127.0.0.1:PORT, made of bovine's parts.

Served: WebFinger, the actor document (with its RSA public key and a shared inbox), its inbox and the shared
inbox. Every POST to an inbox is checked with bovine's HTTP Signature verifier (the signer's key fetched with
a signed GET, as Mastodon's secure mode does, and kept; fetched again once when it fails) and recorded with `verified` true or false; an unverified post
is answered 401, as a real server would. An `Accept` of one of our follows marks that follow accepted.

The control API (for the test, on the same loopback port, under /control/):
- `GET  /control/state`: everything recorded (also kept in the --state file).
- `POST /control/follow {"handle": "city@127.0.0.1:8000"}`: WebFinger, fetch the actor, send a signed Follow.
- `POST /control/unfollow {"handle": ...}`: send a signed Undo of that Follow.
- `POST /control/send {"kind": ..., "inbox": url, ...}`: one crafted post (crafted.py), optionally naming
  another `key_id`; answers its status.
- `POST /control/fetch {"url": ...}`: a signed GET, as bovine fetches objects; answers what came back.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from datetime import datetime, timezone
from pathlib import Path

import aiohttp
from aiohttp import web
from bovine import BovineActor
from bovine.activitystreams import Actor
from bovine.activitystreams.activity_factory import ActivityFactory
from bovine.clients import lookup_uri_with_webfinger
from bovine.crypto import build_validate_http_signature_raw, generate_rsa_public_private_key
from bovine.crypto.types import CryptographicIdentifier
from bovine.utils import webfinger_response_json

from . import crafted
from .offline import use_local_contexts

MAX_BODY = 4 * 1024 * 1024  # what the peer itself accepts (the city's limits are the city's)


def public_key_of(document: dict, key_id: str) -> CryptographicIdentifier | None:
    """The key `key_id` names, from what fetching it returned: an actor with `publicKey` (one or a list) or
    the key object itself."""
    found = document.get("publicKey", document)
    if isinstance(found, list):
        found = next((k for k in found if isinstance(k, dict) and k.get("id") == key_id), None)
    if not isinstance(found, dict) or found.get("id", key_id) != key_id:
        return None
    return CryptographicIdentifier.from_public_key(found)


class Peer:
    def __init__(self, port: int, state_path: Path, name: str) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.name = name
        self.actor_id = f"{self.base}/users/{name}"
        self.key_id = f"{self.actor_id}#main-key"
        self.public_pem, self.private_pem = generate_rsa_public_private_key()
        self.state_path = state_path
        self.state: dict = {"actor": self.actor_id, "received": [], "follows": {}, "sent": []}
        self.follow_activities: dict[str, dict] = {}  # handle -> our Follow activity
        self.session: aiohttp.ClientSession | None = None
        self.bovine: BovineActor | None = None
        self.factory = ActivityFactory({"id": self.actor_id, "followers": self.actor_id + "/followers"},
                                       id_generator=lambda: f"{self.base}/activities/{secrets.token_hex(8)}")
        self.verify = build_validate_http_signature_raw(self.fetch_key)
        self.last_signed: crafted.Signed | None = None  # the last good signed post we sent (for a replay)
        self.keys: dict[str, CryptographicIdentifier] = {}  # keyId -> the key fetched for it

    # --- what the peer serves -------------------------------------------------------------------------------
    def actor_document(self) -> dict:
        return Actor(id=self.actor_id, preferred_username=self.name, name=f"Peer {self.name}",
                     inbox=self.actor_id + "/inbox", outbox=self.actor_id + "/outbox",
                     followers=self.actor_id + "/followers", public_key=self.public_pem, public_key_name="main-key",
                     properties={"endpoints": {"sharedInbox": self.base + "/inbox"}}).build()

    async def webfinger(self, request: web.Request) -> web.Response:
        resource = request.query.get("resource", "")
        if resource != f"acct:{self.name}@127.0.0.1:{request.url.port}":
            return web.Response(status=404)
        return web.json_response(webfinger_response_json(resource, self.actor_id),
                                 content_type="application/jrd+json")

    async def actor(self, request: web.Request) -> web.Response:
        if request.match_info["name"] != self.name:
            return web.Response(status=404)
        return web.json_response(self.actor_document(), content_type="application/activity+json")

    async def empty_collection(self, request: web.Request) -> web.Response:
        return web.json_response({"@context": "https://www.w3.org/ns/activitystreams", "id": str(request.url),
                                  "type": "OrderedCollection", "totalItems": 0, "orderedItems": []},
                                 content_type="application/activity+json")

    # --- the inbox --------------------------------------------------------------------------------------------
    async def fetch_key(self, key_id: str) -> CryptographicIdentifier | None:
        """bovine's key retriever: the key kept from before, else a signed GET of the keyId (its actor
        document), kept. As Mastodon does, so a signed Delete of an actor that is gone still verifies."""
        if key_id in self.keys:
            return self.keys[key_id]
        assert self.bovine is not None
        document = await self.bovine.get(key_id.split("#", 1)[0] if "#" in key_id else key_id)
        found = public_key_of(document, key_id) if document else None
        if found is not None:
            self.keys[key_id] = found
        return found

    async def inbox(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}

        async def read_body() -> bytes:
            return body

        signer, error = None, ""
        for _ in (1, 2):  # a kept key that fails is fetched again once (the actor may have a new one)
            try:
                signer = await self.verify(request.method, str(request.url), headers, read_body)
            except Exception as exc:  # a broken key document, an unreachable key: not verified
                signer, error = None, repr(exc)
            if signer or not self.keys.pop(_key_id(headers.get("signature", "")), None):
                break
        try:
            activity = json.loads(body)
        except ValueError:
            activity = None
        verified = bool(signer) and isinstance(activity, dict) and activity.get("actor") == signer
        self.state["received"].append({
            "path": request.path, "verified": verified, "signer": signer, "error": error,
            "key_id": _key_id(headers.get("signature", "")), "date": headers.get("date", ""),
            "activity": activity, "received_at": datetime.now(timezone.utc).isoformat(),
        })
        if verified and activity.get("type") == "Accept":
            self.note_accept(activity)
        self.save()
        return web.Response(status=202 if verified else 401)

    def note_accept(self, accept: dict) -> None:
        accepted = accept.get("object")
        accepted_id = accepted.get("id") if isinstance(accepted, dict) else accepted
        for follow in self.state["follows"].values():
            if follow["follow_id"] == accepted_id and follow["actor"] == accept.get("actor"):
                follow["accepted"] = True

    # --- the control API ------------------------------------------------------------------------------------
    async def read_state(self, request: web.Request) -> web.Response:
        return web.json_response(self.state)

    async def follow(self, request: web.Request) -> web.Response:
        handle = (await request.json())["handle"]
        assert self.session is not None and self.bovine is not None
        domain = handle.rsplit("@", 1)[1]
        target, _ = await lookup_uri_with_webfinger(self.session, "acct:" + handle, "http://" + domain)
        if not target:
            return web.json_response({"error": f"WebFinger found no actor for {handle}"}, status=404)
        document = await self.bovine.get(target)
        activity = self.factory.follow(target).build()
        self.follow_activities[handle] = activity
        status = await self.post_signed(document["inbox"], activity)
        self.state["follows"][handle] = {"actor": target, "inbox": document["inbox"], "follow_id": activity["id"],
                                         "status": status, "accepted": False}
        self.save()
        return web.json_response(self.state["follows"][handle])

    async def unfollow(self, request: web.Request) -> web.Response:
        handle = (await request.json())["handle"]
        follow = self.state["follows"][handle]
        activity = self.factory.undo(self.follow_activities[handle], include_activity=True).build()
        status = await self.post_signed(follow["inbox"], activity)
        follow.update(undone=True, undo_status=status)
        self.save()
        return web.json_response({"status": status, "undo_id": activity["id"]})

    async def fetch(self, request: web.Request) -> web.Response:
        """A signed GET of `url` as bovine does it (Accept: application/activity+json): its status, content type
        and JSON (null when it is not JSON)."""
        assert self.bovine is not None
        response = await self.bovine.client.get((await request.json())["url"])
        text = await response.text(errors="replace")
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        return web.json_response({"status": response.status, "content_type": response.headers.get("content-type", ""),
                                  "document": document})

    async def send(self, request: web.Request) -> web.Response:
        asked = await request.json()
        assert self.session is not None
        activity = asked.get("activity") or self.factory.like(asked.get("object", self.actor_id)).build()
        activity.setdefault("actor", self.actor_id)
        key_id = asked.get("key_id") or self.key_id  # another keyId: a forged one, on another server
        status, text, signed = await crafted.send(self.session, asked["kind"], asked["inbox"], activity,
                                                  key_id, self.private_pem, self.last_signed,
                                                  size=int(asked.get("size", 0)))
        if signed is not None:
            self.last_signed = signed
        self.state["sent"].append({"kind": asked["kind"], "inbox": asked["inbox"], "status": status})
        self.save()
        return web.json_response({"status": status, "text": text[:1000], "activity_id": activity.get("id")})

    async def post_signed(self, inbox: str, activity: dict) -> int:
        assert self.session is not None
        status, _, signed = await crafted.send(self.session, "signed", inbox, activity, self.key_id,
                                               self.private_pem, None)
        self.last_signed = signed
        return status

    def save(self) -> None:
        temporary = self.state_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.state, indent=1))
        temporary.replace(self.state_path)

    # --- wiring -------------------------------------------------------------------------------------------------
    async def open(self, app: web.Application) -> None:
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20))
        self.bovine = BovineActor(actor_id=self.actor_id, public_key_url=self.key_id, secret=self.private_pem)
        await self.bovine.init(session=self.session)
        self.save()

    async def close(self, app: web.Application) -> None:
        if self.session is not None:
            await self.session.close()

    def app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY)
        app.on_startup.append(self.open)
        app.on_cleanup.append(self.close)
        app.router.add_get("/.well-known/webfinger", self.webfinger)
        app.router.add_get("/users/{name}", self.actor)
        app.router.add_get("/users/{name}/outbox", self.empty_collection)
        app.router.add_get("/users/{name}/followers", self.empty_collection)
        app.router.add_post("/users/{name}/inbox", self.inbox)
        app.router.add_post("/inbox", self.inbox)
        app.router.add_get("/control/state", self.read_state)
        app.router.add_post("/control/follow", self.follow)
        app.router.add_post("/control/unfollow", self.unfollow)
        app.router.add_post("/control/send", self.send)
        app.router.add_post("/control/fetch", self.fetch)
        return app


def _key_id(signature_header: str) -> str:
    for part in signature_header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "keyId":
            return value.strip('"')
    return ""


def serve(port: int, state_path: Path, name: str) -> None:
    use_local_contexts()
    logging.basicConfig(level=logging.INFO)
    peer = Peer(port, state_path, name)
    web.run_app(peer.app(), host="127.0.0.1", port=port, print=None, handle_signals=True,
                loop=asyncio.new_event_loop())
