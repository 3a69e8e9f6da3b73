"""Who may do what with shelters (issue 5)."""

from __future__ import annotations

from sns.policies.core import *  # noqa: F401,F403
from sns.policies.core import Viewer  # noqa: F401
