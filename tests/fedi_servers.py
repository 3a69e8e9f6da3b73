"""A small fediverse server for tests, on its own loopback address (127.0.0.N, so each one is a separate
"server" by host name), as http.server in a thread.

It serves its actors' documents (`GET /users/<name>`, with an RSA public key, an inbox and the shared inbox
`/inbox`) and keeps every POST to an inbox (`arrivals`: path, lower-case headers, body, when), answering with
`status` (or per path in `statuses`) after `delay` seconds. `signed_post` builds a draft-cavage signed POST as
Mastodon sends one; it is written here from the draft (not with the signer the instance uses), so the
instance's checks are tested against an independent signer."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from fixtures import free_port

AS = "https://www.w3.org/ns/activitystreams"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


@dataclass
class Arrival:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def activity(self) -> dict:
        return json.loads(self.body)


@dataclass
class Peer:
    address: str = "127.0.0.2"
    status: int = 202
    statuses: dict[str, int] = field(default_factory=dict)  # inbox path -> status
    delay: float = 0.0
    keys: dict[str, rsa.RSAPrivateKey] = field(default_factory=dict)  # actor name -> key
    arrivals: list[Arrival] = field(default_factory=list)
    fetches: list[str] = field(default_factory=list)  # paths of GETs, with their Signature header's keyId
    httpd: ThreadingHTTPServer | None = None
    shared: bool = True  # whether actors name the shared inbox

    @property
    def url(self) -> str:
        return f"http://{self.address}:{self.httpd.server_address[1]}"

    def actor(self, name: str) -> str:
        return f"{self.url}/users/{name}"

    def key_id(self, name: str) -> str:
        return self.actor(name) + "#main-key"

    def inbox(self, name: str) -> str:
        return self.actor(name) + "/inbox"

    def key(self, name: str) -> rsa.RSAPrivateKey:
        return self.keys.setdefault(name, new_key())

    def document(self, name: str) -> dict:
        doc = {"@context": [AS, "https://w3id.org/security/v1"], "id": self.actor(name), "type": "Person",
               "preferredUsername": name, "inbox": self.inbox(name), "outbox": self.actor(name) + "/outbox",
               "publicKey": {"id": self.key_id(name), "owner": self.actor(name),
                             "publicKeyPem": public_pem(self.key(name))}}
        if self.shared:
            doc["endpoints"] = {"sharedInbox": self.url + "/inbox"}
        return doc

    def signed_post(self, name: str, url: str, activity: dict | bytes, *, key: rsa.RSAPrivateKey | None = None,
                    date: float | None = None, key_id: str | None = None) -> tuple[bytes, dict[str, str]]:
        """(body, headers) of a POST of `activity` to `url`, signed by actor `name` the way Mastodon signs."""
        body = activity if isinstance(activity, bytes) else json.dumps(activity).encode()
        parts = urlsplit(url)
        headers = {"host": parts.netloc, "date": formatdate(time.time() if date is None else date, usegmt=True),
                   "digest": "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()}
        string = "\n".join([f"(request-target): post {parts.path}"] + [f"{k}: {v}" for k, v in headers.items()])
        signature = base64.b64encode((key or self.key(name)).sign(string.encode(), padding.PKCS1v15(),
                                                                  hashes.SHA256())).decode()
        headers["signature"] = (f'keyId="{key_id or self.key_id(name)}",algorithm="rsa-sha256",'
                                f'headers="(request-target) host date digest",signature="{signature}"')
        headers["content-type"] = "application/activity+json"
        return body, headers

    def received(self, path: str | None = None) -> list[Arrival]:
        return [a for a in list(self.arrivals) if path is None or a.path == path]


def _handler(peer: Peer):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def answer(self, status: int, body: bytes = b"", ctype: str = "application/activity+json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            path = urlsplit(self.path).path
            peer.fetches.append(path)
            name = path.removeprefix("/users/")
            if path.startswith("/users/") and "/" not in name and name in peer.keys:
                return self.answer(200, json.dumps(peer.document(name)).encode())
            self.answer(404, b"{}")

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path = urlsplit(self.path).path
            peer.arrivals.append(Arrival(path, {k.lower(): v for k, v in self.headers.items()}, body, time.time()))
            if peer.delay:
                time.sleep(peer.delay)
            self.answer(peer.statuses.get(path, peer.status))

    return Handler


@contextmanager
def fediverse_peer(address: str = "127.0.0.2", **options):
    """A `Peer` listening on `address` (a loopback address of its own) until the block ends."""
    peer = Peer(address=address, **options)
    peer.httpd = ThreadingHTTPServer((address, free_port()), _handler(peer))
    peer.httpd.daemon_threads = True
    thread = threading.Thread(target=peer.httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield peer
    finally:
        peer.httpd.shutdown()
        peer.httpd.server_close()
