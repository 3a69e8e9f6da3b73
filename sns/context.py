"""What a service needs to know about the caller and the instance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sns.policies import ANONYMOUS, Viewer
from sns.limits import RateLimiter, open_store
from sns.settings import Settings

if TYPE_CHECKING:  # the manifest imports every part of the site, this module among them
    from sns.areas import Site


@dataclass
class Limits:
    """The site's rate limits, made once per app from the settings and counted in the store `limits_url`
    names, so they hold across every worker and machine (sns/limits.py)."""

    logins: RateLimiter
    posts: RateLimiter
    resets: RateLimiter
    box_asks: RateLimiter  # unsigned asks for a neighbour's sealed instance box (sns/mirror/box_exchange.py)
    fediverse_inbox: RateLimiter  # posts to our fediverse inboxes, per server (sns/fediverse/inbox.py)
    partners: RateLimiter  # reports one partner's Open311 key files (sns/services/open311.py)

    @classmethod
    def unlimited(cls) -> "Limits":
        """For trusted bulk work (the demo seeder), where no person is typing: counted in memory."""
        return cls(*(RateLimiter(name, 10**9, 1) for name in ("logins", "posts", "resets", "box-asks",
                                                                  "fediverse-inbox", "open311")))

    @classmethod
    def from_settings(cls, s: Settings) -> "Limits":
        store = open_store(s)
        return cls(
            logins=RateLimiter("logins", s.login_attempts_per_15min, 15 * 60, store),
            posts=RateLimiter("posts", s.posts_per_10min, 10 * 60, store),
            resets=RateLimiter("resets", 5, 60 * 60, store),
            box_asks=RateLimiter("box-asks", s.mirror_restore_requests_per_hour, 60 * 60, store),
            fediverse_inbox=RateLimiter("fediverse-inbox", s.fediverse_inbox_posts_per_minute, 60, store),
            partners=RateLimiter("open311", s.open311_requests_per_hour, 60 * 60, store),
        )

    async def close(self) -> None:
        """Closes the store's connection (a Redis client); the database's is the site's."""
        await self.logins.store.close()


@dataclass
class Ctx:
    settings: Settings
    limits: Limits
    viewer: Viewer = field(default_factory=lambda: ANONYMOUS)
    client_ip: str = ""
    # the reader's version numbers, read with the session (sns/web/session_read.py); empty otherwise
    versions: dict[str, int] = field(default_factory=dict)
    # the site's parts, as the manifest built them (sns/areas.py): `request.app.state.site` for a request, the
    # site the `sns` command built for its work; what plugs in (review kinds, map layers...) is read from here
    site: Site | None = None

    @property
    def user(self):
        return self.viewer.user

    @property
    def origin(self) -> str:
        return self.settings.origin

    def as_viewer(self, viewer: Viewer) -> "Ctx":
        return Ctx(self.settings, self.limits, viewer, self.client_ip, self.versions, self.site)
