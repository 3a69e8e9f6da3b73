"""A past drill for the demo town (see sns/demos/__init__.py): the administrator ran a town-wide
earthquake drill, residents checked in and posted on its board, and it ended, so the demo starts in
normal mode with the drill in the archive (/disaster/archive). All invented."""

from __future__ import annotations

from sns.services import disaster, disaster_board, safety

CENTRE = (32.5073, 130.6016)


async def seed(as_user, users) -> None:
    admin = await as_user("admin")
    await disaster.start_event(admin, name="総合防災訓練 2026 / Town-wide earthquake drill 2026", kind="earthquake",
                               drill=True)
    await disaster_board.write_post(
        await as_user("ken"), body="【訓練】本町のブロック塀が倒れている想定です。通学路なので注意。\n"
                                   "DRILL: a block wall in Hon-machi is assumed to have fallen on the school route.",
        place="本町二丁目 / Hon-machi 2", lat=CENTRE[0] - 0.0012, lon=CENTRE[1] + 0.0015)
    await disaster_board.write_post(
        await as_user("hanako"), body="【訓練】みなと小学校の体育館に避難しました。毛布が足りない想定です。\n"
                                      "DRILL: at the Minato Elementary School gym; blankets are assumed to be short.",
        place="みなと小学校 / Minato Elementary School")
    await safety.check_in(await as_user("hanako"), status="safe", message="体育館にいます。/ At the gym.")
    await safety.check_in(await as_user("taro"), status="safe")
    await safety.check_in(await as_user("yuki"), status="need_help",
                          message="【訓練】足をけがして歩けない想定です。/ DRILL: assumed hurt, cannot walk.",
                          place="港町一丁目 / Minato-machi 1")
    await disaster.end_event(admin)
