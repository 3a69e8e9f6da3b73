"""A hostile neighbour for the mirroring tests: a tiny HTTP server with its own Ed25519 key that answers
`/mirror/v1/hello` truthfully and `/mirror/v1/journal/...` as the test tells it to (`mode`): good batches,
forged ones, a recorded batch replayed, batches signed with another key, gaps, records of another origin,
or an endless body. It can also pull from a real city with signed requests, as a peer or a stranger."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fixtures import free_port
from sns.mirror import signing

T = "2026-12-01T00:00:00+00:00"


def notice(seq: int, origin: str, title: str | None = None) -> dict:
    payload = {"id": f"fake-notice-{seq}", "origin": origin, "version": 1, "created_at": T, "updated_at": T,
               "deleted_at": None, "author_id": "fake-user", "title": title or f"Notice {seq}", "body": "Hello."}
    return {"seq": seq, "recorded_at": T, "kind": "notice", "record_id": payload["id"], "version": 1,
            "payload": payload}


class FakePeer:
    def __init__(self, origin: str = "fake.test") -> None:
        self.origin, self.key, self.other_key = origin, Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
        self.public = signing.public_raw(self.key)
        self.fingerprint = signing.fingerprint_of(self.public)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.mode = "good"
        self.recorded: tuple[bytes, str] | None = None  # the last good batch and its signature
        self.requests = 0
        self.bytes_sent = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                fake.handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- serving ---------------------------------------------------------------------------------------

    def _send(self, handler, body: bytes, signature: str) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header(signing.H_SIGNATURE, signature)
        handler.end_headers()
        handler.wfile.write(body)

    def handle(self, handler) -> None:
        url = urlsplit(handler.path)
        if url.path == "/mirror/v1/hello":
            body = json.dumps({"protocol": 1, "origin": self.origin, "name": "Fake town", "url": self.url,
                               "public_key": signing.b64(self.public), "fingerprint": self.fingerprint,
                               "backup_key": ""}).encode()
            return self._send(handler, body, "")
        self.requests += 1
        after = int(parse_qs(url.query).get("after", ["0"])[0])
        asker = handler.headers.get(signing.H_PEER, "")
        nonce = handler.headers.get(signing.H_NONCE, "")
        if self.mode == "endless":
            return self._endless(handler)
        if self.mode == "replay":
            assert self.recorded is not None, "record a good batch first"
            return self._send(handler, *self.recorded)
        entries = [notice(after + 1, self.origin), notice(after + 2, self.origin)]
        if self.mode == "gap":
            entries[1]["seq"] = after + 3
        if self.mode == "foreign":
            entries = [notice(after + 1, "another.test")]
            entries[0]["payload"]["origin"] = "another.test"
        batch = {"protocol": 1, "from": self.origin, "to": asker, "stream": self.origin, "after": after,
                 "nonce": nonce, "issued_at": 0, "head": after + 2, "entries": entries}
        body = json.dumps(batch, separators=(",", ":")).encode()
        signature = signing.sign_body(self.other_key if self.mode == "wrong_key" else self.key, body)
        if self.mode == "forged":  # signed, then changed on the way
            body = body.replace(b"Notice", b"Forged")
        if self.mode == "good":
            self.recorded = (body, signature)
        self._send(handler, body, signature)

    def _endless(self, handler) -> None:
        """A body that never ends (1 GB and more), sent without a length: only counting can stop it."""
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header(signing.H_SIGNATURE, signing.b64(b"\0" * 64))
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        chunk = b" " * 65536
        framed = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
        try:
            while self.bytes_sent < (1 << 30) + 1:
                handler.wfile.write(framed)
                self.bytes_sent += len(chunk)
        except OSError:  # the puller hung up: what we want
            pass
        handler.close_connection = True

    # -- pulling from a real city ----------------------------------------------------------------------

    def pull_from(self, city_url: str, city_origin: str, *, stream: str | None = None, forge: bool = False):
        target = f"/mirror/v1/journal/{stream or city_origin}?after=0&limit=10"
        headers = signing.sign_request(self.key, method="GET", target=target, peer=self.origin, server=city_origin)
        if forge:
            headers[signing.H_SIGNATURE] = signing.b64(self.other_key.sign(b"something else"))
        return httpx.get(city_url + target, headers=headers, timeout=10, trust_env=False)
