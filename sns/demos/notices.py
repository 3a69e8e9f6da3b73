"""Demo notices near home (see sns/demos/__init__.py): road works for one district and a water stop around a
point, and demo residents who live there, so that My page's "Near my home" shows something. All invented.

Taro lives in Hon-machi (the road works are his); Yuki's home point (private, on her alert settings) is
inside the water stop's circle, and she asked to be told of such notices by e-mail.
"""

from __future__ import annotations

from sns.services import alert_subscriptions, notices
from sns.services.profiles import update_profile
from sns.services.site import districts

CENTRE = (32.5073, 130.6016)
PIPE = (CENTRE[0] + 0.004, CENTRE[1] - 0.003)  # the main under Higashi-dori
YUKI_HOME = (PIPE[0] + 0.002, PIPE[1] + 0.001)  # about 240 m from it


async def seed(as_user, users) -> None:
    hon_machi = (await districts())[1]
    taro = await as_user("taro")
    await update_profile(taro, display_name=users["taro"].display_name, introduction=users["taro"].introduction,
                         district_id=hon_machi.id)
    await alert_subscriptions.save_subscription(
        await as_user("yuki"), by_district=False, near_home=False, lat=f"{YUKI_HOME[0]:.5f}",
        lon=f"{YUKI_HOME[1]:.5f}", email=True, push=False, drills=False, notice_email=True)
    staff = await as_user("cityhall")
    await notices.post_notice(
        staff, title="本町通りの道路工事 / Road works on Hon-machi street",
        body="来週の月曜日から金曜日まで、本町通りの一部が片側通行になります。\n"
             "From Monday to Friday next week, part of Hon-machi street is down to one lane.",
        scope="districts", district_ids=[hon_machi.id], category="road_works")
    await notices.post_notice(
        staff, title="断水のお知らせ（東通り周辺）/ Water stop around Higashi-dori",
        body="水道管の工事のため、木曜日の9時から12時まで断水します。\n"
             "Because of work on the water main, the water is off on Thursday from 9:00 to 12:00.",
        scope="radius", lat=f"{PIPE[0]:.5f}", lon=f"{PIPE[1]:.5f}", radius_m="600", category="water")
