"""The kinds of replicated records, by the name their journal entries carry (sns/journal/)."""

from __future__ import annotations

from typing import Any

from sns.models import (
    Alert, AlertUpdate, Album, Block, Comment, Community, Conversation, Department, DepartmentStaff, Diary,
    DisasterEvent, DisasterPost, District, Event, Friendship, Inquiry, InquiryEntry, MapLayer, Membership, Message,
    Notice, Participant, Photo, Reply, StandbyCode,
    ReportCategory, ReportFollow, ReportUpdate, Rsvp, SafetyCheckin, Shelter, StreetReport, Topic, TopicFollow, User,
)

# Every replicated record, by the name its journal entries carry. Mirroring decides per kind what
# travels openly and what only sealed (mail, department threads); the journal keeps them all.
KINDS: dict[str, type] = {
    "user": User,
    "district": District,
    "friendship": Friendship,
    "block": Block,
    "diary": Diary,
    "comment": Comment,
    "photo": Photo,
    "notice": Notice,
    "community": Community,
    "membership": Membership,
    "topic": Topic,
    "reply": Reply,
    "topic_follow": TopicFollow,
    "event": Event,
    "rsvp": Rsvp,
    "album": Album,
    "conversation": Conversation,
    "participant": Participant,
    "message": Message,
    "department": Department,
    "department_staff": DepartmentStaff,
    "inquiry": Inquiry,
    "inquiry_entry": InquiryEntry,
    "report_category": ReportCategory,
    "street_report": StreetReport,
    "report_update": ReportUpdate,
    "report_follow": ReportFollow,
    "shelter": Shelter,
    "map_layer": MapLayer,
    "alert": Alert,
    "alert_update": AlertUpdate,
    # disaster mode: check-ins travel like friends-only diaries (the journal keeps them all; who reads
    # them is decided where they are shown, by sns.policies.disaster)
    "disaster_event": DisasterEvent,
    "disaster_post": DisasterPost,
    "safety_checkin": SafetyCheckin,
    # acting on behalf (docs/mirroring.md): the hashes of staff's one-time codes travel to the neighbours
    "standby_code": StandbyCode,
}
_KIND_OF = {model: kind for kind, model in KINDS.items()}


def kind_of(obj: Any) -> str:
    return _KIND_OF[type(obj)]
