"""A map tile server on another loopback address (a host of its own, like a city's tile server).

It serves one plain 256x256 PNG for every /{z}/{x}/{y}.png and remembers what was asked. Set
`failing` to answer 503, as a tile server does when it is down or overloaded.
"""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image

from fixtures import free_port

HOST = "127.0.0.2"  # still this machine (127.0.0.0/8), but another host name for the browser


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), (200, 225, 200)).save(out, "PNG")
    return out.getvalue()


class TileServer:
    def __init__(self) -> None:
        self.failing = False
        self.requests: list[str] = []
        tile, server = _png(), self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the standard library's name)
                server.requests.append(self.path)
                if server.failing:
                    self.send_error(503)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(tile)))
                self.end_headers()
                self.wfile.write(tile)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer((HOST, free_port()), Handler)
        self.port = self.httpd.server_address[1]
        self.url_template = f"http://{HOST}:{self.port}/{{z}}/{{x}}/{{y}}.png"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "TileServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
