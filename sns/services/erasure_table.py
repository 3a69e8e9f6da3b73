"""What deleting an account does to each kind of record (docs/privacy.md, "Leaving"), one line per model of
`sns.models`: `tests/policies/test_leaving_table.py` fails when a model has no decision, so a new kind of
record is thought about before it can keep a leaving person's data. sns/services/erasure.py does it.

- REMOVED: the person's rows go (replicated ones as tombstones with their texts blanked, so neighbours drop
  them too; local ones deleted).
- CHOICE: the person's public posts stay under "a former resident", or go with them, as they chose
  (`sns.policies.leaving.stays_after_leaving`); everything else of that kind goes.
- ANONYMISED: the rows stay, pointing at the account's tombstone (no name, no e-mail, nothing to sign in
  with), or with the person's link cleared.
- NOT_PERSONAL: holds nothing of a resident (or only what expires by itself).
"""

from __future__ import annotations

REMOVED, CHOICE, ANONYMISED, NOT_PERSONAL = "removed", "choice", "anonymised", "not personal"

DECISIONS: dict[str, tuple[str, str]] = {
    # the account
    "User": (ANONYMISED, "a tombstone: username, name, e-mail, introduction, avatar, district, password cleared"),
    "Session": (REMOVED, "signed out everywhere when asked, and again when carried out"),
    "ApiToken": (REMOVED, "end when the deletion is asked"),
    "SecondFactor": (REMOVED, "with the account"),
    "RecoveryCode": (REMOVED, "with the account"),
    "KnownBrowser": (REMOVED, "with the account"),
    "AccountEvent": (REMOVED, "the account's own security log"),
    "PasswordReset": (REMOVED, "with the account"),
    "Invitation": (REMOVED, "the one the person joined with (it holds their e-mail), and those they made unused"),
    "FactorReset": (REMOVED, "with the account"),
    "DataExport": (REMOVED, "rows and archive files"),
    "AccountDeletion": (ANONYMISED, "kept as the record that the account was deleted: its id only"),
    "ActingSession": (REMOVED, "a neighbour's staff acting with the person's standby code"),
    "StandbyCode": (REMOVED, "tombstones: revoked at the neighbours too"),
    # what the person wrote
    "Diary": (CHOICE, "public and members-only entries follow the choice; friends-only, private and held ones go"),
    "Comment": (CHOICE, "follow the choice where the entry stays public; comments on entries that go, anyone's, go"),
    "Photo": (REMOVED, "every photo of the person, rows and files of every size, kept posts' too"),
    "Album": (REMOVED, "with their photos"),
    "Topic": (CHOICE, "community posts follow the choice"),
    "Reply": (CHOICE, "community posts follow the choice"),
    "Event": (CHOICE, "public and members-only events (and a community's) follow the choice"),
    "StreetReport": (CHOICE, "public reports follow the choice"),
    "DisasterPost": (CHOICE, "the public disaster board follows the choice"),
    "SafetyCheckin": (REMOVED, "safety check-ins always go"),
    "Message": (REMOVED, "every message the person wrote"),
    "Conversation": (REMOVED, "when everyone else has left it too; otherwise the others keep theirs"),
    "Participant": (REMOVED, "the person's place in each conversation"),
    "Inquiry": (ANONYMISED, "the city's correspondence, kept under its own retention rules; the resident is the tombstone"),
    "InquiryEntry": (ANONYMISED, "as inquiries"),
    "Notice": (ANONYMISED, "official notices are the city's; the author is the tombstone"),
    "Community": (ANONYMISED, "belongs to its members; the creator is the tombstone"),
    # relations
    "Friendship": (REMOVED, "both directions"),
    "Block": (REMOVED, "both directions"),
    "Membership": (REMOVED, "the community's member count follows"),
    "TopicFollow": (REMOVED, "with the account"),
    "ReportFollow": (REMOVED, "with the account"),
    "Rsvp": (REMOVED, "a place taken goes to the first on the waiting list"),
    "DepartmentStaff": (REMOVED, "with the account"),
    # local rows about the person
    "Notification": (REMOVED, "theirs, and others' about what they did"),
    "AlertSubscription": (REMOVED, "with the account"),
    "PushSubscription": (REMOVED, "with the account"),
    "AlertNotice": (REMOVED, "with the account"),
    "CalendarFeed": (REMOVED, "with the account"),
    "Flag": (REMOVED, "queue items about the person's texts; as a reporter, their name is cleared"),
    "ModerationLog": (ANONYMISED, "the moderators' audit log stays; the person is cleared from it"),
    "StaffActionLog": (ANONYMISED, "the staff audit log stays; the actor is the tombstone"),
    "OutboxMail": (REMOVED, "mail sent to the person (mail still waiting is sent first)"),
    "Alert": (ANONYMISED, "official alerts are the city's; the author is the tombstone"),
    "AlertUpdate": (ANONYMISED, "as alerts"),
    "ReportUpdate": (ANONYMISED, "a department's public answer; the author is the tombstone"),
    "MapLayer": (ANONYMISED, "the city's layers; the uploader is the tombstone"),
    "DisasterEvent": (ANONYMISED, "the city's record; who switched it is the tombstone"),
    "CapSource": (ANONYMISED, "the city's alert sources; who added it is the tombstone"),
    "JournalEntry": (ANONYMISED, "the earlier entries of every removed record are rewritten to its blank tombstone"),
    # nothing of a resident
    "District": (NOT_PERSONAL, "the city's list"),
    "Department": (NOT_PERSONAL, "the city's list"),
    "ReportCategory": (NOT_PERSONAL, "the city's list"),
    "Shelter": (NOT_PERSONAL, "the city's list"),
    "AlertNoticeStep": (NOT_PERSONAL, "which alert steps were handled"),
    "CapPollLog": (NOT_PERSONAL, "polls of alert sources"),
    "JournalCounter": (NOT_PERSONAL, "numbers"),
    "ViewVersion": (NOT_PERSONAL, "numbers (keys name ids only)"),
    "Peer": (NOT_PERSONAL, "neighbouring cities"),
    "MirrorLog": (NOT_PERSONAL, "refusals between cities"),
    "JobLease": (NOT_PERSONAL, "background jobs"),
    "RateCount": (NOT_PERSONAL, "counts that expire with their window"),
    "SiteSetting": (NOT_PERSONAL, "the site's settings"),
    # "the city answers" (issue 19)
    "DocumentReminder": (REMOVED, "with the account"),
    "GarbageReminder": (REMOVED, "with the account"),
    "Telling": (REMOVED, "with the account"),
    "Appointment": (REMOVED, "coming ones cancelled (their places freed for others), then all deleted"),
    "IncomingMail": (ANONYMISED, "the city's correspondence, as inquiries; the sender's address is cleared"),
    "Counter": (NOT_PERSONAL, "the city's counters"),
    "ClosedDay": (NOT_PERSONAL, "the city's calendar"),
    "SlotTaken": (NOT_PERSONAL, "counts of places taken"),
    "GarbageDay": (NOT_PERSONAL, "the city's calendar"),
    "WeeklyActivity": (NOT_PERSONAL, "counts only"),
    # partners' standards (issue 18)
    "ActorKey": (REMOVED, "the person's fediverse key goes with the account (the city's stays)"),
    "Follower": (REMOVED, "who followed the person from other servers"),
    "Delivery": (REMOVED, "activities of the person's still waiting to go out"),
    "BlockedServer": (ANONYMISED, "the city's list of refused servers: who added one is cleared"),
    "RemoteActor": (NOT_PERSONAL, "other servers' public keys"),
    "InboxRefusal": (NOT_PERSONAL, "refused posts from other servers: addresses and reasons, no resident's data"),
    "SeenSignature": (NOT_PERSONAL, "digests that expire with the allowed clock skew"),
    "PartnerKey": (ANONYMISED, "a partner's key: who issued it is cleared"),
    "PfifNote": (REMOVED, "notes from partner registries about the person"),
}
