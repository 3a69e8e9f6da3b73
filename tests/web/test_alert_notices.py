"""Residents are told of alerts by a real SMTP server's mail and a real push service's Web Push:
those in the district ticked or within their distance of home, not those outside; in their language;
never twice (a repeated round, two rounds at once); status changes to those who got the posting; a push
service answering 410 loses the subscription; one that is down is retried and holds back no mail."""

import asyncio
import json

import pytest

from fixtures import free_port, make_site, smtp_server
from push_service import Browser, PushService, verify_vapid
from sns import tasks
from sns.keys import vapid_public_key
from sns.models import District, User
from sns.models.alert_notices import AlertNotice, PushSubscription
from sns.services import alert_subscriptions as subs
from sns.services import alerts as alert_service
from sns.services.alert_sending import send_due
from sns.services.site import set_districts

WAREHOUSE = dict(lat="32.5081", lon="130.5973")  # the alert's place
NEAR = ("32.5130", "130.5973")  # about 545 m north of it
FAR = ("32.6000", "130.7000")  # about 14 km away


@pytest.fixture(scope="module")
async def town(tmp_path_factory):
    with smtp_server() as (controller, inbox), PushService() as push:
        async with make_site(tmp_path_factory.mktemp("told"), smtp_host="127.0.0.1", smtp_port=controller.port,
                             web_push_loopback=True) as site:  # the push service of this test is on 127.0.0.1
            admin = await site.user("admin1", role="admin")
            await set_districts(await site.ctx_for(admin), "Minato\nYamate")
            minato, yamate = await District.get(name="Minato"), await District.get(name="Yamate")
            fire = await site.user("fire1", role="fire", display_name="Fire Station")
            people = {}
            for name, district, locale in (("aiko", minato, "ja"), ("ben", None, "en"), ("chie", yamate, "en"),
                                           ("dan", minato, "en")):
                user = await site.user(name, display_name=name.title())
                await User.filter(id=user.id).update(district_id=district.id if district else None, locale=locale)
                people[name] = user
            # aiko: her district, by e-mail (in Japanese). ben: within 1 km of home, e-mail and Web Push.
            # chie: another district, and a home far away. dan: never asked.
            await subs.save_subscription(await site.ctx_for(people["aiko"]), by_district=True, near_home=False,
                                         email=True, push=False, drills=True)
            await subs.save_subscription(await site.ctx_for(people["ben"]), by_district=False, near_home=True,
                                         lat=NEAR[0], lon=NEAR[1], radius_km="1", email=True, push=True,
                                         drills=False)
            await subs.save_subscription(await site.ctx_for(people["chie"]), by_district=True, near_home=True,
                                         lat=FAR[0], lon=FAR[1], radius_km="2", email=True, push=True, drills=True)
            browser = Browser()
            await subs.add_push(await site.ctx_for(people["ben"]), **browser.fields(f"{push.base}/push/ben"))
            yield site, inbox, push, browser, await site.ctx_for(fire), people, minato


def mails_to(inbox, address):
    return [m for rcpts, m in inbox.messages if address in rcpts]


async def test_posting_tells_those_concerned_once_in_their_language(town):
    site, inbox, push, browser, fire, people, minato = town
    alert = await alert_service.post_alert(
        fire, kind="fire", title="Fire at the old warehouse", description="Smoke.", instruction="Keep windows closed.",
        address="Minato-machi 1-2", radius_m=300, districts=[minato.id], **WAREHOUSE)
    await tasks.run_once("alert_notices", site.settings, site.app.state.site)
    aiko, ben = mails_to(inbox, "aiko@example.org"), mails_to(inbox, "ben@example.org")
    assert len(aiko) == 1 and len(ben) == 1
    assert not mails_to(inbox, "chie@example.org") and not mails_to(inbox, "dan@example.org")
    assert ben[0]["Subject"] == "Alert: Fire at the old warehouse"
    body = ben[0].get_content()
    assert "Keep windows closed." in body and f"http://test.example/alerts/{alert.id}" in body
    assert "Status: Outbreak" in body
    ja = aiko[0].get_content()
    assert "Fire at the old warehouse" in aiko[0]["Subject"] and "Alert:" not in aiko[0]["Subject"]
    assert "発生" in ja and f"/alerts/{alert.id}" in ja  # the status in Japanese
    # ben's browser got a Web Push: signed by this instance (VAPID), readable only with the browser's keys
    assert len(push.received) == 1
    path, headers, raw = push.received[0]
    assert path == "/push/ben" and headers["Content-Encoding"] == "aes128gcm" and int(headers["TTL"]) > 0
    verify_vapid(headers["Authorization"], vapid_public_key(site.settings.keys_dir), push.base)
    payload = json.loads(browser.decrypt(raw))
    assert payload["title"] == "Fire at the old warehouse" and payload["url"] == f"/alerts/{alert.id}"
    assert "Fire at the old warehouse".encode() not in raw  # the push service cannot read it
    # a second round sends nothing again
    await tasks.run_once("alert_notices", site.settings, site.app.state.site)
    assert len(inbox.messages) == 2 and len(push.received) == 1
    assert await AlertNotice.filter(alert_id=alert.id, state="sent").count() == 3


async def test_two_rounds_at_once_send_each_notice_once(town):
    site, inbox, push, browser, fire, people, minato = town
    before, pushed = len(inbox.messages), len(push.received)
    await alert_service.post_alert(fire, kind="flood", title="River rising", description="", instruction="",
                                   districts=[minato.id], **WAREHOUSE)
    await asyncio.gather(*(tasks.run_once("alert_notices", site.settings, site.app.state.site) for _ in range(3)))
    assert len(inbox.messages) - before == 2 and len(push.received) - pushed == 1


async def test_status_changes_go_to_those_told_of_the_posting(town):
    site, inbox, push, browser, fire, people, minato = town
    alert = await alert_service.post_alert(fire, kind="fire", title="Grass fire by the school", description="",
                                           instruction="Stay away.", radius_m=100, **WAREHOUSE)  # no district
    await tasks.run_once("alert_notices", site.settings, site.app.state.site)
    assert [m["Subject"] for m in mails_to(inbox, "ben@example.org")][-1] == "Alert: Grass fire by the school"
    assert not any("Grass fire" in m["Subject"] for m in mails_to(inbox, "aiko@example.org"))
    before = len(inbox.messages)
    await alert_service.change_status(fire, alert.id, "under_control", "Contained.")
    await alert_service.correct_alert(fire, alert.id, title="Grass fire by the primary school", description="",
                                      instruction="Stay away.")  # a correction is not told
    await tasks.run_once("alert_notices", site.settings, site.app.state.site)
    told = inbox.messages[before:]
    assert [rcpts for rcpts, _ in told] == [["ben@example.org"]]
    assert told[0][1]["Subject"] == "Alert Under control: Grass fire by the primary school"
    assert "Contained." in told[0][1].get_content()
    payload = json.loads(browser.decrypt(push.received[-1][2]))
    assert payload["body"].startswith("Status: Under control")
    # the push service says the browser unsubscribed (410): the subscription goes, mail still goes
    push.status = 410
    await alert_service.change_status(fire, alert.id, "extinguished")
    await tasks.run_once("alert_notices", site.settings, site.app.state.site)
    push.status = 201
    assert mails_to(inbox, "ben@example.org")[-1]["Subject"].startswith("Alert Extinguished")
    assert not await PushSubscription.filter(user_id=people["ben"].id).exists()
    dropped = await AlertNotice.get(alert_id=alert.id, channel="push", state="dropped")
    assert "410" in dropped.last_error


async def test_drills_only_to_those_who_want_them(town):
    site, inbox, push, browser, fire, people, minato = town
    before = len(inbox.messages)
    await alert_service.post_alert(fire, kind="fire", title="Drill: fire at the town hall", description="",
                                   instruction="", exercise=True, districts=[minato.id], **WAREHOUSE)
    await tasks.run_once("alert_notices", site.settings, site.app.state.site)
    told = inbox.messages[before:]
    assert [rcpts for rcpts, _ in told] == [["aiko@example.org"]]  # ben said no drills


async def test_push_service_down_is_retried_and_holds_back_no_mail(town):
    site, inbox, push, browser, fire, people, minato = town
    port = free_port()  # nothing listens there yet
    phone = Browser()
    ben = await site.ctx_for(people["ben"])
    await subs.add_push(ben, **phone.fields(f"http://127.0.0.1:{port}/push/ben-phone"))
    before = len(inbox.messages)
    alert = await alert_service.post_alert(fire, kind="storm", title="Strong winds", description="",
                                           instruction="Stay indoors.", radius_m=500, **WAREHOUSE)
    await tasks.run_once("alert_notices", site.settings, site.app.state.site)
    assert [rcpts for rcpts, _ in inbox.messages[before:]] == [["ben@example.org"]]
    waiting = await AlertNotice.get(alert_id=alert.id, channel="push")
    assert (waiting.state, waiting.attempts) == ("pending", 1) and waiting.last_error
    assert waiting.next_try_at > waiting.created_at
    # not yet due: nothing is tried
    assert await send_due(site.settings) == 0
    with PushService(port=port) as phone_service:
        assert await send_due(site.settings, now=waiting.next_try_at) == 1
        assert len(phone_service.received) == 1
        assert json.loads(phone.decrypt(phone_service.received[0][2]))["title"] == "Strong winds"
    done = await AlertNotice.get(id=waiting.id)
    assert (done.state, done.attempts) == ("sent", 2)


async def test_mail_server_down_is_retried_then_failed_with_the_reason_kept(town):
    site, inbox, push, browser, fire, people, minato = town
    from sns.services.alert_notices import collect
    from sns.services.alert_sending import MAX_ATTEMPTS

    await PushSubscription.filter(user_id=people["ben"].id).delete()  # e-mail only, for this test
    alert = await alert_service.post_alert(fire, kind="landslide", title="Slope giving way", description="",
                                           instruction="Leave the slope.", radius_m=200, **WAREHOUSE)
    await collect(site.settings)
    down = site.settings.replace(smtp_port=free_port())  # nothing listens there
    notice = await AlertNotice.get(alert_id=alert.id, user_id=people["ben"].id)
    pauses = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert await send_due(down, now=notice.next_try_at) == 1
        notice = await AlertNotice.get(id=notice.id)
        assert notice.attempts == attempt and "SMTP" in notice.last_error
        pauses.append((notice.next_try_at - notice.created_at).total_seconds())
    assert notice.state == "failed"  # kept with its reason, tried no more
    assert pauses[1] > pauses[0] and await send_due(down, now=notice.next_try_at) == 0
    assert not any("Slope giving way" in m["Subject"] for m in mails_to(inbox, "ben@example.org"))


async def test_posting_returns_before_anything_is_sent(tmp_path_factory):
    """(Last in this module: a second site closing ends the database connections the others share.) With the job running in the app, the post answers at once although the SMTP server takes seconds;
    the nudge after commit sends the mail within seconds, long before the job's own pace."""
    import time

    from fixtures import Inbox

    class SlowInbox(Inbox):
        async def handle_DATA(self, server, session, envelope):
            await asyncio.sleep(2)
            return await super().handle_DATA(server, session, envelope)

    from aiosmtpd.controller import Controller

    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        async with make_site(tmp_path_factory.mktemp("slow"), smtp_host="127.0.0.1", smtp_port=controller.port,
                             background_tasks=True, alert_notice_seconds=3600) as site:
            await site.user("fire2", role="fire")
            resident = await site.user("eri")
            await subs.save_subscription(await site.ctx_for(resident), by_district=False, near_home=True,
                                         lat=NEAR[0], lon=NEAR[1], radius_km="1", email=True, push=False,
                                         drills=True)
            client = site.client()
            await client.login("fire2")
            await asyncio.sleep(0.2)  # the job's first round (at start) is done
            started = time.monotonic()
            r = await client.submit("/alerts/new", {"kind": "fire", "title": "Fire near the port", "severity": "Severe",
                                                    "description": "", "instruction": "", "radius_m": "",
                                                    **WAREHOUSE})
            answered = time.monotonic() - started
            assert r.status_code == 303 and answered < 1.5, answered
            assert not inbox.messages
            for _ in range(100):
                if inbox.messages:
                    break
                await asyncio.sleep(0.1)
            arrived = time.monotonic() - started
            assert [rcpts for rcpts, _ in inbox.messages] == [["eri@example.org"]]
            assert arrived < 8, arrived
            print(f"post answered in {answered:.3f} s; mail (SMTP delaying 2 s) arrived after {arrived:.2f} s")
    finally:
        controller.stop()

