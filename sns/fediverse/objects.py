"""What we publish, as ActivityPub objects and activities: a Note for an official notice, for an alert, and for
a followable resident's public diary; a Tombstone for one that is gone; `Create` / `Update` / `Delete` around them.

An object's `id` is its page's own address (/notices/<id>, /alerts/<id>, /diaries/<id>): the same URL serves the
page to browsers and the object to fediverse servers (sns/fediverse/negotiation.py). `content` is the HTML the
page shows, made the same way (markdown-it + nh3 for notices and diaries, escaped plain text for alerts).
Callers decide first, through sns/policies/fediverse.py, that a visitor may see what they pass in; photos
given here must have passed `fediverse_can_see_photo`. An activity's id is its object's id with the step
and the object's version (`#create-3`, `#update-4`, `#delete-5`), so sending the same change twice is
recognisable as one. Texts the city writes around an alert are in the site's default language.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from markupsafe import Markup, escape

from sns.fediverse.addresses import actor_url, followers_url
from sns.i18n import N_, gettext, using_locale
from sns.markup import render_markdown
from sns.settings import Settings

AS = "https://www.w3.org/ns/activitystreams"
PUBLIC = AS + "#Public"
CONTEXT: list[Any] = [AS, "https://w3id.org/security/v1", {
    "toot": "http://joinmastodon.org/ns#", "sensitive": "as:sensitive", "Hashtag": "as:Hashtag",
    "manuallyApprovesFollowers": "as:manuallyApprovesFollowers", "discoverable": "toot:discoverable",
    "indexable": "toot:indexable",
}]
ALERT_TAGS = {"Extreme": "extreme", "Severe": "severe", "Moderate": "moderate", "Minor": "minor"}
STATUS_WORDS = {"outbreak": N_("Outbreak"), "under_control": N_("Under control"),
                "extinguished": N_("Extinguished"), "cancelled": N_("Cancelled")}
KIND_WORDS = {"fire": N_("Fire"), "flood": N_("Flood"), "landslide": N_("Landslide"), "earthquake": N_("Earthquake"),
              "tsunami": N_("Tsunami"), "storm": N_("Storm"), "other": N_("Other hazard")}


def when(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def notice_id(settings: Settings, notice_id_: str) -> str:
    return f"{settings.base_url}/notices/{notice_id_}"


def alert_id(settings: Settings, alert_id_: str) -> str:
    return f"{settings.base_url}/alerts/{alert_id_}"


def diary_id(settings: Settings, diary_id_: str) -> str:
    return f"{settings.base_url}/diaries/{diary_id_}"


def _note(settings: Settings, oid: str, actor: str, content: str, record, language: str, **extra) -> dict[str, Any]:
    return {
        "@context": CONTEXT, "id": oid, "type": "Note", "url": oid, "attributedTo": actor_url(settings, actor),
        "content": content, "contentMap": {language: content}, "published": when(record.created_at),
        "updated": when(getattr(record, "updated_at", None) or record.created_at), "to": [PUBLIC],
        "cc": [followers_url(settings, actor)], "sensitive": False, **extra,
    }


def _headed(title: str, body_html: str) -> str:
    return f"<p><strong>{escape(title)}</strong></p>{body_html}"


def notice_note(settings: Settings, handle: str, notice) -> dict[str, Any]:
    """An official notice, from the city's actor (`handle`: the `fediverse_handle` setting)."""
    content = _headed(notice.title, str(render_markdown(notice.body)))
    return _note(settings, notice_id(settings, notice.id), handle, content, notice, settings.default_locale)


def _hashtag(settings: Settings, word: str) -> dict[str, str]:
    return {"type": "Hashtag", "name": f"#{word}", "href": f"{settings.base_url}/alerts"}


def alert_note(settings: Settings, handle: str, alert) -> dict[str, Any]:
    """An alert: its headline, status and severity, what is happening, what to do, where; the kind and the
    severity as hashtags (a content warning would hide a warning behind a click, so `summary` stays empty)."""
    words = ["alert", alert.kind] + ([ALERT_TAGS[alert.severity]] if alert.severity in ALERT_TAGS else [])
    with using_locale(settings.default_locale):
        headline = f"{gettext(KIND_WORDS.get(alert.kind, alert.kind))}: {alert.title}"
        if alert.exercise:
            headline = f"[{gettext(N_('Exercise'))}] {headline}"
        parts = [f"<p><strong>{escape(headline)}</strong></p>",
                 f"<p>{escape(gettext(N_('Status')))}: {escape(gettext(STATUS_WORDS.get(alert.status, alert.status)))}"
                 f"<br>{escape(gettext(N_('Severity')))}: {escape(alert.severity)}</p>"]
        for label, text in ((N_("What is happening"), alert.description), (N_("What to do"), alert.instruction),
                            (N_("Where"), alert.address)):
            if text:
                lines = Markup("<br>").join(escape(line) for line in text.split("\n"))
                parts.append(f"<p>{escape(gettext(label))}:<br>{lines}</p>")
    tags = " ".join(f'<a href="{escape(settings.base_url)}/alerts" class="mention hashtag" rel="tag">'
                    f"#<span>{escape(w)}</span></a>" for w in words)
    parts.append(f"<p>{tags}</p>")
    return _note(settings, alert_id(settings, alert.id), handle, "".join(parts), alert, settings.default_locale,
                 tag=[_hashtag(settings, w) for w in words])


def diary_note(settings: Settings, author, diary, photos: Iterable = ()) -> dict[str, Any]:
    """A public diary entry of a followable resident, with the photos a visitor may see as attachments."""
    content = _headed(diary.title, str(render_markdown(diary.body)))
    attachments = [{"type": "Document", "mediaType": "image/jpeg", "url": f"{settings.base_url}/photos/{p.id}.jpg",
                    "name": p.caption or None, "width": p.width, "height": p.height} for p in photos]
    return _note(settings, diary_id(settings, diary.id), author.username, content, diary, settings.default_locale,
                 attachment=attachments)


def tombstone(oid: str, deleted: datetime | None) -> dict[str, Any]:
    return {"@context": CONTEXT, "id": oid, "type": "Tombstone", "formerType": "Note", "deleted": when(deleted)}


def _bare(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k != "@context"}


def activity(step: str, settings: Settings, actor: str, obj: dict[str, Any], version: int) -> dict[str, Any]:
    """`Create`, `Update` or `Delete` of `obj` by our actor `actor` (the handle or a username), complete with its
    @context, addressing and a stable id: what the delivery job signs and posts unchanged."""
    return {
        "@context": CONTEXT, "id": f"{obj['id']}#{step.lower()}-{version}", "type": step,
        "actor": actor_url(settings, actor), "published": obj.get("updated") or obj.get("deleted"),
        "to": [PUBLIC], "cc": [followers_url(settings, actor)], "object": _bare(obj),
    }


def actor_deleted(settings: Settings, actor: str, version: int) -> dict[str, Any]:
    """A resident stopped being followable: their actor is gone (Mastodon then fetches it and finds 404).
    `version` tells one withdrawal from the next (the time it was made)."""
    url = actor_url(settings, actor)
    return {"@context": CONTEXT, "id": f"{url}#delete-{version}", "type": "Delete", "actor": url, "object": url,
            "to": [PUBLIC]}


__all__ = ["CONTEXT", "PUBLIC", "notice_note", "alert_note", "diary_note", "tombstone", "activity",
           "actor_deleted", "notice_id", "alert_id", "diary_id"]
