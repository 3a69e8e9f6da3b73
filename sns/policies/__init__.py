"""The one rulebook of who may see and do what (DESIGN invariant 4), one short file per kind of record.

`core` holds the viewer, the shared predicates and the rules for diaries, people, the town and
moderation; the other modules hold the rules for communities, events, mail and the city's
departments, and albums. Everything is importable from `sns.policies`, except the rules of the account itself
(`second_factors`, `passkeys`, `my_data`, `audit`, `leaving`), imported from their own modules.
"""

from sns.policies.core import *  # noqa: F401,F403
from sns.policies.core import ANONYMOUS, MODERATOR_ROLES, STAFF_ROLES, Viewer  # noqa: F401
from sns.policies.communities import *  # noqa: F401,F403
from sns.policies.events import *  # noqa: F401,F403
from sns.policies.messages import *  # noqa: F401,F403
from sns.policies.albums import *  # noqa: F401,F403
from sns.policies.reports import *  # noqa: F401,F403
from sns.policies.shelters import *  # noqa: F401,F403
from sns.policies.alerts import *  # noqa: F401,F403
from sns.policies.cap_sources import *  # noqa: F401,F403
from sns.policies.disaster import *  # noqa: F401,F403
from sns.policies.alert_notices import *  # noqa: F401,F403
from sns.policies.mirror import *  # noqa: F401,F403
from sns.policies.behalf import *  # noqa: F401,F403
from sns.policies.mirror_pages import *  # noqa: F401,F403
from sns.policies.sql import (  # noqa: F401
    Params, audience_scope_sql, blocked_ids_sql, comment_scope_sql, diary_scope_sql, friend_ids_sql, load_viewer,
    public_diary_scope_sql,
)
