"""Configuration, read once: environment variables, then `sns.toml` in the data directory.

Every field below is a setting. Its environment variable is `SNS_` plus the
field name in capitals (`DATABASE_URL` is also read without the prefix);
in `sns.toml` it is the field name. The environment wins over the file.
Every setting is documented in docs/configuration.md (a test checks this).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("var")
    media_dir: Path = Path("")  # empty: <data_dir>/media; several machines of one city share one (NFS...)
    database_url: str = ""  # empty: SQLite file `sns.sqlite3` in data_dir
    origin: str = "localhost"  # canonical host name of this instance
    public_url: str = ""  # empty: http://{host}:{port}
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    default_locale: str = "en"
    timezone: str = "Asia/Tokyo"
    secure_cookies: bool = False
    session_days: int = 30
    second_factor_roles: str = "admin, moderator, fire, disaster, staff"  # roles that must have a second factor
    account_deletion_days: int = 14  # grace before a deleted account is removed (signing in cancels it)
    export_keep_days: int = 7  # how long a prepared "download my data" archive stays downloadable
    notification_keep_days: int = 90  # notifications older than this are removed (read or not)
    telling_keep_days: int = 30  # reminders and notices told (sent, failed or dropped) are forgotten after this
    checkin_keep_days: int = 30  # safety check-ins are removed this long after their disaster ended
    sign_in_log_keep_days: int = 365  # sign-ins in the account security log are kept this long
    mail_outbox_keep_days: int = 7  # sent (or failed) mail is removed from the outbox after this long
    retention_seconds: int = 3600  # pace of the retention job removing what is no longer needed
    login_attempts_per_15min: int = 10
    posts_per_10min: int = 30
    max_upload_bytes: int = 10 * 1024 * 1024
    max_image_pixels: int = 40_000_000
    max_photos_per_post: int = 4
    max_body_chars: int = 20_000
    max_mail_recipients: int = 20  # people one internal mail conversation may include besides the writer
    invitation_days: int = 14
    password_reset_hours: int = 2
    smtp_host: str = ""  # empty: mail is written to the log instead of sent
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    mail_from: str = "noreply@localhost"
    intake_address: str = ""  # mail to the city: its general address (routed to intake_department); empty: none
    intake_department: str = ""  # the department (its name or id) that mail to intake_address goes to
    intake_smtp_port: int = 0  # the SMTP server receiving mail to the city (sns/intake_smtp.py); 0: off
    intake_smtp_host: str = "127.0.0.1"  # the address it listens on (the city's MX or relay is in front)
    intake_imap_url: str = ""  # a mailbox to fetch mail to the city from (imaps://user:pass@host/INBOX); empty: none
    intake_imap_seconds: int = 60  # pace of the job "mail_intake" fetching that mailbox
    intake_max_bytes: int = 20 * 1024 * 1024  # the largest mail to the city accepted (SMTP answers 552 beyond)
    intake_authserv_id: str = ""  # the authserv-id of our own receiving server's Authentication-Results header
    intake_mails_per_hour: int = 10  # mails one sender address may send to the city in an hour
    open311_requests_per_hour: int = 120  # reports one partner's Open311 key may file in an hour
    open311_contact: str = ""  # Open311 discovery's `contact`: how a partner reaches the city's API team
    broadcast_url: str = "memory://"
    page_size: int = 20
    shared_cache_seconds: int = 5  # what every reader sees alike (newest public diaries, feeds); 0: off
    reader_page_seconds: int = 60  # the longest a page kept for one reader is reused unchanged; 0: none kept
    tile_url: str = ""  # empty: maps show markers on a plain background
    tile_attribution: str = ""  # the credit the tile server asks for, shown on the map (plain text)
    max_geojson_bytes: int = 5 * 1024 * 1024  # the largest map layer an administrator may upload
    max_geojson_vertices: int = 200_000  # the most points all shapes of one uploaded layer may have
    moderation_mode: str = "hold"  # hold: flagged texts wait for a moderator; mask: published with words masked
    grey_threshold: int = 10  # grey-person score at which every new post waits; 0: nobody is grey
    grey_half_life_hours: int = 168  # the grey score halves in this many hours
    moderation_helper_email: str = ""  # besides the administrators, who is mailed when a post waits
    alert_notice_seconds: int = 30  # pace of the job telling residents of alerts (posting nudges it at once)
    web_push_contact: str = ""  # the VAPID contact push services may write to (mailto: or https:); empty: mail_from
    web_push_loopback: bool = False  # accept push endpoints on this machine (http://127.0.0.1...): tests only
    background_tasks: bool = True  # run the background jobs (CAP polling, alert notices) in this process
    job_lease_seconds: int = 30  # a job's lease: another machine takes a job this long after its holder died
    limits_url: str = ""  # where rate limits count: empty: broadcast_url's Redis if it is one, else the database
    mail_outbox_seconds: int = 5  # pace of the job sending the mail outbox (writing a mail nudges it at once)
    mail_max_attempts: int = 12  # tries of one mail (back-off doubling from mail_retry_seconds) before it fails
    mail_retry_seconds: int = 30  # the first wait before a mail that could not be sent is tried again
    metrics_allow: str = "127.0.0.1/32, ::1/128"  # addresses (CIDR, comma-separated) that may read /metrics
    trusted_proxies: str = "127.0.0.1, ::1"  # addresses whose X-Forwarded-For / -Proto is believed (nginx)
    log_format: str = "text"  # text: for people; json: one JSON object per line (for a log collector)
    cap_poll_seconds: int = 60  # how often each configured CAP source is fetched (unless it says otherwise)
    cap_max_bytes: int = 2 * 1024 * 1024  # the largest CAP document or feed read from a source
    cap_timeout_seconds: int = 10  # connecting to a CAP source, and each wait for its next bytes
    mirror_pull_seconds: int = 1  # pace of pulling each peer's journal (a round catches up before it rests)
    mirror_batch_entries: int = 1000  # the most journal entries in one batch, asked or served
    mirror_max_batch_bytes: int = 16 * 1024 * 1024  # the largest batch accepted from a peer (served: half)
    mirror_timeout_seconds: int = 10  # connecting to a peer, and each wait for its next bytes
    mirror_down_after_seconds: int = 60  # a peer not reached for this long is shown as down (and its mirror offered)
    mirror_acting_minutes: int = 240  # how long a neighbour's staff stay signed in here to act for their fallen city
    mirror_clock_skew_seconds: int = 300  # how far a peer's signed request time may be from ours
    mirror_instance_box_seconds: int = 300  # how often a peer's sealed instance box (keys, settings) is fetched again
    mirror_restore_requests_per_hour: int = 20  # unsigned asks for a neighbour's sealed instance box, per address
    fediverse_handle: str = "city"  # the city's fediverse actor: @<handle>@<origin> (docs/federation.md)
    fediverse_inbox_max_bytes: int = 256 * 1024  # the largest post to our inboxes read (413 beyond)
    fediverse_clock_skew_seconds: int = 300  # how far a signed post's Date may be from ours (and replays are kept)
    fediverse_inbox_posts_per_minute: int = 600  # posts to our inboxes one server may send in a minute (429 beyond)
    fediverse_timeout_seconds: int = 10  # connecting to another server, and each wait for its answer
    fediverse_delivery_seconds: int = 5  # pace of the job "fediverse_delivery" (queueing nudges it at once)
    fediverse_delivery_attempts: int = 8  # tries of one delivery before it fails, back-off doubling...
    fediverse_delivery_horizon_seconds: int = 172_800  # ...so that the tries span about this long (two days)
    fediverse_keep_days: int = 7  # sent and failed deliveries, and refused inbox posts, are forgotten after this
    fediverse_loopback: bool = False  # fetch from and deliver to this machine and private networks: tests only

    @property
    def db_url(self) -> str:
        if self.database_url:
            url = self.database_url
            return "postgres://" + url.split("://", 1)[1] if url.startswith("postgresql://") else url
        return f"sqlite://{(self.data_dir / 'sns.sqlite3').resolve()}"

    @property
    def second_factor_role_set(self) -> frozenset[str]:
        return frozenset(r.strip() for r in self.second_factor_roles.split(",") if r.strip())

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    def __post_init__(self) -> None:
        if self.media_dir == Path(""):  # the default follows the data directory
            object.__setattr__(self, "media_dir", self.data_dir / "media")

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    def replace(self, **changes: Any) -> "Settings":
        if "data_dir" in changes and "media_dir" not in changes and self.media_dir == self.data_dir / "media":
            changes["media_dir"] = Path("")  # it followed the data directory: it still does
        return dataclasses.replace(self, **changes)


def _coerce(kind: Any, raw: Any, name: str) -> Any:
    if kind is bool or kind == "bool":
        if isinstance(raw, bool):
            return raw
        return str(raw).strip().lower() in {"1", "true", "yes", "on"}
    if kind is int or kind == "int":
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise SystemExit(f"setting {name}: {raw!r} is not a whole number") from None
    if kind is Path or kind == "Path":
        return Path(raw)
    return str(raw)


def load_settings(data_dir: str | os.PathLike | None = None, **overrides: Any) -> Settings:
    """Read the settings: defaults < sns.toml < environment < explicit overrides."""
    env = os.environ
    data = Path(data_dir or env.get("SNS_DATA") or env.get("SNS_DATA_DIR") or "var")
    values: dict[str, Any] = {"data_dir": data}
    toml_path = data / "sns.toml"
    if toml_path.exists():
        with toml_path.open("rb") as fh:
            values.update(tomllib.load(fh))
    for f in dataclasses.fields(Settings):
        key = "SNS_" + f.name.upper()
        if key in env:
            values[f.name] = env[key]
    if "DATABASE_URL" in env and "SNS_DATABASE_URL" not in env:
        values["database_url"] = env["DATABASE_URL"]
    values.update({k: v for k, v in overrides.items() if v is not None})
    known = {f.name: f for f in dataclasses.fields(Settings)}
    unknown = set(values) - set(known)
    if unknown:
        raise SystemExit(f"unknown settings: {', '.join(sorted(unknown))} (see docs/configuration.md)")
    typed = {k: _coerce(known[k].type, v, k) for k, v in values.items()}
    return Settings(**typed)


def setting_names() -> list[str]:
    return [f.name for f in dataclasses.fields(Settings)]


__all__ = ["Settings", "load_settings", "setting_names", "field"]
