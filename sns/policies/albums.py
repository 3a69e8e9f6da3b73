"""Rules for albums (see sns/policies/__init__.py)."""

from __future__ import annotations

from sns.policies.core import *  # noqa: F401,F403
