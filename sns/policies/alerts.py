"""Who may post and change official alerts (issue 6)."""

from __future__ import annotations

from sns.policies.core import *  # noqa: F401,F403
from sns.policies.core import OFFERED_ELSEWHERE, Viewer  # noqa: F401
