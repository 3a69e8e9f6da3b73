"""What a service needs to know about the caller and the instance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sns.policies import ANONYMOUS, Viewer
from sns.security import RateLimiter
from sns.settings import Settings

if TYPE_CHECKING:  # the manifest imports every part of the site, this module among them
    from sns.areas import Site


@dataclass
class Limits:
    """Per-process rate limits, made once per app from the settings."""

    logins: RateLimiter
    posts: RateLimiter
    resets: RateLimiter

    @classmethod
    def unlimited(cls) -> "Limits":
        """For trusted bulk work (the demo seeder), where no person is typing."""
        return cls(*(RateLimiter(10**9, 1) for _ in range(3)))

    @classmethod
    def from_settings(cls, s: Settings) -> "Limits":
        return cls(
            logins=RateLimiter(s.login_attempts_per_15min, 15 * 60),
            posts=RateLimiter(s.posts_per_10min, 10 * 60),
            resets=RateLimiter(5, 60 * 60),
        )


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
