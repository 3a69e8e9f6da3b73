"""The SMTP server that receives mail to the city (`intake_smtp_port`, 0: off), owned by the app's lifespan.

It runs on the app's own event loop (aiosmtpd's protocol on `loop.create_server`, not its Controller thread),
so it shares the database connections of the process. Several workers of one machine share the port
(SO_REUSEPORT); on several machines each may run one: the database decides the rest (a message delivered
twice is stored once, sns/services/mail_intake.py).

What the sending server is told:
- RCPT TO an address that is not the city's, a department's, or a reply address: 550, nothing taken;
- a message over `intake_max_bytes`: 552, at MAIL FROM when the sender announces its SIZE (RFC 1870), else
  at DATA (aiosmtpd's own checks, which discard the bytes as they come); the refusal is logged;
- accepted, quarantined, or a repeat: 250 (the message is with us: the sender must not try again);
- refused for a reason that is the sender's (too many mails): 550 with the reason;
- anything failing on our side (the database away): 451, so the sender tries again later.
"""

from __future__ import annotations

import asyncio
import logging

from aiosmtpd.smtp import SMTP

from sns.limits import RateLimiter, open_store
from sns.models import IncomingMail
from sns.services import mail_intake
from sns.settings import Settings

log = logging.getLogger(__name__)


class IntakeHandler:
    """aiosmtpd's handler: every message goes to `mail_intake.receive`."""

    def __init__(self, settings: Settings, limiter: RateLimiter | None) -> None:
        self.settings, self.limiter = settings, limiter

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        try:
            ours = await mail_intake.find_target(self.settings, None, [address.lower()]) is not None
        except Exception:
            log.exception("mail to the city: looking up %s failed", address)
            return "451 4.3.0 Please try again later"
        if not ours:
            return "550 5.1.1 No such address here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def too_large(self, envelope, when: str) -> None:
        try:
            await IncomingMail.create(via="smtp", mail_from=(envelope.mail_from or "")[:320] if envelope else "",
                                      to_addr=(envelope.rcpt_tos[0] if envelope and envelope.rcpt_tos else "")[:320],
                                      state="refused",
                                      reason=f"too large: over {self.settings.intake_max_bytes} bytes ({when})")
        except Exception:  # the refusal itself is what matters
            log.exception("mail to the city: a refusal could not be logged")

    async def handle_DATA(self, server, session, envelope):
        try:
            outcome = await mail_intake.receive(self.settings, envelope.original_content or envelope.content,
                                                mail_from=envelope.mail_from or "<>", rcpt_to=envelope.rcpt_tos,
                                                via="smtp", limiter=self.limiter)
        except Exception:
            log.exception("mail to the city from %s could not be taken", envelope.mail_from)
            return "451 4.3.0 Please try again later"
        if outcome.state == "refused" and not outcome.repeat:
            return f"550 5.7.1 {outcome.reason}"
        return "250 OK"


class IntakeSMTP(SMTP):
    """aiosmtpd's protocol, which refuses an oversized DATA itself (552) without a handler hook: the refusal is
    noticed as it is sent, and logged like every other message."""

    async def push(self, status: str):
        if status.startswith("552 Error: Too much mail data"):
            await self.event_handler.too_large(self.envelope, "552 at DATA")
        elif status.startswith("552 Error: message size exceeds"):  # the SIZE the sender announced (RFC 1870)
            await self.event_handler.too_large(None, "552 at MAIL FROM, by its announced SIZE")
        return await super().push(status)


class IntakeServer:
    """Started and stopped by the lifespan (sns/app.py)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.server: asyncio.AbstractServer | None = None
        self.limiter: RateLimiter | None = None

    async def start(self) -> None:
        s = self.settings
        self.limiter = RateLimiter("intake", s.intake_mails_per_hour, 3600, open_store(s))
        handler = IntakeHandler(s, self.limiter)
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(
            lambda: IntakeSMTP(handler, data_size_limit=s.intake_max_bytes, hostname=s.origin, ident="sns intake",
                         enable_SMTPUTF8=True, decode_data=False),
            host=s.intake_smtp_host, port=s.intake_smtp_port, reuse_port=True)
        log.info("receiving mail to the city on %s:%d", s.intake_smtp_host, s.intake_smtp_port)

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            try:  # a sending server still connected is cut off after a while
                await asyncio.wait_for(self.server.wait_closed(), 5)
            except TimeoutError:
                log.warning("mail to the city: a sending server was still connected at shutdown")
        if self.limiter is not None:
            await self.limiter.store.close()


async def start(settings: Settings) -> IntakeServer | None:
    """The server when `intake_smtp_port` asks for one (None otherwise)."""
    if not settings.intake_smtp_port:
        return None
    server = IntakeServer(settings)
    await server.start()
    return server
