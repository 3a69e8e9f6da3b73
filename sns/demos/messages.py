"""Demo mail (see sns/demos/__init__.py): a one-to-one conversation and a small group."""

from __future__ import annotations

from sns.services import mailbox


async def seed(as_user, users) -> None:
    hanako, taro, yuki = await as_user("hanako"), await as_user("taro"), await as_user("yuki")
    first = await mailbox.start_conversation(hanako, to="taro", subject="Festival stall",
                                             body="Could you help me at the festival stall on Saturday morning?")
    await mailbox.reply(taro, first.conversation_id, "Of course! I'll be there at nine.")
    await mailbox.start_conversation(yuki, to="hanako taro", subject="清掃活動",
                                     body="日曜日の海岸清掃、いっしょに行きませんか？")
