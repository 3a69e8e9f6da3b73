"""A neighbour on 127.0.0.1 (http.server in a thread) speaking the mirroring protocol with a real Ed25519 key.

It answers `/mirror/v1/hello` with its key (the fingerprint check in sns/mirror/peers.add_peer is real) and
`/mirror/v1/journal/<its origin>` with batches signed the way sns/mirror/serve.py signs them: `head`
entries, each a withdrawal (a record id only), of which it hands out the first `available`. `mode` makes it
misbehave: "bad_signature" signs with another key, "refuse" answers 403 as a neighbour that has not added us,
"down" answers 503.
"""

from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fixtures import free_port
from sns.mirror import signing


class Neighbour:
    def __init__(self, origin: str = "neighbour.example", name: str = "Neighbour Town") -> None:
        self.origin, self.name = origin, name
        self.key = Ed25519PrivateKey.generate()
        self.head = 0
        self.available: int | None = None  # entries handed out (None: all of them)
        self.mode = "good"
        self.httpd: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def fingerprint(self) -> str:
        return signing.fingerprint_of(signing.public_raw(self.key))

    def hello(self) -> dict:
        public = signing.public_raw(self.key)
        return {"protocol": signing.PROTOCOL, "origin": self.origin, "name": self.name, "url": self.url,
                "public_key": signing.b64(public), "fingerprint": self.fingerprint, "backup_key": ""}

    def batch(self, peer: str, nonce: str, after: int, limit: int) -> tuple[bytes, str]:
        upto = min(self.head if self.available is None else self.available, after + limit)
        stamp = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc).isoformat()
        entries = [{"seq": n, "recorded_at": stamp, "record_id": f"withdrawn-{n}"} for n in range(after + 1, upto + 1)]
        body = json.dumps({"protocol": signing.PROTOCOL, "from": self.origin, "to": peer, "stream": self.origin,
                           "after": after, "nonce": nonce, "issued_at": int(time.time()), "head": self.head,
                           "entries": entries}).encode()
        key = Ed25519PrivateKey.generate() if self.mode == "bad_signature" else self.key
        return body, signing.sign_body(key, body)


def _handler(neighbour: Neighbour):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def answer(self, status: int, body: bytes, headers: dict | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            parts = urlsplit(self.path)
            if parts.path == "/mirror/v1/hello":
                return self.answer(200, json.dumps(neighbour.hello()).encode())
            if parts.path != f"/mirror/v1/journal/{neighbour.origin}":
                return self.answer(404, b'{"error": "no such page"}')
            if neighbour.mode == "down":
                return self.answer(503, b'{"error": "maintenance"}')
            if neighbour.mode == "refuse":
                return self.answer(403, b'{"error": "not a peer of this instance", "what": "unknown_peer"}')
            query = parse_qs(parts.query)
            body, signature = neighbour.batch(self.headers.get(signing.H_PEER, ""),
                                              self.headers.get(signing.H_NONCE, ""),
                                              int(query["after"][0]), int(query["limit"][0]))
            self.answer(200, body, {signing.H_SIGNATURE: signature})

    return Handler


@contextmanager
def neighbour_server(**options):
    """A `Neighbour` listening on a free loopback port until the block ends."""
    neighbour = Neighbour(**options)
    neighbour.httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), _handler(neighbour))
    thread = threading.Thread(target=neighbour.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield neighbour
    finally:
        neighbour.httpd.shutdown()
        neighbour.httpd.server_close()
