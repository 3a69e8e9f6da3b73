"""Passwords, secret tokens and rate limits."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import defaultdict, deque

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# A hash of a random password, verified when the username is unknown so that
# a wrong username takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


# One-time standby codes (sns/services/standby_codes.py) are random (80 bits), not chosen by people: OWASP's
# lighter Argon2id parameters suffice, and an administrator makes ten at once.
_code_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_code(code: str) -> str:
    """An Argon2id hash of a random one-time code; checked with `verify_password` (the hash names its
    parameters)."""
    return _code_hasher.hash(code)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and bool(stored)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
    """Tokens are stored hashed: a leaked database grants no sign-ins."""
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class RateLimiter:
    """At most `limit` events per `window` seconds per key, in this process.

    With several workers each keeps its own count, so the effective limit is
    `limit x workers`; the documented numbers are per worker.
    """

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._events: dict[str, deque[float]] = defaultdict(deque)

    def _trim(self, key: str, now: float) -> deque[float]:
        q = self._events[key]
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def blocked(self, key: str) -> bool:
        now = time.monotonic()
        return len(self._trim(key, now)) >= self.limit

    def hit(self, key: str) -> bool:
        """Count one event; False when the limit was already reached."""
        now = time.monotonic()
        q = self._trim(key, now)
        if len(q) >= self.limit:
            return False
        q.append(now)
        if len(self._events) > 100_000:  # bounded memory under a flood of keys
            for k in [k for k, v in self._events.items() if not v][:50_000]:
                del self._events[k]
        return True

    def reset(self, key: str) -> None:
        self._events.pop(key, None)
