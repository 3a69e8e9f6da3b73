"""Demo communities (see sns/demos/__init__.py)."""

from __future__ import annotations


async def seed(as_user, users) -> None:
    return None
