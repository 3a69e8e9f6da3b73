"""Tortoise engines (named in sns/db.py's config: `sns.db_timing.sqlite`, `sns.db_timing.asyncpg`) whose
clients time every statement into `sns_db_query_duration_seconds`.

Tortoise builds a connection from an engine module's `client_class`; these are its SQLite and asyncpg
clients with the five `execute_*` methods timed, and their transaction wrappers too (a transaction runs
its statements on a wrapper object of its own, so timing only the client would miss every write).
Configured, not patched: nothing in the libraries changes when this is imported. The modules are named
after the drivers because Tortoise's migrations choose their schema editor by the client's module name.
"""

from __future__ import annotations

from time import perf_counter

from sns.metrics import DB_TIME

_observe = DB_TIME.observe


async def _timed(statement):
    start = perf_counter()
    try:
        return await statement
    finally:
        _observe(perf_counter() - start)


class Timed:
    """The statements a client runs, timed (a mixin before the library's class)."""

    async def execute_insert(self, query, values):
        return await _timed(super().execute_insert(query, values))

    async def execute_many(self, query, values):
        return await _timed(super().execute_many(query, values))

    async def execute_query(self, query, values=None):
        return await _timed(super().execute_query(query, values))

    async def execute_query_dict(self, query, values=None):
        return await _timed(super().execute_query_dict(query, values))

    async def execute_script(self, query):
        return await _timed(super().execute_script(query))
