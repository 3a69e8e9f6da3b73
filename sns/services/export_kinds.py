"""What "Download my data" puts in the archive, one reader per kind of thing, and the decision for every model.

Each reader takes the owner as a `Viewer` (loaded like any signed-in request's) and returns one JSON document.
It starts from what is the person's own (their rows, or the threads they take part in) and keeps someone
else's row only where the rulebook (`sns.policies`) lets the owner see it on their own pages: a comment on my
diary only when my diary page shows it to me, a message only when my mailbox shows it. Dates are ISO 8601 in
UTC, ids are strings. `DECISIONS` says, for every model of `sns.models`, which file holds it or why it is not
exported (tests/unit/test_export_decisions.py fails on a model without one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Awaitable, Callable

from sns.models import (
    AccountEvent, Album, Appointment, AlertSubscription, ApiToken, Block, Comment, Community, Conversation, Diary, DisasterPost, Event,
    Friendship, Inquiry, Membership, Message, Notification, Participant, Photo, PushSubscription, Reply,
    ReportFollow, ReportUpdate, Rsvp, SafetyCheckin, SecondFactor, StreetReport, Topic, TopicFollow, User,
)
from sns.policies import (
    Viewer, can_read_conversation, can_view_comment, can_view_community, can_view_diary, can_view_event,
    can_view_inquiry_entry, can_view_message, can_view_report, can_view_topic,
)
from sns.services.event_access import community_and_membership
from sns.services.reminders import reminders_export
from sns.services.topics import load_topic


@dataclass(frozen=True)
class Decision:
    """Where a model's rows go in the archive (`file`), or why they stay out (`reason`)."""

    file: str = ""
    reason: str = ""


NOT_PERSONAL = "not about a person: the city's own record or list"
SECRET = "secret: a credential, a hash or a key"
OTHERS = "someone else's private data, or moderators' record of it"
OPERATIONAL = "operational: the machinery of the site, not what the person wrote or chose"
D = Decision
DECISIONS: dict[str, Decision] = {
    "User": D("profile.json"), "ApiToken": D("profile.json"), "SecondFactor": D("profile.json"),
    "District": D("profile.json"), "Diary": D("diaries.json"), "Comment": D("diaries.json"),
    "Photo": D("photos.json"), "Topic": D("topics.json"), "Reply": D("topics.json"),
    "TopicFollow": D("topics.json"), "Membership": D("topics.json"), "Conversation": D("messages.json"),
    "Participant": D("messages.json"), "Message": D("messages.json"), "Inquiry": D("inquiries.json"),
    "InquiryEntry": D("inquiries.json"), "StreetReport": D("reports.json"), "ReportUpdate": D("reports.json"),
    "ReportFollow": D("reports.json"), "Event": D("events.json"), "Rsvp": D("events.json"),
    "Album": D("albums.json"), "SafetyCheckin": D("checkins.json"), "DisasterPost": D("checkins.json"),
    "Friendship": D("friends.json"), "Block": D("friends.json"),
    "AlertSubscription": D("notification_settings.json"), "PushSubscription": D("notification_settings.json"),
    "Notification": D("notifications.json"), "AccountEvent": D("security_log.json"),
    "Community": D("topics.json"),
    # not exported
    "Department": D(reason=NOT_PERSONAL),
    "DepartmentStaff": D(reason=OPERATIONAL), "ReportCategory": D(reason=NOT_PERSONAL),
    "Shelter": D(reason=NOT_PERSONAL), "MapLayer": D(reason=NOT_PERSONAL), "Notice": D(reason=NOT_PERSONAL),
    "Alert": D(reason=NOT_PERSONAL), "AlertUpdate": D(reason=NOT_PERSONAL), "DisasterEvent": D(reason=NOT_PERSONAL),
    "CapSource": D(reason=NOT_PERSONAL), "SiteSetting": D(reason=NOT_PERSONAL), "Peer": D(reason=NOT_PERSONAL),
    "Session": D(reason=SECRET), "PasswordReset": D(reason=SECRET), "Invitation": D(reason=SECRET),
    "RecoveryCode": D(reason=SECRET), "KnownBrowser": D(reason=SECRET), "CalendarFeed": D(reason=SECRET),
    "StandbyCode": D(reason=SECRET), "ActingSession": D(reason=SECRET),
    "Flag": D(reason=OTHERS), "ModerationLog": D(reason=OTHERS), "StaffActionLog": D(reason=OTHERS),
    "FactorReset": D(reason=OTHERS),
    "JournalEntry": D(reason=OPERATIONAL), "JournalCounter": D(reason=OPERATIONAL),
    "ViewVersion": D(reason=OPERATIONAL), "MirrorLog": D(reason=OPERATIONAL), "CapPollLog": D(reason=OPERATIONAL),
    "JobLease": D(reason=OPERATIONAL), "OutboxMail": D(reason=OPERATIONAL), "RateCount": D(reason=OPERATIONAL),
    "AlertNotice": D(reason=OPERATIONAL), "AlertNoticeStep": D(reason=OPERATIONAL),
    "DataExport": D(reason=OPERATIONAL), "AccountDeletion": D(reason=OPERATIONAL),
    # "the city answers" (issue 19): the city's counters and calendars; the queue of reminders and notices
    # sent; mail received (kept for the department's thread, which is exported as inquiries.json)
    "Counter": D(reason=NOT_PERSONAL), "ClosedDay": D(reason=NOT_PERSONAL), "SlotTaken": D(reason=OPERATIONAL),
    "GarbageDay": D(reason=NOT_PERSONAL), "WeeklyActivity": D(reason=NOT_PERSONAL),
    "Telling": D(reason=OPERATIONAL), "IncomingMail": D(reason=OPERATIONAL),
    "DocumentReminder": D("reminders.json"), "GarbageReminder": D("reminders.json"),
    "Appointment": D("appointments.json"),
    # partners' standards (issue 18): keys, delivery queues and other servers' data; the person's followers
    # elsewhere are theirs to see on their servers; notes about them are written by others (PFIF partners)
    "ActorKey": D(reason=SECRET), "Delivery": D(reason=OPERATIONAL), "SeenSignature": D(reason=OPERATIONAL),
    "InboxRefusal": D(reason=OPERATIONAL), "RemoteActor": D(reason=OTHERS), "Follower": D(reason=OTHERS),
    "BlockedServer": D(reason=NOT_PERSONAL), "PartnerKey": D(reason=SECRET),
    "PfifNote": D(reason=OTHERS),
}
del D


def iso(value: datetime | None) -> str | None:
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z") if value else None


def _person(user: User | None) -> dict | None:
    return {"username": user.username, "display_name": user.display_name} if user else None


async def _photo_ids(**where) -> list[str]:
    return [str(i) for i in await Photo.filter(deleted_at=None, **where).order_by("position", "id")
            .values_list("id", flat=True)]


async def profile(v: Viewer) -> dict:
    """My account as Settings and my profile page show it to me: never the password hash, a second factor's
    secret, a recovery code, a session or a token's hash."""
    me = await User.get(id=v.id).select_related("district")
    return {
        "id": str(me.id), "username": me.username, "display_name": me.display_name, "email": me.email,
        "role": me.role, "state": me.state, "language": me.locale or None,
        "district": {"id": str(me.district.id), "name": me.district.name} if me.district else None,
        "introduction": me.introduction, "avatar_photo_id": me.avatar_id,
        "field_visibility": dict(me.field_visibility or {}), "email_on_mail": me.email_on_mail,
        "created_at": iso(me.created_at), "updated_at": iso(me.updated_at),
        "api_tokens": [{"id": str(t.id), "name": t.name, "created_at": iso(t.created_at),
                        "last_used_at": iso(t.last_used_at)}
                       for t in await ApiToken.filter(user_id=me.id).order_by("id")],
        "second_factors": [{"id": str(f.id), "kind": f.kind, "name": f.name, "created_at": iso(f.created_at),
                            "last_used_at": iso(f.last_used_at)}
                           for f in await SecondFactor.filter(user_id=me.id).order_by("id")],
    }


async def diaries(v: Viewer) -> dict:
    """My diary entries (held ones too: my own pages show them to me), each with the comments my diary
    page shows me (not held or hidden ones of others, none from people blocked either way); and the comments
    I wrote on other people's entries."""
    mine = []
    for diary in await Diary.filter(author_id=v.id, deleted_at=None).order_by("id"):
        comments = await Comment.filter(diary_id=diary.id, deleted_at=None).order_by("id").select_related("author")
        mine.append({
            "id": str(diary.id), "title": diary.title, "body": diary.body, "visibility": diary.visibility,
            "state": diary.state, "lat": diary.lat, "lon": diary.lon, "created_at": iso(diary.created_at),
            "updated_at": iso(diary.updated_at), "photos": await _photo_ids(diary_id=diary.id),
            "comments": [{"id": str(c.id), "author": _person(c.author), "body": c.body, "state": c.state,
                          "created_at": iso(c.created_at)} for c in comments if can_view_comment(v, c, diary)],
        })
    elsewhere = []
    for c in await Comment.filter(author_id=v.id, deleted_at=None).exclude(diary__author_id=v.id) \
            .order_by("id").select_related("diary"):
        shown = can_view_diary(v, c.diary)  # the entry's title only while I may still read the entry
        elsewhere.append({"id": str(c.id), "diary_id": str(c.diary.id) if shown else None,
                          "diary_title": c.diary.title if shown else None, "body": c.body, "state": c.state,
                          "created_at": iso(c.created_at)})
    return {"diaries": mine, "comments_elsewhere": elsewhere}


async def topics(v: Viewer) -> dict:
    """Topics and replies I wrote, the topics I follow, my memberships and the communities I opened, as the community pages show
    them to me (a topic's title and community only where I may still read them)."""
    def post(row, place) -> dict:
        shown = place is not None and can_view_topic(v, place.topic, place.community, place.membership)
        return {"id": str(row.id), "body": row.body, "state": row.state, "created_at": iso(row.created_at),
                "topic_id": str(place.topic.id) if shown else None,
                "topic_title": place.topic.title if shown else None,
                "community": place.community.name if shown else None}

    mine = []
    for topic in await Topic.filter(author_id=v.id, deleted_at=None).order_by("id"):
        place = await load_topic(v, topic.id)
        mine.append({**post(topic, place), "title": topic.title, "pinned": topic.pinned, "locked": topic.locked,
                     "photos": await _photo_ids(purpose="topic", parent_id=topic.id)})
    replies = []
    for reply in await Reply.filter(author_id=v.id, deleted_at=None).order_by("id"):
        replies.append({**post(reply, await load_topic(v, reply.topic_id)),
                        "photos": await _photo_ids(purpose="reply", parent_id=reply.id)})
    following = []
    for follow in await TopicFollow.filter(user_id=v.id, deleted_at=None).order_by("id"):
        place = await load_topic(v, follow.topic_id)
        if place is not None and can_view_topic(v, place.topic, place.community, place.membership):
            following.append({"topic_id": str(place.topic.id), "title": place.topic.title})
    memberships = []
    for m in await Membership.filter(user_id=v.id, deleted_at=None).order_by("id").select_related("community"):
        if can_view_community(v, m.community, m):
            memberships.append({"community_id": str(m.community.id), "community": m.community.name, "role": m.role,
                                "state": m.state, "since": iso(m.created_at)})
    opened = [{"id": str(c.id), "name": c.name, "description": c.description, "join_policy": c.join_policy,
               "readable_by": c.readable_by, "state": c.state, "created_at": iso(c.created_at)}
              for c in await Community.filter(creator_id=v.id, deleted_at=None).order_by("id")]
    return {"topics": mine, "replies": replies, "following": following, "memberships": memberships,
            "communities_opened": opened}


async def messages(v: Viewer) -> dict:
    """The conversations I take part in, with what my mailbox shows me of them; in a conversation I left,
    only the messages I wrote (as my "sent" list shows them)."""
    conversation_ids = set(await Participant.filter(user_id=v.id, deleted_at=None)
                           .values_list("conversation_id", flat=True))
    conversation_ids |= set(await Message.filter(author_id=v.id, deleted_at=None)
                            .values_list("conversation_id", flat=True))
    out = []
    for conversation in await Conversation.filter(id__in=sorted(conversation_ids), deleted_at=None).order_by("id"):
        parts = await Participant.filter(conversation_id=conversation.id, left=False, deleted_at=None) \
            .order_by("id").select_related("user")
        ids = [p.user_id for p in parts]
        member = can_read_conversation(v, ids)
        rows = await Message.filter(conversation_id=conversation.id, deleted_at=None).order_by("id") \
            .select_related("author")
        shown = [m for m in rows if (can_view_message(v, m, ids) if member else m.author_id == v.id)]
        out.append({"id": str(conversation.id), "subject": conversation.subject if member else None,
                    "still_taking_part": member, "participants": [_person(p.user) for p in parts] if member else [],
                    "messages": [{"id": str(m.id), "author": _person(m.author), "body": m.body, "state": m.state,
                                  "created_at": iso(m.created_at)} for m in shown]})
    return {"conversations": out}


async def inquiries(v: Viewer) -> dict:
    """My threads with the city's departments, as my inquiry pages show them (what I wrote that still waits
    for a moderator too; the city's answers with the names the page shows)."""
    out = []
    for inquiry in await Inquiry.filter(resident_id=v.id, deleted_at=None).order_by("id").select_related("department"):
        entries = await inquiry.entries.filter(deleted_at=None).order_by("id").select_related("author", "assignee")
        out.append({
            "id": str(inquiry.id), "department": inquiry.department.name, "subject": inquiry.subject,
            "status": inquiry.status, "created_at": iso(inquiry.created_at),
            "photos": await _photo_ids(purpose="inquiry", parent_id=inquiry.id),
            "entries": [{"id": str(e.id), "kind": e.kind, "from_city": e.from_staff, "author": _person(e.author),
                         "body": e.body, "status": e.status, "state": e.state,
                         "handed_to": e.assignee.display_name if e.assignee else None, "created_at": iso(e.created_at)}
                        for e in entries if can_view_inquiry_entry(v, e, inquiry)],
        })
    return {"inquiries": out}


async def reports(v: Viewer) -> dict:
    """Street reports I made with their public history, and the reports I follow that I may see."""
    mine = []
    for r in await StreetReport.filter(author_id=v.id, deleted_at=None).order_by("id").select_related("category"):
        history = await ReportUpdate.filter(report_id=r.id, deleted_at=None).order_by("id")
        mine.append({"id": str(r.id), "category": r.category.name, "title": r.title, "body": r.body,
                     "place": r.place, "lat": r.lat, "lon": r.lon, "status": r.status, "state": r.state,
                     "created_at": iso(r.created_at), "photos": await _photo_ids(purpose="report", parent_id=r.id),
                     "updates": [{"status": u.status, "comment": u.comment, "created_at": iso(u.created_at)}
                                 for u in history]})
    following = []
    for f in await ReportFollow.filter(user_id=v.id, deleted_at=None).order_by("id").select_related("report"):
        if f.report.author_id != v.id and can_view_report(v, f.report):
            following.append({"report_id": str(f.report.id), "title": f.report.title})
    return {"reports": mine, "following": following}


async def _event_shown(v: Viewer, event: Event) -> bool:
    community, membership = await community_and_membership(v, event.community_id)
    return can_view_event(v, event, community, membership)


async def events(v: Viewer) -> dict:
    """Events I organised, and my answers (RSVPs), with the event named only where I may still see it."""
    mine = [{"id": str(e.id), "title": e.title, "description": e.description, "starts_at": iso(e.starts_at),
             "ends_at": iso(e.ends_at), "place": e.place, "lat": e.lat, "lon": e.lon, "capacity": e.capacity,
             "visibility": e.visibility, "state": e.state, "cancelled": e.cancelled,
             "photos": await _photo_ids(purpose="event", parent_id=e.id)}
            for e in await Event.filter(organizer_id=v.id, deleted_at=None).order_by("id")]
    answers = []
    for r in await Rsvp.filter(user_id=v.id, deleted_at=None).order_by("id").select_related("event"):
        shown = r.event.deleted_at is None and await _event_shown(v, r.event)
        answers.append({"answer": r.answer, "waitlisted": r.waitlisted, "answered_at": iso(r.answered_at),
                        "event_id": str(r.event.id) if shown else None, "event_title": r.event.title if shown else None,
                        "starts_at": iso(r.event.starts_at) if shown else None})
    return {"organised": mine, "answers": answers}


async def albums(v: Viewer) -> dict:
    """My albums, with the photos in them that are mine."""
    return {"albums": [{"id": str(a.id), "title": a.title, "description": a.description,
                        "visibility": a.visibility, "state": a.state, "created_at": iso(a.created_at),
                        "photos": await _photo_ids(album_id=a.id, owner_id=v.id)}
                       for a in await Album.filter(owner_id=v.id, deleted_at=None).order_by("id")]}


async def checkins(v: Viewer) -> dict:
    """My safety check-ins and what I posted on disaster boards."""
    rows = await SafetyCheckin.filter(user_id=v.id, deleted_at=None).order_by("id").select_related("event")
    posts = await DisasterPost.filter(author_id=v.id, deleted_at=None).order_by("id").select_related("event")
    return {
        "checkins": [{"id": str(c.id), "disaster": c.event.name, "status": c.status, "message": c.message,
                      "place": c.place, "lat": c.lat, "lon": c.lon, "current": c.current,
                      "created_at": iso(c.created_at)} for c in rows],
        "board_posts": [{"id": str(p.id), "disaster": p.event.name, "body": p.body, "place": p.place, "lat": p.lat,
                         "lon": p.lon, "state": p.state, "created_at": iso(p.created_at),
                         "photos": await _photo_ids(purpose="disaster", parent_id=p.id)} for p in posts],
    }


async def friends(v: Viewer) -> dict:
    """My friends, the requests I sent and received, and the people I blocked (the lists my pages show)."""
    def listed(rows, who) -> list[dict]:
        return [{**_person(getattr(r, who)), "since": iso(r.created_at)} for r in rows]

    mine = Friendship.filter(user_id=v.id, deleted_at=None).order_by("id").select_related("friend")
    return {
        "friends": listed(await mine.filter(state="accepted"), "friend"),
        "requests_sent": listed(await mine.filter(state="requested"), "friend"),
        "requests_received": listed(await Friendship.filter(friend_id=v.id, state="requested", deleted_at=None)
                                    .order_by("id").select_related("user"), "user"),
        "blocked": listed(await Block.filter(blocker_id=v.id, deleted_at=None).order_by("id")
                          .select_related("blocked"), "blocked"),
    }


async def notification_settings(v: Viewer) -> dict:
    """How I asked to be told of alerts and of new mail; my browsers' push subscriptions without their keys
    (only the push service they go through)."""
    sub = await AlertSubscription.get_or_none(user_id=v.id)
    me = await User.get(id=v.id)
    return {
        "email_on_new_mail": me.email_on_mail,
        "alerts": None if sub is None else {
            "by_district": sub.by_district, "home_lat": sub.home_lat, "home_lon": sub.home_lon,
            "radius_km": sub.radius_km, "email": sub.email, "push": sub.push, "drills": sub.drills,
            "notices_near_home_email": sub.notice_email, "notices_near_home_push": sub.notice_push,
            "updated_at": iso(sub.updated_at)},
        "push_subscriptions": [{"id": str(p.id), "push_service": p.endpoint.split("/")[2] if "//" in p.endpoint
                                else "", "created_at": iso(p.created_at)}
                               for p in await PushSubscription.filter(user_id=v.id).order_by("id")],
    }


async def notifications(v: Viewer) -> dict:
    """What I was told, as my notifications page lists it."""
    rows = await Notification.filter(user_id=v.id).order_by("id").select_related("actor")
    return {"notifications": [{"id": str(n.id), "kind": n.kind, "actor": _person(n.actor), "subject": n.subject,
                               "url": n.url, "created_at": iso(n.created_at), "read_at": iso(n.read_at)}
                              for n in rows]}


async def security_log(v: Viewer) -> dict:
    rows = await AccountEvent.filter(user_id=v.id).order_by("created_at", "id")
    return {"events": [{"id": str(e.id), "kind": e.kind, "ip": e.ip, "user_agent": e.user_agent, "detail": e.detail,
                        "created_at": iso(e.created_at)} for e in rows]}


async def photos(v: Viewer) -> dict:
    """My photos (the files are photos/<id>.jpg beside this document)."""
    rows = await Photo.filter(owner_id=v.id, deleted_at=None).order_by("id")
    return {"photos": [{"id": str(p.id), "file": f"photos/{p.id}.jpg", "purpose": p.purpose, "caption": p.caption,
                        "width": p.width, "height": p.height, "created_at": iso(p.created_at)} for p in rows]}


# file -> its reader, in the archive's order (README.txt describes each)
async def appointments(v: Viewer) -> dict:
    """My appointments at the city's counters (past, coming and cancelled), as my appointment pages show them."""
    rows = await Appointment.filter(resident_id=v.id).order_by("start", "id").select_related("counter")
    return {"appointments": [
        {"id": str(a.id), "counter": a.counter.name, "place": a.counter.place, "start": iso(a.start),
         "end": iso(a.end), "state": a.state, "note": a.note, "cancel_reason": a.cancel_reason,
         "visit_id": a.visit_id, "booked_by_staff": a.booked_by_id not in (None, v.id), "created_at": iso(a.created_at)}
        for a in rows]}


READERS: dict[str, Callable[[Viewer], Awaitable[dict]]] = {
    "profile.json": profile, "diaries.json": diaries, "topics.json": topics, "messages.json": messages,
    "inquiries.json": inquiries, "reports.json": reports, "events.json": events, "albums.json": albums,
    "checkins.json": checkins, "friends.json": friends, "notification_settings.json": notification_settings,
    "notifications.json": notifications, "security_log.json": security_log, "photos.json": photos,
    "reminders.json": reminders_export,
    "appointments.json": appointments,
}
