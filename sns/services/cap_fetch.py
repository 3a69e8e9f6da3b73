"""Fetching one CAP source's bytes over HTTP(S), within limits, or saying in words why not.

`fetch(client, url, settings)` gives the body (or None: not modified since the ETag/Last-Modified we
sent) and raises only `FetchError(code, reason)`. The body is counted while it streams in: past
`cap_max_bytes` (announced or actual, after gzip) the connection is closed without reading the rest.
Connecting and each wait for more bytes are bounded by `cap_timeout_seconds`, the whole fetch (redirects
included, at most `MAX_REDIRECTS`) by three times that, so a source that drips forever is cut off too.
"""

from __future__ import annotations

import asyncio
import zlib
from dataclasses import dataclass

import httpx

from sns.settings import Settings

MAX_REDIRECTS = 5
ACCEPT = "application/cap+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
USER_AGENT = "sns-cap-poller/1 (+CAP 1.2 import)"


class FetchError(Exception):
    """A fetch that failed or was refused: `code` (a key of sns.services.cap_poll.ERROR_LABELS), `reason`."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


@dataclass
class Fetched:
    body: bytes
    content_type: str
    etag: str
    last_modified: str


def make_client(settings: Settings) -> httpx.AsyncClient:
    t = float(settings.cap_timeout_seconds)
    return httpx.AsyncClient(timeout=httpx.Timeout(t, connect=t), follow_redirects=True,
                             max_redirects=MAX_REDIRECTS,
                             headers={"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Encoding": "gzip"})


def _too_large(cap: int) -> FetchError:
    return FetchError("too_large", f"larger than {cap} bytes (cap_max_bytes): stopped reading")


async def _read(response: httpx.Response, cap: int) -> bytes:
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "", "gzip", "x-gzip", "deflate"):
        raise FetchError("network", f"unsupported content encoding {encoding[:30]!r}")
    inflate = zlib.decompressobj(wbits=47 if "gzip" in encoding else zlib.MAX_WBITS) \
        if encoding not in ("identity", "") else None
    chunks, total = [], 0
    async for raw in response.aiter_raw():
        if inflate is not None:
            try:
                raw = inflate.decompress(raw, cap + 1 - total)  # a gzip bomb stops at the cap too
            except zlib.error:
                raise FetchError("network", "the compressed body is damaged") from None
            if inflate.unconsumed_tail:
                raise _too_large(cap)
        total += len(raw)
        if total > cap:
            raise _too_large(cap)
        chunks.append(raw)
    return b"".join(chunks)


async def _fetch(client: httpx.AsyncClient, url: str, cap: int, headers: dict[str, str]) -> Fetched | None:
    async with client.stream("GET", url, headers=headers) as response:
        if response.status_code == 304:
            return None
        if not 200 <= response.status_code < 300:
            raise FetchError("http", f"HTTP {response.status_code} {response.reason_phrase}".strip())
        announced = response.headers.get("content-length", "").strip()
        if announced.isdigit() and int(announced) > cap:
            raise FetchError("too_large", f"announces {int(announced)} bytes, more than {cap} (cap_max_bytes): "
                                          "not read")
        body = await _read(response, cap)
        return Fetched(body, response.headers.get("content-type", "")[:200],
                       response.headers.get("etag", "")[:500], response.headers.get("last-modified", "")[:100])


async def fetch(client: httpx.AsyncClient, url: str, settings: Settings, *, etag: str = "",
                last_modified: str = "") -> Fetched | None:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    limit = settings.cap_timeout_seconds
    try:
        async with asyncio.timeout(3 * limit):
            return await _fetch(client, url, settings.cap_max_bytes, headers)
    except FetchError:
        raise
    except (TimeoutError, httpx.TimeoutException) as exc:
        kind = "connecting" if isinstance(exc, httpx.ConnectTimeout) else "waiting for the answer"
        raise FetchError("timeout", f"timed out {kind} (cap_timeout_seconds {limit})") from None
    except httpx.TooManyRedirects:
        raise FetchError("redirects", f"more than {MAX_REDIRECTS} redirects") from None
    except httpx.ConnectError as exc:
        raise FetchError("connect", f"could not connect: {str(exc)[:200] or type(exc).__name__}") from None
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        raise FetchError("url", f"not a URL we fetch: {str(exc)[:200]}") from None
    except httpx.HTTPError as exc:
        raise FetchError("network", f"{type(exc).__name__}: {str(exc)[:200]}") from None
