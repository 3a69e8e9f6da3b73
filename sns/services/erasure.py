"""Carrying out an account deletion (docs/privacy.md, "Leaving"): what goes, what stays anonymised, and how.

`sns/services/erasure_table.py` says, for every model in `sns.models`, what a deletion does to the rows that
hold the person's data (tests/policies/test_leaving_table.py fails when a model has none). `carry_out` removes them kind by
kind, each step in its own transaction, each removal of a replicated record a journaled tombstone (so the
neighbours' replicas drop it too, and the search index and readers' kept pages follow in the same
transaction), with the texts blanked first and the record's earlier journal entries rewritten to the blank
tombstone, so no copy of the removed text stays in our journal nor travels again. Every step selects only
what is still there: a round killed half-way is resumed by the next. The account's row becomes a tombstone
last, and the deletion is marked done after it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import anyio
from tortoise.expressions import F

from sns import view_versions
from sns.i18n import N_, gettext, using_locale
from sns.journal.record import payload_of
from sns.media import photo_path
from sns.models import (
    AccountDeletion, AccountEvent, ActingSession, AlertNotice, AlertSubscription, Album, ApiToken, Appointment, Block,
    CalendarFeed, Comment, Community, Conversation, DepartmentStaff, Diary, DisasterPost, DocumentReminder, Event,
    GarbageReminder, Telling, ActorKey, BlockedServer, Delivery, Follower, PartnerKey, PfifNote,
    FactorReset, Flag, Friendship, IncomingMail, Invitation, JournalEntry, KnownBrowser, Membership, Message,
    ModerationLog, Notification, OutboxMail, Participant, PasswordReset, Photo, PushSubscription, RecoveryCode,
    ReportFollow, Reply, Rsvp, SafetyCheckin, SecondFactor, Session, StandbyCode, StreetReport, Topic, TopicFollow, User,
)
from sns.models.base import utcnow
from sns.policies.leaving import stays_after_leaving
from sns.services import data_export
from sns.services.base import delete_with_tombstone, save_change, tombstone, transaction
from sns.services.notifications import notify
from sns.services.slots import free_place
from sns.services.waiting_list import promote_waiting
from sns.settings import Settings

log = logging.getLogger(__name__)
FORMER_RESIDENT = N_("a former resident")
NO_PLACE = {"lat": None, "lon": None}


async def _scrub_history(obj: Any, tx) -> None:
    """The record's earlier journal entries carry its removed text: they now carry its blank tombstone."""
    final = payload_of(obj)
    for entry in await JournalEntry.filter(origin=obj.origin, record_id=obj.id, version__lt=obj.version).using_db(tx):
        entry.payload = {**final, "version": entry.version}
        await entry.save(update_fields=["payload"], using_db=tx)


async def _remove(obj: Any, tx, **blank: Any) -> None:
    """A record that goes: its texts blanked, its tombstone journaled, its history scrubbed. One the person
    deleted earlier still holds its text in its tombstone and history: it is blanked too (once)."""
    if obj.deleted_at is not None and all(getattr(obj, name) == value for name, value in blank.items()):
        return
    for name, value in blank.items():
        setattr(obj, name, value)
    await tombstone(obj, tx)
    await _scrub_history(obj, tx)


async def _unlink(obj: Any, tx) -> None:
    """A relation that goes (a friendship, a membership...): deleted, its tombstone journaled."""
    await delete_with_tombstone(obj, tx)
    await _scrub_history(obj, tx)


async def _unlink_all(model, tx, **where) -> None:
    for obj in await model.filter(**where).using_db(tx):
        await _unlink(obj, tx)


async def _lock(job: "Erasure") -> None:
    """Nothing signs in as the account any more, and what only it used goes."""
    async with transaction() as tx:
        await User.filter(id=job.user_id).using_db(tx).update(password_hash="")
        for model in (Session, ApiToken, SecondFactor, RecoveryCode, KnownBrowser, PushSubscription,
                      AlertSubscription, CalendarFeed, PasswordReset, AlertNotice, DocumentReminder,
                      GarbageReminder, Telling):
            await model.filter(user_id=job.user_id).using_db(tx).delete()
        await ActingSession.filter(user_id=job.user_id).using_db(tx).delete()
        # coming appointments are cancelled first, so that their places are free for others; then all go
        for appointment in await Appointment.filter(resident_id=job.user_id, state="booked",
                                                    start__gt=utcnow()).using_db(tx):
            await free_place(tx, appointment.counter_id, appointment.start)
        await Appointment.filter(resident_id=job.user_id).using_db(tx).delete()
        # the fediverse: their actor's key, followers elsewhere and deliveries still waiting; partners' notes
        for model in (ActorKey, Follower, Delivery):
            await model.filter(actor=job.user_id).using_db(tx).delete()
        await PfifNote.filter(user_id=job.user_id).using_db(tx).delete()
        await BlockedServer.filter(blocked_by_id=job.user_id).using_db(tx).update(blocked_by_id=None)
        await PartnerKey.filter(created_by_id=job.user_id).using_db(tx).update(created_by_id=None)


async def _diaries(job: "Erasure") -> None:
    async with transaction() as tx:
        for diary in await Diary.filter(author_id=job.user_id).using_db(tx):
            if diary.deleted_at is None and stays_after_leaving(job.keep_public, diary.visibility, diary.state):
                continue
            await _remove(diary, tx, title="", body="", client_token=None, **NO_PLACE)
        gone = await Diary.filter(author_id=job.user_id).exclude(deleted_at=None).using_db(tx).values_list("id", flat=True)
        for comment in await Comment.filter(diary_id__in=list(gone)).using_db(tx):
            await _remove(comment, tx, body="", client_token=None)  # comments on what went, anyone's


async def _comments(job: "Erasure") -> None:
    async with transaction() as tx:
        for comment in await Comment.filter(author_id=job.user_id).select_related("diary") \
                .using_db(tx):
            diary = comment.diary
            if comment.deleted_at is None and diary.deleted_at is None and \
                    stays_after_leaving(job.keep_public, diary.visibility, comment.state):
                continue
            await _remove(comment, tx, body="", client_token=None)


async def _photos(job: "Erasure") -> None:
    """Every photo of the person goes, kept posts' too (rows here, then the files, every size)."""
    async with transaction() as tx:
        photos = await Photo.filter(owner_id=job.user_id).using_db(tx)
        for photo in photos:
            await _remove(photo, tx, caption="")
    for photo_id in await Photo.filter(owner_id=job.user_id).values_list("id", flat=True):
        await job.unlink_files(photo_path(job.settings.media_dir, photo_id),
                               photo_path(job.settings.media_dir, photo_id, thumb=True))


async def _albums(job: "Erasure") -> None:
    async with transaction() as tx:
        for album in await Album.filter(owner_id=job.user_id).using_db(tx):
            await _remove(album, tx, title="", description="", cover_id=None, client_token=None)


async def _forum(job: "Erasure") -> None:
    async with transaction() as tx:
        for topic in await Topic.filter(author_id=job.user_id).using_db(tx):
            if topic.deleted_at is not None or not stays_after_leaving(job.keep_public, None, topic.state):
                await _remove(topic, tx, title="", body="", client_token=None, **NO_PLACE)
        for reply in await Reply.filter(author_id=job.user_id).using_db(tx):
            if reply.deleted_at is not None or not stays_after_leaving(job.keep_public, None, reply.state):
                await _remove(reply, tx, body="", client_token=None)


async def _events(job: "Erasure") -> None:
    async with transaction() as tx:
        for event in await Event.filter(organizer_id=job.user_id).using_db(tx):
            visibility = None if event.community_id else event.visibility
            if event.deleted_at is not None or not stays_after_leaving(job.keep_public, visibility, event.state):
                await _remove(event, tx, title="", description="", place="", client_token=None, **NO_PLACE)
        for rsvp in await Rsvp.filter(user_id=job.user_id).select_related("event").using_db(tx):
            event = rsvp.event
            placed = rsvp.deleted_at is None and rsvp.answer == "going" and not rsvp.waitlisted
            await _unlink(rsvp, tx)
            if placed and event.deleted_at is None:  # the place frees up: the waiting list moves up
                promoted = await promote_waiting(event, tx)
                # a derived number (the answers are journaled): no new version, as sns/services/rsvps.py
                await Event.filter(id=event.id).using_db(tx).update(going_count=event.going_count)
                await notify(promoted, "waitlist_promoted", url=f"/events/{event.id}", subject=event.title, conn=tx)


async def _town(job: "Erasure") -> None:
    """Street reports and the disaster board follow the choice; safety check-ins always go."""
    async with transaction() as tx:
        for report in await StreetReport.filter(author_id=job.user_id).using_db(tx):
            if report.deleted_at is not None or not stays_after_leaving(job.keep_public, None, report.state):
                await _remove(report, tx, title="", body="", place="", client_token=None)
        for post in await DisasterPost.filter(author_id=job.user_id).using_db(tx):
            if post.deleted_at is not None or not stays_after_leaving(job.keep_public, None, post.state):
                await _remove(post, tx, body="", place="", client_token=None, **NO_PLACE)
        for checkin in await SafetyCheckin.filter(user_id=job.user_id).using_db(tx):
            await _remove(checkin, tx, message="", place="", client_token=None, **NO_PLACE)


async def _mail(job: "Erasure") -> None:
    """The messages the person wrote go; a conversation goes whole when everyone else has left it too."""
    async with transaction() as tx:
        for message in await Message.filter(author_id=job.user_id).using_db(tx):
            await _remove(message, tx, body="", client_token=None)
        mine = await Participant.filter(user_id=job.user_id).using_db(tx)
        for participant in mine:
            await _unlink(participant, tx)
        for conversation_id in {p.conversation_id for p in mine}:
            staying = await Participant.filter(conversation_id=conversation_id, left=False, deleted_at=None,
                                               user__deleted_at=None).using_db(tx).exists()
            conversation = await Conversation.get_or_none(id=conversation_id, deleted_at=None).using_db(tx)
            if conversation is None:
                continue
            if staying:  # the others keep it; a subject the person wrote goes
                if conversation.started_by_id == job.user_id and conversation.subject:
                    conversation.subject = ""
                    await save_change(conversation, tx)
                    await _scrub_history(conversation, tx)
                continue
            for message in await Message.filter(conversation_id=conversation_id, deleted_at=None).using_db(tx):
                await _remove(message, tx, body="", client_token=None)
            await _unlink_all(Participant, tx, conversation_id=conversation_id)
            await _remove(conversation, tx, subject="")


async def _relations(job: "Erasure") -> None:
    async with transaction() as tx:
        await _unlink_all(Friendship, tx, user_id=job.user_id)
        await _unlink_all(Friendship, tx, friend_id=job.user_id)
        await _unlink_all(Block, tx, blocker_id=job.user_id)
        await _unlink_all(Block, tx, blocked_id=job.user_id)
        await _unlink_all(TopicFollow, tx, user_id=job.user_id)
        await _unlink_all(ReportFollow, tx, user_id=job.user_id)
        await _unlink_all(DepartmentStaff, tx, user_id=job.user_id)
        for membership in await Membership.filter(user_id=job.user_id).select_related("community").using_db(tx):
            community = membership.community
            await _unlink(membership, tx)
            if community.deleted_at is None and membership.state == "active":  # as sns/services/memberships.py
                await Community.filter(id=community.id).using_db(tx).update(member_count=F("member_count") - 1)
        for code in await StandbyCode.filter(user_id=job.user_id, deleted_at=None).using_db(tx):
            await _remove(code, tx)


async def _local(job: "Erasure") -> None:
    """This instance's own rows about the person (never mirrored)."""
    async with transaction() as tx:
        await Notification.filter(user_id=job.user_id).using_db(tx).delete()
        await Notification.filter(actor_id=job.user_id).using_db(tx).delete()
        await Flag.filter(author_id=job.user_id).using_db(tx).delete()
        await Flag.filter(reporter_id=job.user_id).using_db(tx).update(reporter_id=None)
        await ModerationLog.filter(subject_id=job.user_id).using_db(tx).update(subject_id=None, note="")
        await Invitation.filter(used_by_id=job.user_id).using_db(tx).delete()
        await Invitation.filter(invited_by_id=job.user_id, used_at=None).using_db(tx).delete()
        await FactorReset.filter(user_id=job.user_id).using_db(tx).delete()
        await AccountEvent.filter(user_id=job.user_id).using_db(tx).delete()
        if job.email:  # what was sent to the person (what still waits to be sent goes out first)
            await OutboxMail.filter(to_addr=job.email).exclude(state="queued").using_db(tx).delete()
            await IncomingMail.filter(from_addr=job.email).using_db(tx).update(from_addr="", mail_from="")
    await data_export.remove_all_of(job.settings, job.user_id)  # DataExport: their archives, files and rows


async def _tombstone_user(job: "Erasure") -> None:
    async with transaction() as tx:
        user = await User.get(id=job.user_id).using_db(tx)
        if user.deleted_at is not None:
            return
        with using_locale(job.settings.default_locale):
            user.display_name = gettext(FORMER_RESIDENT)[:64]
        user.username = "former-" + user.id.replace("-", "")[-24:]  # a hyphen: no one can choose it
        user.email = user.introduction = user.password_hash = user.locale = ""
        user.avatar_id, user.district_id, user.last_seen_home_at = None, None, None
        user.field_visibility, user.role, user.email_on_mail, user.grey_score = {}, "resident", False, 0.0
        await _remove(user, tx)
        # pages kept for readers that show the person's name on what stays are made again
        kept = await Diary.filter(author_id=user.id, deleted_at=None).using_db(tx).values_list("id", flat=True)
        topics = await Topic.filter(author_id=user.id, deleted_at=None).using_db(tx) \
            .values_list("community_id", flat=True)
        replied = await Reply.filter(author_id=user.id, deleted_at=None).using_db(tx) \
            .values_list("topic__community_id", flat=True)
        await view_versions.bump(tx, ["town", *(f"d:{i}" for i in kept), *(f"c:{i}" for i in {*topics, *replied})])


STEPS = (_lock, _diaries, _comments, _photos, _albums, _forum, _events, _town, _mail, _relations, _local,
         _tombstone_user)


class Erasure:
    """One deletion being carried out: whose, what they chose, and where their files are."""

    def __init__(self, settings: Settings, deletion: AccountDeletion, email: str):
        self.settings, self.user_id, self.keep_public, self.email = \
            settings, deletion.user_ref, deletion.keep_public, email

    async def unlink_files(self, *paths: Path) -> None:
        def unlink() -> None:
            for path in paths:
                path.unlink(missing_ok=True)
        await anyio.to_thread.run_sync(unlink)


async def carry_out(settings: Settings, deletion_id: str) -> bool:
    """Carry out one deletion that is due (again, after a crash); False when it is not waiting any more."""
    deletion = await AccountDeletion.get_or_none(id=deletion_id, state="waiting", due_at__lte=utcnow())
    if deletion is None:
        return False
    email = await User.filter(id=deletion.user_ref).values_list("email", flat=True)
    job = Erasure(settings, deletion, email[0] if email else "")
    for step in STEPS:
        await step(job)
    await AccountDeletion.filter(id=deletion.id, state="waiting").update(state="done", finished_at=utcnow(),
                                                                         user_id=None)
    log.info("account %s deleted (public posts %s)", deletion.user_ref, "kept" if deletion.keep_public else "removed")
    return True
