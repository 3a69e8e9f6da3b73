"""The asyncpg (PostgreSQL) engine with every statement timed (sns/db_timing/__init__.py)."""

from __future__ import annotations

from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
from tortoise.backends.base.client import NestedTransactionContext, TransactionContext, TransactionContextPooled

from sns.db_timing import Timed


class TimedAsyncpgTransaction(Timed, TransactionWrapper):
    def _in_transaction(self) -> TransactionContext:
        return NestedTransactionContext(TimedAsyncpgTransaction(self))


class TimedAsyncpg(Timed, AsyncpgDBClient):
    def _in_transaction(self) -> TransactionContext:
        return TransactionContextPooled(TimedAsyncpgTransaction(self), self._pool_init_lock)


client_class = TimedAsyncpg
