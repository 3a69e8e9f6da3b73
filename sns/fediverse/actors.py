"""Our actors' documents: the city (an Organization: its notices and alerts) and a followable resident (a Person:
their public diaries). What a resident's document shows is what a visitor sees on their profile page."""

from __future__ import annotations

from typing import Any

from markupsafe import escape

from sns.fediverse.addresses import actor_url, followers_url, inbox_url, key_id, outbox_url, shared_inbox_url
from sns.fediverse.objects import CONTEXT
from sns.i18n import N_, gettext, using_locale
from sns.markup import render_markdown
from sns.policies.fediverse import fediverse_can_see_profile_field
from sns.settings import Settings

CITY_SUMMARY = N_("Official notices and alerts of %(town)s.")


def _actor(settings: Settings, handle: str, kind: str, public_pem: str, **fields: Any) -> dict[str, Any]:
    url = actor_url(settings, handle)
    return {
        "@context": CONTEXT, "id": url, "type": kind, "preferredUsername": handle,
        "inbox": inbox_url(settings, handle), "outbox": outbox_url(settings, handle),
        "followers": followers_url(settings, handle), "endpoints": {"sharedInbox": shared_inbox_url(settings)},
        "manuallyApprovesFollowers": False,
        "publicKey": {"id": key_id(settings, handle), "owner": url, "publicKeyPem": public_pem},
        **fields,
    }


def city_actor(settings: Settings, site, public_pem: str) -> dict[str, Any]:
    """The city: named as the site is (in the site's default language), its front page as `url`. The site
    has no raster icon of its own (only favicon.svg, which fediverse software does not show), so no `icon`."""
    with using_locale(settings.default_locale):
        town = site.name_for(settings.default_locale)
        summary = gettext(CITY_SUMMARY, town=town)
    return _actor(settings, settings.fediverse_handle, "Organization", public_pem, name=town,
                  summary=f"<p>{escape(summary)}</p>",
                  url=f"{settings.base_url}/", discoverable=True, indexable=True)


def person_actor(settings: Settings, user, public_pem: str) -> dict[str, Any]:
    """A followable resident: their display name always (a visitor sees it), their introduction and picture only
    when their profile shows them to visitors. Not offered to directories (`discoverable` false): they chose to
    be followable, not to be listed."""
    fields: dict[str, Any] = {"name": user.display_name, "url": f"{settings.base_url}/people/{user.username}",
                              "discoverable": False, "indexable": False,
                              "published": user.created_at.strftime("%Y-%m-%dT00:00:00Z")}
    if user.introduction and fediverse_can_see_profile_field(user, "introduction"):
        fields["summary"] = str(render_markdown(user.introduction))
    if user.avatar_id and fediverse_can_see_profile_field(user, "avatar"):
        fields["icon"] = {"type": "Image", "mediaType": "image/jpeg",
                          "url": f"{settings.base_url}/photos/{user.avatar_id}.jpg"}
    return _actor(settings, user.username, "Person", public_pem, **fields)
