"""Demo alerts for the demo town."""

from __future__ import annotations


async def seed(as_user, users) -> None:
    return None
