"""A real HTTP server on 127.0.0.1 (http.server in a thread) playing CAP sources, good and hostile.

`server.serve(path, body, status=200, headers=None)` sets what a path answers; `server.stream(path, total)`
makes it send `total` bytes without a length, counting in `server.sent[path]` what actually went out;
`server.slow(path, seconds)` waits before answering. `server.hits[path]` counts requests, and
`server.seen_headers[path]` keeps the last request's headers.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections import Counter
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM = "http://www.w3.org/2005/Atom"
SENDER = "fd@pref.example"


def cap(identifier="PREF-1", msg_type="Alert", references="", headline="Forest fire near the pass",
        sent="2026-11-23T19:20:00+09:00", urgency="Expected", declaration=True) -> bytes:
    refs = f"<references>{references}</references>" if references else ""
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if declaration else ""
    return f"""{head}<alert xmlns="{NS}"><identifier>{identifier}</identifier><sender>{SENDER}</sender>
<sent>{sent}</sent><status>Actual</status><msgType>{msg_type}</msgType><scope>Public</scope>{refs}
<info><language>en-US</language><category>Fire</category><event>Forest fire</event><urgency>{urgency}</urgency>
<severity>Moderate</severity><certainty>Likely</certainty><headline>{headline}</headline>
<description>Spreading east</description><area><areaDesc>Ashigara pass</areaDesc>
<circle>35.1,139.2 1.5</circle></area></info></alert>""".encode()


def ref(identifier="PREF-1", sent="2026-11-23T19:20:00+09:00") -> str:
    return f"{SENDER},{identifier},{sent}"


def feed(*entries: str) -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><feed xmlns="{ATOM}"><id>urn:x</id><title>Pref</title>'
            f'<updated>2026-11-23T10:00:00Z</updated>{"".join(entries)}</feed>').encode()


def embedded(document: bytes, n: int = 1) -> str:
    body = document.decode().split("?>", 1)[-1]
    return (f"<entry><id>urn:e{n}</id><title>e</title><updated>2026-11-23T10:00:00Z</updated>"
            f'<content type="application/cap+xml">{body}</content></entry>')


def linked(url: str, n: int = 1) -> str:
    return (f"<entry><id>urn:l{n}</id><title>l</title><updated>2026-11-23T10:00:00Z</updated>"
            f'<link rel="alternate" type="application/cap+xml" href="{url}"/></entry>')


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                             for i in range(1, 10))
                  + f'<!ENTITY x "&lol9;">]><alert xmlns="{NS}">&x;</alert>'.encode())
EXTERNAL_ENTITY = (f'<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                   f'<alert xmlns="{NS}"><identifier>&xxe;</identifier></alert>').encode()


class CapServer:
    def __init__(self) -> None:
        self.routes: dict[str, tuple] = {}
        self.hits: Counter = Counter()
        self.sent: Counter = Counter()
        self.seen_headers: dict[str, dict] = {}
        self.httpd: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def serve(self, path, body: bytes, status=200, headers=None, content_type="application/cap+xml"):
        self.routes[path] = ("body", body, status, {"Content-Type": content_type, **(headers or {})})

    def stream(self, path, total: int, chunk: bytes = b"<alert>" + b"x" * 65529, announce: int | None = None,
               pause: float = 0.0):
        """`total` bytes in `chunk`s, `pause` seconds apart; `announce`: the Content-Length it claims."""
        self.routes[path] = ("stream", total, chunk, announce, pause)

    def redirect(self, path, to: str, status: int = 302):
        self.routes[path] = ("body", b"", status, {"Location": to})

    def slow(self, path, seconds: float, body: bytes = b""):
        self.routes[path] = ("slow", seconds, body)

    def gzip_bomb(self, path, size: int):
        self.routes[path] = ("body", gzip.compress(b"<" + b" " * size, 9), 200,
                             {"Content-Type": "application/xml", "Content-Encoding": "gzip"})

    def handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                path = self.path
                server.hits[path] += 1
                server.seen_headers[path] = dict(self.headers)
                route = server.routes.get(path)
                if route is None:
                    return self._send(404, b"<html><body>Not found</body></html>", {"Content-Type": "text/html"})
                if route[0] == "body":
                    _, body, status, headers = route
                    etag = headers.get("ETag")
                    if etag and self.headers.get("If-None-Match") == etag:
                        return self._send(304, b"", {"ETag": etag})
                    return self._send(status, body, headers)
                if route[0] == "slow":
                    time.sleep(route[1])
                    return self._send(200, route[2], {"Content-Type": "application/cap+xml"})
                _, total, chunk, announce, pause = route
                self.send_response(200)
                self.send_header("Content-Type", "application/cap+xml")
                if announce is not None:
                    self.send_header("Content-Length", str(announce))
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    while server.sent[path] < total:
                        self.wfile.write(chunk)
                        self.wfile.flush()
                        server.sent[path] += len(chunk)
                        time.sleep(pause)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    pass
                self.close_connection = True

            def _send(self, status, body, headers):
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the poller gave up waiting: as it should
                    self.close_connection = True

        return Handler


class _Quiet(ThreadingHTTPServer):
    def handle_error(self, request, client_address):  # a poller hanging up early is the point of some tests
        pass


@contextmanager
def cap_server():
    server = CapServer()
    server.httpd = _Quiet(("127.0.0.1", 0), server.handler())
    server.httpd.daemon_threads = True
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
