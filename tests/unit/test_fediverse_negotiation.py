"""Content negotiation between a page and its ActivityPub object, as real clients send Accept headers."""

import pytest

from sns.fediverse.negotiation import prefers_html, wants_activity

MASTODON = ('application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams", '
            'text/html;q=0.1')
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CHROME = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
          "application/signed-exchange;v=b3;q=0.7")


@pytest.mark.parametrize("accept,activity,html", [
    (MASTODON, True, False),
    ("application/activity+json", True, False),
    ('application/ld+json; profile="https://www.w3.org/ns/activitystreams"', True, False),
    ("application/activity+json, application/ld+json", True, False),  # Misskey
    (FIREFOX, False, True),
    (CHROME, False, True),
    ("", False, False),  # curl, a key fetch without Accept: the page, but an actor's document
    ("*/*", False, False),
    ("application/json", False, False),
    ("application/ld+json", False, False),  # JSON-LD of another vocabulary
    ("text/html, application/activity+json;q=0.5", False, True),
    ("application/activity+json;q=0.9, text/html;q=0.9", True, False),
    ("application/activity+json;q=0", False, False),
    ("application/activity+json;q=bogus, text/html", False, True),
    (",".join(["text/plain"] * 100) + ",application/activity+json", False, False),  # only the first 32 read
])
def test_accept_headers(accept, activity, html):
    assert wants_activity(accept) is activity
    assert prefers_html(accept) is html
