"""Tortoise models. No business logic beyond fields; services do the rest."""

from sns.models.alerts import (
    ACTIVE_STATUSES, ALERT_KINDS, ALERT_STATUSES, CERTAINTIES, SEVERITIES, URGENCIES, Alert, AlertUpdate,
    StaffActionLog,
)
from sns.models.albums import Album
from sns.models.behalf import ActingSession, StandbyCode
from sns.models.alert_notices import AlertNotice, AlertNoticeStep, AlertSubscription, PushSubscription
from sns.models.cap_sources import CapPollLog, CapSource
from sns.models.disaster import CHECKIN_STATUSES, DisasterEvent, DisasterPost, SafetyCheckin
from sns.models.communities import (
    JOIN_POLICIES, MEMBER_ROLES, MEMBER_STATES, READABLE_BY, Community, Membership, Reply, Topic, TopicFollow,
)
from sns.models.counters import APPOINTMENT_STATES, WEEKDAYS, Appointment, ClosedDay, Counter, SlotTaken
from sns.models.diary import TEXT_STATES, VISIBILITIES, Comment, Diary, Photo
from sns.models.fediverse import (
    DELIVERY_STATES, ActorKey, BlockedServer, Delivery, Follower, InboxRefusal, RemoteActor, SeenSignature,
)
from sns.models.events import RSVP_ANSWERS, CalendarFeed, Event, Rsvp
from sns.models.intake import INTAKE_STATES, IncomingMail, WeeklyActivity
from sns.models.journal import JournalCounter, JournalEntry, ViewVersion
from sns.models.mirror import PEER_STATES, MirrorLog, Peer
from sns.models.moderation import FLAG_KINDS, MODERATION_ACTIONS, Flag, ModerationLog
from sns.models.messages import (
    INQUIRY_CHANNELS, INQUIRY_ENTRY_KINDS, INQUIRY_STATUSES, Conversation, Department, DepartmentStaff, Inquiry, InquiryEntry, Message,
    Participant,
)
from sns.models.notices import NOTICE_SCOPES, Notice
from sns.models.reminders import (
    DOCUMENT_KINDS, TELLING_CHANNELS, TELLING_STATES, DocumentReminder, GarbageDay, GarbageReminder, Telling,
)
from sns.models.partners import PartnerKey
from sns.models.pfif import PfifNote
from sns.models.places import (
    HAZARDS, REPORT_STATUSES, SHELTER_STATUSES, MapLayer, ReportCategory, ReportFollow, ReportUpdate, Shelter,
    StreetReport,
)
from sns.models.notifications import Notification
from sns.models.operations import OUTBOX_STATES, JobLease, OutboxMail, RateCount
from sns.models.social import Block, Friendship
from sns.models.trust import (
    DELETION_STATES, EXPORT_STATES, FACTOR_KINDS, RESET_STATES, AccountDeletion, AccountEvent, DataExport,
    FactorReset, KnownBrowser, RecoveryCode, SecondFactor,
)
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
    "DELIVERY_STATES", "ActorKey", "BlockedServer", "Delivery", "Follower", "InboxRefusal", "RemoteActor",
    "SeenSignature", "PartnerKey", "PfifNote",
    "APPOINTMENT_STATES", "WEEKDAYS", "Appointment", "ClosedDay", "Counter", "SlotTaken", "INTAKE_STATES",
    "IncomingMail", "WeeklyActivity", "NOTICE_SCOPES", "DOCUMENT_KINDS", "TELLING_CHANNELS", "TELLING_STATES",
    "DocumentReminder", "GarbageDay", "GarbageReminder", "Telling", "INQUIRY_CHANNELS",
    "ACTIVE_STATUSES", "ALERT_KINDS", "ALERT_STATUSES", "CERTAINTIES", "SEVERITIES", "URGENCIES", "Alert", "AlertUpdate",
    "StaffActionLog", "ActingSession", "StandbyCode", "AlertNotice", "AlertNoticeStep", "AlertSubscription", "PushSubscription",
    "CapPollLog", "CapSource", "CHECKIN_STATUSES", "DisasterEvent", "DisasterPost", "SafetyCheckin",
    "HAZARDS", "REPORT_STATUSES", "SHELTER_STATUSES", "MapLayer", "ReportCategory", "ReportFollow", "ReportUpdate",
    "Shelter", "StreetReport",
    "Album", "CalendarFeed", "Community", "Conversation", "Department", "DepartmentStaff", "Event", "INQUIRY_ENTRY_KINDS",
    "INQUIRY_STATUSES", "Inquiry", "InquiryEntry", "JOIN_POLICIES", "MEMBER_ROLES", "MEMBER_STATES", "Membership",
    "Message", "Notification", "Participant", "READABLE_BY", "RSVP_ANSWERS", "Reply", "Rsvp", "Topic", "TopicFollow",
    "ApiToken", "Block", "FLAG_KINDS", "Flag", "MODERATION_ACTIONS", "ModerationLog", "Comment", "Diary", "District", "Friendship", "Invitation",
    "JournalCounter", "JournalEntry", "ViewVersion", "MirrorLog", "PEER_STATES", "Peer", "Notice", "PasswordReset", "Photo", "PROFILE_FIELDS",
    "ROLES", "OUTBOX_STATES", "JobLease", "OutboxMail", "RateCount", "Session", "SiteSetting", "TEXT_STATES", "User", "VISIBILITIES",
    "DELETION_STATES", "EXPORT_STATES", "FACTOR_KINDS", "RESET_STATES", "AccountDeletion", "AccountEvent", "DataExport",
    "FactorReset", "KnownBrowser", "RecoveryCode", "SecondFactor",
]
