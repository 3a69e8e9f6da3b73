"""What every reader sees alike, kept in memory for a few seconds.

The town's newest public diaries, the newest notices and the public Atom feeds are the
same for every reader; under load, asking the database (and rendering a feed) for each
request costs most of a page. A `SharedCache` keeps such a value for
`settings.shared_cache_seconds` (0: not kept at all).

Rules that keep it safe:

- it only ever holds what a visitor may see (public, published, not deleted rows, or
  output made from them); pages filter per reader in Python afterwards, through
  `sns.policies` (blocks, "not my own entries");
- every service that changes a diary, a notice or the site settings calls
  `public_changed()` after its commit, so in this process a change shows at once; other
  worker processes (and rows written around the services) show it within the time above;
- keys include the database, so two apps in one process (tests) never share entries;
- one request loads a missing value while the others wait for it (no stampede).
"""

from __future__ import annotations

import asyncio
import time
import weakref
from typing import Any, Awaitable, Callable, Hashable

_caches: "weakref.WeakSet[SharedCache]" = weakref.WeakSet()
_generation = [0]  # moves whenever any shared value is loaded anew or forgotten


def generation() -> int:
    """A number that changes whenever something shared that kept pages show is loaded with a different
    value, or forgotten, in this process: a page kept for one reader (sns/web/reader_pages.py) is not
    kept past it."""
    return _generation[0]


class SharedCache:
    def __init__(self, clock: Callable[[], float] = time.monotonic, *, on_kept_pages: bool = True) -> None:
        """`on_kept_pages=False` for values no page kept per reader shows, or shows only under a version
        number of its own (the town's newest entries: `town`): their loads leave kept pages alone."""
        self.clock = clock
        self.on_kept_pages = on_kept_pages
        self._entries: dict[Hashable, tuple[float, Any, int | None]] = {}
        self._loading: dict[Hashable, tuple[asyncio.Future, int | None]] = {}
        self._generation = 0  # bumped by forget(): a load that began before it is not kept
        _caches.add(self)

    async def get(self, key: Hashable, seconds: float, load: Callable[[], Awaitable[Any]],
                  version: int | None = None) -> Any:
        """The value under `key` if it is younger than `seconds`, else `await load()` (kept).

        `version`: the number (sns/view_versions.py) the caller read with its session; a value kept under
        an older one (or none) is loaded again, so a change made through another process shows at once."""
        if seconds <= 0:
            return await load()
        now = self.clock()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now and _covers(entry[2], version):
            return entry[1]
        pending, pending_version = self._loading.get(key, (None, None))
        if pending is not None and _covers(pending_version, version):
            try:
                return await asyncio.shield(pending)
            except asyncio.CancelledError:
                if not pending.cancelled():  # this request itself was cancelled
                    raise
                return await load()  # the one loading it was: load it here
        generation = self._generation
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._loading[key] = (future, version)
        try:
            value = await load()
        except BaseException as exc:
            if isinstance(exc, asyncio.CancelledError):
                future.cancel()
            else:
                future.set_exception(exc)
                future.exception()  # retrieved: no "never retrieved" warning when nobody waited
            raise
        else:
            future.set_result(value)
            if generation == self._generation:
                before = self._entries.get(key)
                self._entries[key] = (now + seconds, value, version)
                if self.on_kept_pages and (before is None or not same(before[1], value)):
                    _generation[0] += 1
            return value
        finally:
            if self._loading.get(key, (None,))[0] is future:
                del self._loading[key]

    def forget(self) -> None:
        self._generation += 1
        if self.on_kept_pages:
            _generation[0] += 1
        self._entries.clear()
        self._loading.clear()

    def keys(self) -> list[Hashable]:
        return list(self._entries)

    def values(self) -> list[Any]:
        return [entry[1] for entry in self._entries.values()]


def same(a: Any, b: Any) -> bool:
    """Whether a value loaded again shows the same as before: records by their id and version (a
    Tortoise model's == compares ids only), lists and tuples item by item, anything else by ==."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if hasattr(a, "_meta") and hasattr(b, "_meta"):
        return type(a) is type(b) and a.pk == b.pk and getattr(a, "version", None) == getattr(b, "version", None) \
            and getattr(a, "updated_at", None) == getattr(b, "updated_at", None)
    return a == b


def _covers(kept: int | None, wanted: int | None) -> bool:
    """A value loaded under version `kept` may answer a caller who read `wanted` (None: no number)."""
    return wanted is None or (kept is not None and kept >= wanted)


def database_of(settings) -> tuple:
    """The part of a key that tells apps on different databases apart (cheap: no path lookups)."""
    return (settings.database_url, settings.data_dir)


def public_changed() -> None:
    """A diary, notice or site setting changed: forget everything shared in this process."""
    for cache in list(_caches):
        cache.forget()
