"""Demo alerts for the demo town (see sns/demos/__init__.py).

The fire department gets its own account (`firedept`, the fire role; no other demo account holds it).
It posts a house fire that is now extinguished, with its history, and an active flood DRILL by the river
near the centre, so the banner (marked "Exercise") shows on every page of the demo. All invented.
"""

from __future__ import annotations

from sns.services import accounts, alerts
from sns.demo import DEMO_PASSWORD

CENTRE = (32.5073, 130.6016)


async def seed(as_user, users) -> None:
    users["firedept"] = await accounts.create_user(
        await as_user("admin"), username="firedept", password=DEMO_PASSWORD, role="fire",
        display_name="Minato Fire Department / みなと消防署", email="firedept@example.org")
    fire = await as_user("firedept")
    house = await alerts.post_alert(
        fire, kind="fire", title="住宅火災 (Hon-machi 3) / House fire in Hon-machi 3",
        description="本町三丁目で住宅火災が発生しました。消防車が出動しています。\n"
                    "A house fire broke out in Hon-machi 3; fire engines are on their way.",
        instruction="付近の方は煙を吸わないよう窓を閉めてください。現場に近づかないでください。\n"
                    "Neighbours: close your windows and keep away from the scene.",
        address="本町三丁目5番 / Hon-machi 3-5", lat=CENTRE[0] - 0.0021, lon=CENTRE[1] + 0.0023, radius_m=300)
    await alerts.change_status(fire, house.id, "under_control", "延焼のおそれはなくなりました。/ It will not spread further.")
    await alerts.change_status(fire, house.id, "extinguished", "鎮火しました。ご協力ありがとうございました。/ "
                                                              "The fire is out. Thank you for your help.")
    await alerts.post_alert(
        fire, kind="flood", title="【訓練】球磨川の増水 / DRILL: the river is rising",
        description="これは訓練です。川の水位が上がっている想定です。\nThis is a drill: the river is assumed to be rising.",
        instruction="川沿いの方は、みなと小学校 体育館へ避難する練習をしてください。\n"
                    "If you live by the river, practise going to the Minato Elementary School gym.",
        address="港町・本町の川沿い / Along the river in Minato-machi and Hon-machi",
        lat=CENTRE[0] - 0.0055, lon=CENTRE[1] - 0.002, radius_m=800, severity="Moderate", urgency="Expected",
        certainty="Possible", exercise=True)
