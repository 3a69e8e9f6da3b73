"""Reading a mail to the city: its structure, its words, its pictures, and whether its sender is proven.

`read_mail(raw)` parses with the standard library's `email.policy.default` and refuses (raises
`Unreadable`) a message whose structure cannot be read: a multipart without its boundary, a part that
violates the multipart rules, no From address. Everything else is read defensively: the plain-text part is
preferred, an HTML-only mail is turned into text by `html_to_text` (tags dropped, script and style skipped,
entities decoded: nothing of the HTML survives as markup), attachments are sorted into images (for the
photo pipeline) and others (dropped, named in a note).

`sender_proven(msg, address, authserv_id)` is the rule for a forged sender: a mail is believed to come from
`address` only when an `Authentication-Results` header written by our own receiving server (its
`authserv-id` is the setting `intake_authserv_id`) says `dmarc=pass` for the From's domain, or `dkim=pass`
with `header.d`, or `spf=pass` with `smtp.mailfrom`, of that domain. The topmost such header counts (a
receiving server adds its own on top; one further down, or with another id, could have been written by
anyone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import errors, policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

import authres

STRUCTURAL = (errors.StartBoundaryNotFoundDefect, errors.MultipartInvariantViolationDefect,
              errors.NoBoundaryInMultipartDefect, errors.CloseBoundaryNotFoundDefect,
              errors.FirstHeaderLineIsContinuationDefect, errors.MissingHeaderBodySeparatorDefect)
MESSAGE_ID_RE = re.compile(r"<[^<>\s]{1,250}>")
ADDRESS_HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")


class Unreadable(ValueError):
    """The message's structure cannot be read: it is quarantined, its bytes kept."""


@dataclass
class Attached:
    name: str
    type: str
    data: bytes


@dataclass
class ReadMail:
    msg: EmailMessage
    message_id: str
    from_addr: str
    from_name: str
    subject: str
    text: str
    images: list[Attached] = field(default_factory=list)
    others: list[Attached] = field(default_factory=list)
    refers_to: list[str] = field(default_factory=list)  # In-Reply-To and References, newest last
    automatic: bool = False  # an auto-reply, a bounce or a list: never answered automatically


def _defects(msg: EmailMessage) -> list:
    found = list(msg.defects)
    for part in msg.walk():
        found.extend(part.defects)
    return found


def read_mail(raw: bytes) -> ReadMail:
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        structural = [d for d in _defects(msg) if isinstance(d, STRUCTURAL)]
        if structural:
            raise Unreadable(f"malformed MIME: {type(structural[0]).__name__}")
        name, address = parseaddr(str(msg.get("From", "")))
        if "@" not in address:
            raise Unreadable("no sender address in From")
        text, images, others = _contents(msg)
        subject = " ".join(str(msg.get("Subject", "")).split())
        message_id = _ids(str(msg.get("Message-ID", "")))
    except Unreadable:
        raise
    except Exception as exc:  # the stdlib raises all sorts on hostile input: the mail is kept for a person
        raise Unreadable(f"unreadable: {type(exc).__name__}") from None
    refers = _ids(str(msg.get("In-Reply-To", ""))) + _ids(str(msg.get("References", "")))
    automatic = (str(msg.get("Auto-Submitted", "no")).strip().lower() != "no"
                 or str(msg.get("Precedence", "")).strip().lower() in ("bulk", "junk", "list")
                 or bool(msg.get("List-Id")))
    return ReadMail(msg, message_id[0] if message_id else "", address.lower(), name.strip()[:100], subject, text,
                    images, others, refers, automatic)


def _ids(value: str) -> list[str]:
    return MESSAGE_ID_RE.findall(value)


def _contents(msg: EmailMessage) -> tuple[str, list[Attached], list[Attached]]:
    body = msg.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        content = body.get_content()
        text = html_to_text(content) if body.get_content_subtype() == "html" else content
    images, others = [], []
    for part in msg.iter_attachments() if msg.is_multipart() else ():
        if part.is_multipart():
            continue
        data = part.get_payload(decode=True) or b""
        item = Attached(" ".join(str(part.get_filename() or "").split())[:100], part.get_content_type(), data)
        (images if item.type.startswith("image/") else others).append(item)
    return text, images, others


class _Text(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table"}
    SKIP = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.out.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.out.append(data)


def html_to_text(html: str) -> str:
    """The words of an HTML mail as plain text (no markup survives; the page escapes what is shown)."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.out).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def headers_of(raw: bytes) -> dict[str, str]:
    """What the log can still say of a message whose structure cannot be read (its headers, leniently)."""
    try:
        head = BytesHeaderParser(policy=policy.compat32).parsebytes(raw[:65536])
        return {"message_id": (_ids(str(head.get("Message-ID", ""))) or [""])[0][:255],
                "from_addr": parseaddr(str(head.get("From", "")))[1].lower()[:320],
                "subject": " ".join(str(head.get("Subject", "")).split())[:300]}
    except Exception:
        return {}


def recipients_of(msg: EmailMessage) -> list[str]:
    """Where a fetched mail was sent (no envelope over IMAP): the delivery headers, then To and Cc."""
    found = []
    for name in ADDRESS_HEADERS:
        for _, address in getaddresses([str(v) for v in msg.get_all(name, [])]):
            if "@" in address and address.lower() not in found:
                found.append(address.lower())
    return found


def sender_proven(msg: EmailMessage, address: str, authserv_id: str) -> bool:
    """Whether our own receiving server proved that `address`'s domain sent this mail (see the module)."""
    if not authserv_id:
        return False
    domain = address.rpartition("@")[2].lower()
    for value in msg.get_all("Authentication-Results", []):
        try:
            header = authres.AuthenticationResultsHeader.parse(f"Authentication-Results: {value}")
        except Exception:  # a malformed header proves nothing
            continue
        if (header.authserv_id or "").lower() != authserv_id.lower():
            continue
        return any(_passes(result, domain) for result in header.results)
    return False


def _passes(result, domain: str) -> bool:
    if (result.result or "").lower() != "pass":
        return False
    wanted = {"dmarc": ("header", "from"), "dkim": ("header", "d"), "spf": ("smtp", "mailfrom")}.get(result.method)
    if wanted is None:
        return False
    for prop in result.properties:
        if (prop.type, prop.name) == wanted:
            value = (prop.value or "").lower()
            return value.rpartition("@")[2] == domain
    return False
