"""Mail to the city, with real servers on loopback: our SMTP server (aiosmtpd, started by the app's lifespan)
receives mail sent with aiosmtplib; Dovecot is the mailbox the job "mail_intake" fetches from; what the city
sends back goes through the outbox to another real SMTP server (the `smtp` fixture)."""

from __future__ import annotations

import imaplib
from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib
import pytest

from fixtures import free_port, jpeg_with_gps, make_site
from imap_server import available as imap_available, imap_server
from sns import mail
from sns.limits import RateLimiter
from sns.models import Department, IncomingMail, Inquiry, InquiryEntry, Photo, User
from sns.security import hash_password
from sns.services import mail_intake, mail_intake_imap
from sns.services.mail_intake_answers import intake_account

CITY, ROADS = "city@city.example", "roads@city.example"
PROVEN = "mx.city.example; spf=pass smtp.mailfrom=example.org; dmarc=pass header.from=example.org"


@pytest.fixture(scope="module")
async def town(tmp_path_factory, smtp):
    controller, inbox = smtp
    port = free_port()
    async with make_site(tmp_path_factory.mktemp("intake"), intake_smtp_port=port, intake_address=CITY,
                         intake_department="Welfare", intake_authserv_id="mx.city.example",
                         smtp_host="127.0.0.1", smtp_port=controller.port, mail_from="sns@city.example") as site:
        await site.user("cityadmin", role="admin")
        await site.user("roadie", role="staff")
        await site.user("mika")  # mika@example.org
        admin = site.client()
        await admin.login("cityadmin")
        for name, address in (("Roads", ROADS), ("Welfare", "")):
            r = await admin.submit("/admin/departments", {"name": name, "position": "1", "mail_address": address})
            assert r.status_code == 303, r.text
        roads = await Department.get(name="Roads")
        assert roads.mail_address == ROADS
        assert (await admin.submit(f"/admin/departments/{roads.id}/staff", {"username": "roadie"})).status_code == 303
        yield {"site": site, "port": port, "inbox": inbox, "admin": admin, "roads": roads,
               "welfare": await Department.get(name="Welfare")}


def compose(sender: str, to: str, subject: str, body: str = "Hello", *, html: str = "", headers=None,
            attachments=()) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Message-ID"] = make_msgid(domain="sender.example")
    for name, value in (headers or {}).items():
        msg[name] = value
    if html:
        msg.set_content(html, subtype="html")
    else:
        msg.set_content(body)
    for name, kind, data in attachments:
        maintype, _, subtype = kind.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


async def send(town, msg: EmailMessage, to: str | None = None):
    return await aiosmtplib.send(msg, hostname="127.0.0.1", port=town["port"], recipients=[to or msg["To"]],
                                 sender="bounce@sender.example", timeout=60)


async def outgoing(town, to: str) -> list[EmailMessage]:
    await mail.drain(town["site"].settings)
    return [m for rcpts, m in town["inbox"].messages if to in rcpts]


async def inquiry_from(message_id: str) -> Inquiry:
    row = await IncomingMail.get(message_id=message_id, state="accepted")
    return await Inquiry.get(id=row.inquiry_id)


async def test_a_strangers_mail_becomes_an_inquiry_for_the_department_it_was_sent_to(town):
    msg = compose("Taro Kyushu <taro@elsewhere.example>", ROADS, "Broken street light",
                  "The light at the corner of 3-chome is out.",
                  attachments=[("light.jpg", "image/jpeg", jpeg_with_gps()), ("map.pdf", "application/pdf", b"%PDF-1")])
    await send(town, msg)
    inquiry = await inquiry_from(msg["Message-ID"])
    owner = await User.get(id=inquiry.resident_id)
    assert (inquiry.department_id, inquiry.channel, inquiry.contact_email, inquiry.contact_name) == (
        town["roads"].id, "mail", "taro@elsewhere.example", "Taro Kyushu")
    assert (owner.username, owner.state, owner.password_hash) == ("mail-intake", "system", "")
    entry = await InquiryEntry.get(inquiry_id=inquiry.id)
    assert "3-chome" in entry.body and "map.pdf" in entry.body and entry.mail_message_id == msg["Message-ID"]
    photos = await Photo.filter(purpose="inquiry", parent_id=inquiry.id)
    assert len(photos) == 1
    staff = town["site"].client()
    await staff.login("roadie")
    page = await staff.get(f"/city/{inquiry.id}")
    assert page.status_code == 200 and "Broken street light" in page.text
    assert "Taro Kyushu &lt;taro@elsewhere.example&gt;" in page.text  # whom staff answer by mail
    body = (await staff.get(f"/photos/{photos[0].id}.jpg")).content
    assert body[:2] == b"\xff\xd8" and b"GPS" not in body and b"SpyCam" not in body  # re-encoded, EXIF gone
    receipt = (await outgoing(town, "taro@elsewhere.example"))[-1]
    assert receipt["Reply-To"] == f"city+{inquiry.mail_key}@city.example"
    assert receipt["In-Reply-To"] == msg["Message-ID"]
    assert "http" not in receipt.get_content()  # no link to a page they cannot open
    # the account that holds it is nobody: not listed, no profile
    admin_list = await town["admin"].get("/admin/users")
    assert "@mail-intake" not in admin_list.text
    assert (await staff.get("/people/mail-intake")).status_code == 404


async def test_a_staff_answer_goes_by_mail_and_the_reply_lands_in_the_same_thread(town):
    first = compose("taro@elsewhere.example", ROADS, "Fallen tree", "A tree blocks the path by the river.")
    await send(town, first)
    inquiry = await inquiry_from(first["Message-ID"])
    staff = town["site"].client()
    await staff.login("roadie")
    r = await staff.submit(f"/city/{inquiry.id}/reply", {"body": "We will remove it tomorrow.", "status": "answered"})
    assert r.status_code == 303, r.text
    answer = [m for m in await outgoing(town, "taro@elsewhere.example") if m["Subject"] == "Re: Fallen tree"][-1]
    assert "We will remove it tomorrow." in answer.get_content()
    assert answer["Reply-To"] == f"city+{inquiry.mail_key}@city.example"
    assert answer["In-Reply-To"] == first["Message-ID"] and first["Message-ID"] in answer["References"]
    staff_entry = await InquiryEntry.get(inquiry_id=inquiry.id, from_staff=True, kind="message")
    assert staff_entry.mail_message_id == answer["Message-ID"]
    # a reply naming the answer (sent to the general address) joins the thread
    reply = compose("taro@elsewhere.example", CITY, "Re: Fallen tree", "Thank you, it is still there.",
                    headers={"In-Reply-To": answer["Message-ID"], "References": answer["References"] + " "
                             + answer["Message-ID"]})
    await send(town, reply)
    # and one sent to the reply address alone, without threading headers, too
    bare = compose("taro@elsewhere.example", answer["Reply-To"], "one more thing", "Also a branch on the road.")
    await send(town, bare)
    entries = await InquiryEntry.filter(inquiry_id=inquiry.id, kind="message").order_by("id")
    assert [e.body for e in entries][-2:] == ["Thank you, it is still there.", "Also a branch on the road."]
    assert all(e.channel == "mail" for e in entries if not e.from_staff)
    assert (await Inquiry.get(id=inquiry.id)).status == "in_progress"  # back with the department
    assert await Inquiry.filter(channel="mail", subject__icontains="Fallen tree").count() == 1
    # someone else replying to that thread's address does not get into it
    intruder = compose("eve@elsewhere.example", answer["Reply-To"], "Re: Fallen tree", "I am Taro, really.")
    await send(town, intruder)
    assert (await IncomingMail.get(message_id=intruder["Message-ID"])).state == "quarantined"
    assert not await InquiryEntry.filter(inquiry_id=inquiry.id, body__contains="really").exists()


async def test_a_resident_is_told_where_to_follow_it(town):
    msg = compose("Mika <mika@example.org>", CITY, "Childcare subsidy", html="<p>How do I <b>apply</b>?</p>"
                  "<script>alert(1)</script>", headers={"Authentication-Results": PROVEN})
    await send(town, msg)
    inquiry = await inquiry_from(msg["Message-ID"])
    mika = await User.get(username="mika")
    assert (inquiry.resident_id, inquiry.department_id) == (mika.id, town["welfare"].id)
    entry = await InquiryEntry.get(inquiry_id=inquiry.id)
    assert entry.body == "How do I apply?"  # HTML-only mail as text, the script gone
    told = (await outgoing(town, "mika@example.org"))[-1]
    assert f"http://test.example/city/{inquiry.id}" in told.get_content()
    resident = town["site"].client()
    await resident.login("mika")
    assert (await resident.get(f"/city/{inquiry.id}")).status_code == 200


@pytest.mark.parametrize("proof", ["", "mx.evil.example; dmarc=pass header.from=example.org",
                                   "mx.city.example; dmarc=fail header.from=example.org; spf=pass "
                                   "smtp.mailfrom=evil.example"])
async def test_a_forged_sender_is_not_attached_to_the_resident(town, proof):
    msg = compose("mika@example.org", ROADS, "Please delete my account",
                  headers={"Authentication-Results": proof} if proof else {})
    await send(town, msg)
    row = await IncomingMail.get(message_id=msg["Message-ID"])
    assert row.state == "quarantined" and "not authenticated" in row.reason and row.inquiry_id is None
    assert (town["site"].settings.media_dir / "intake" / row.raw_name).exists()
    mika = await User.get(username="mika")
    assert not await Inquiry.filter(resident_id=mika.id, subject="Please delete my account").exists()
    if proof:
        return
    page = await town["admin"].get("/admin/mail-intake?state=quarantined")
    assert page.status_code == 200 and "Please delete my account" in page.text
    assert page.headers["cache-control"] == "private, no-store"
    r = await town["admin"].submit(f"/admin/mail-intake/{row.id}", {"action": "release"})
    assert r.status_code == 303
    released = await Inquiry.get(id=(await IncomingMail.get(id=row.id)).inquiry_id)
    assert released.resident_id != mika.id and released.contact_email == "mika@example.org"
    resident = town["site"].client()
    await resident.login("mika")
    assert (await resident.get(f"/city/{released.id}")).status_code == 404


async def test_nothing_else_of_a_session_is_lost(town):
    good = compose("hana@elsewhere.example", ROADS, "Pothole on Route 3")
    huge = compose("hana@elsewhere.example", ROADS, "Video of the flood",
                   attachments=[("flood.mp4", "video/mp4", b"\0" * (30 * 1024 * 1024))])
    broken = (b"From: hana@elsewhere.example\r\nTo: roads@city.example\r\nSubject: broken\r\n"
              b"Message-ID: <broken@sender.example>\r\nMIME-Version: 1.0\r\n"
              b'Content-Type: multipart/mixed; boundary="XYZ"\r\n\r\nno boundary anywhere\r\n')
    later = compose("hana@elsewhere.example", ROADS, "Graffiti on the bridge")
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=town["port"], timeout=120) as client:
        await client.send_message(good, sender="hana@elsewhere.example")
        with pytest.raises(aiosmtplib.SMTPResponseException) as refused:
            await client.send_message(huge, sender="hana@elsewhere.example")
        assert refused.value.code == 552
        await client.sendmail("hana@elsewhere.example", [ROADS], broken)
        # a sender that does not announce the size is refused once the data passes the limit
        await client.mail("hana@elsewhere.example")
        await client.rcpt(ROADS)
        with pytest.raises(aiosmtplib.SMTPResponseException) as refused:
            await client.data(bytes(huge))
        assert refused.value.code == 552
        with pytest.raises(aiosmtplib.SMTPRecipientsRefused):
            await client.send_message(later, sender="hana@elsewhere.example", recipients=["nobody@city.example"])
        await client.send_message(later, sender="hana@elsewhere.example")
    assert (await inquiry_from(good["Message-ID"])).subject == "Pothole on Route 3"
    assert (await inquiry_from(later["Message-ID"])).subject == "Graffiti on the bridge"
    quarantined = await IncomingMail.get(subject="broken")
    assert quarantined.state == "quarantined" and "malformed MIME" in quarantined.reason
    kept = town["site"].settings.media_dir / "intake" / quarantined.raw_name
    assert kept.read_bytes() == broken
    assert not await IncomingMail.filter(subject="Video of the flood").exists()  # never taken, but logged:
    assert await IncomingMail.filter(via="smtp", state="refused", reason__contains="announced SIZE").exists()
    at_data = await IncomingMail.get(via="smtp", state="refused", reason__contains="552 at DATA")
    assert (at_data.mail_from, at_data.to_addr) == ("hana@elsewhere.example", ROADS)


async def test_a_repeated_delivery_is_stored_once_and_senders_are_limited(town):
    msg = compose("jiro@elsewhere.example", ROADS, "Noise at night")
    await send(town, msg)
    await send(town, msg)  # a retry of the same message: 250 again, stored once
    assert await Inquiry.filter(subject="Noise at night").count() == 1
    states = sorted(await IncomingMail.filter(message_id=msg["Message-ID"]).values_list("state", flat=True))
    assert states == ["accepted", "refused"]
    limiter = RateLimiter("intake-test", 2, 3600)
    outcomes = [await mail_intake.receive(town["site"].settings, bytes(compose(
        "flood@elsewhere.example", ROADS, f"Spam {n}")), rcpt_to=[ROADS], limiter=limiter) for n in range(3)]
    assert [o.state for o in outcomes] == ["accepted", "accepted", "refused"]
    assert "an hour" in outcomes[2].reason


async def test_mail_fetched_from_an_imap_mailbox(town):
    if not imap_available():
        pytest.skip("Debian's dovecot-imapd is not installed (.ci/test installs it)")
    with imap_server() as url:
        settings = town["site"].settings.replace(intake_imap_url=url, intake_max_bytes=300_000)
        box = mail_intake_imap.mailbox_of(url)
        client = imaplib.IMAP4(box.host, box.port)
        client.login(box.user, box.password)
        good = compose("kenji@elsewhere.example", ROADS, "Bus stop sign bent")
        big = compose("kenji@elsewhere.example", ROADS, "Big photos",
                      attachments=[("a.bin", "application/octet-stream", b"\1" * 400_000)])
        broken = (b"From: kenji@elsewhere.example\r\nTo: roads@city.example\r\nSubject: imap broken\r\n"
                  b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="Q"\r\n\r\nnothing\r\n')
        later = compose("kenji@elsewhere.example", CITY, "Cat stuck in a tree")
        for raw in (bytes(good), bytes(big), broken, bytes(later)):
            client.append("INBOX", None, None, raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
        await mail_intake_imap.run_round(settings)
        assert (await inquiry_from(good["Message-ID"])).department_id == town["roads"].id
        assert (await inquiry_from(later["Message-ID"])).department_id == town["welfare"].id
        assert (await IncomingMail.get(subject="imap broken")).state == "quarantined"
        refused = await IncomingMail.filter(via="imap", state="refused").values_list("reason", flat=True)
        assert any("too large" in r for r in refused)
        client.select("INBOX")
        assert client.uid("SEARCH", None, "UNSEEN")[1] == [b""]  # all handled
        flagged = client.uid("SEARCH", None, "FLAGGED")[1][0].split()
        assert len(flagged) == 1  # the big one is left in the mailbox, flagged
        typ, data = client.uid("FETCH", flagged[0], "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        assert b"Big photos" in data[0][1]
        await mail_intake_imap.run_round(settings)  # a second round finds nothing new
        assert await Inquiry.filter(subject="Bus stop sign bent").count() == 1
        client.logout()



async def test_nobody_signs_in_as_the_mail_intake_account(town):
    """Even with a password somehow set on it, the account that holds strangers' mail never signs in."""
    account = await intake_account(town["site"].settings)
    await User.filter(id=account.id).update(password_hash=hash_password("a-guessed-password"))
    visitor = town["site"].client()
    r = await visitor.submit("/login", {"username": account.username, "password": "a-guessed-password"})
    assert r.status_code == 400 and "The username or password is not right." in r.text
    assert (await visitor.get("/home")).status_code in (302, 303)
