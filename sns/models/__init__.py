"""Tortoise models. No business logic beyond fields; services do the rest."""

from sns.models.diary import TEXT_STATES, VISIBILITIES, Comment, Diary, Photo
from sns.models.journal import JournalCounter, JournalEntry
from sns.models.moderation import FLAG_KINDS, MODERATION_ACTIONS, Flag, ModerationLog
from sns.models.notices import Notice
from sns.models.social import Block, Friendship
from sns.models.users import (
    PROFILE_FIELDS,
    ROLES,
    ApiToken,
    District,
    Invitation,
    PasswordReset,
    Session,
    SiteSetting,
    User,
)

__all__ = [
    "ApiToken", "Block", "FLAG_KINDS", "Flag", "MODERATION_ACTIONS", "ModerationLog", "Comment", "Diary", "District", "Friendship", "Invitation",
    "JournalCounter", "JournalEntry", "Notice", "PasswordReset", "Photo", "PROFILE_FIELDS",
    "ROLES", "Session", "SiteSetting", "TEXT_STATES", "User", "VISIBILITIES",
]
