"""The SQLite engine with every statement timed (sns/db_timing/__init__.py)."""

from __future__ import annotations

from tortoise.backends.base.client import NestedTransactionContext, TransactionContext
from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionContext, SqliteTransactionWrapper

from sns.db_timing import Timed


class TimedSqliteTransaction(Timed, SqliteTransactionWrapper):
    def _in_transaction(self) -> TransactionContext:
        return NestedTransactionContext(TimedSqliteTransaction(self))


class TimedSqlite(Timed, SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(TimedSqliteTransaction(self), self._lock)


client_class = TimedSqlite
