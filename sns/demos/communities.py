"""Demo communities (see sns/demos/__init__.py): the city's official disaster preparedness forum and
a residents' walking club, with topics and replies in English and Japanese."""

from __future__ import annotations

from sns.services import memberships
from sns.services.communities import open_community
from sns.services.replies import add_reply
from sns.services.topics import post_topic, switch_topic

PREPAREDNESS = {
    "name": "Minato Disaster Preparedness / 防災",
    "description": "Run by the city's disaster desk: shelters, drills and what to keep at home.\n\n"
                   "市の防災担当が運営します。避難所、訓練、家庭での備えについて。",
    "topics": [
        ("cityhall", "Autumn evacuation drill / 秋の避難訓練",
         "The drill is on **Sunday 10:00** at Minato Elementary School. Bring your emergency bag.\n\n"
         "日曜日10時から港小学校で避難訓練を行います。非常持出袋をお持ちください。",
         [("hanako", "家族3人で参加します。車いすの母も一緒です。"),
          ("cityhall", "ありがとうございます。会場にはスロープがあります。"),
          ("taro", "Is there parking near the school?")], True),
        ("hanako", "What do you keep in your emergency bag? / 非常持出袋の中身",
         "Water, a radio, a torch... what else? 水、ラジオ、懐中電灯のほかに何を入れていますか？",
         [("yuki", "常備薬とお薬手帳のコピーを入れています。"),
          ("ken", "Spare glasses and a phone battery.")], False),
    ],
}
WALKING = {
    "name": "Riverside walking club / 川沿い散歩の会",
    "description": "Slow walks along the river every weekend. Everyone welcome.\n\n毎週末、川沿いをゆっくり歩きます。",
    "topics": [
        ("taro", "Saturday morning walk / 土曜の朝の散歩",
         "Meet at the **north bridge** at 7:00. About 5 km. 北橋に7時集合、約5キロです。",
         [("ken", "I'll be there with my dog."), ("hanako", "雨なら中止ですか？"),
          ("taro", "小雨なら決行します。")], False),
        ("yuki", "Cherry trees by the river / 川沿いの桜",
         "The cherry trees near the weir are starting to bloom. 堰の近くの桜が咲き始めました。",
         [("taro", "Beautiful! Let's walk there next week.")], False),
    ],
}


async def _seed_one(as_user, users, spec, creator: str, *, official: bool, members: list[str]) -> None:
    community = await open_community(await as_user(creator), name=spec["name"], description=spec["description"],
                                     join_policy="open", readable_by="public", official=official)
    for name in members:
        if name in users:
            await memberships.join(await as_user(name), community.id)
    for author, title, body, replies, pinned in spec["topics"]:
        topic = await post_topic(await as_user(author), community.id, title=title, body=body)
        for who, text in replies:
            await add_reply(await as_user(who), topic.id, text)
        if pinned:
            await switch_topic(await as_user(creator), topic.id, "pin")


async def seed(as_user, users) -> None:
    if "cityhall" not in users or "taro" not in users:
        return
    await _seed_one(as_user, users, PREPAREDNESS, "cityhall", official=True,
                    members=["hanako", "taro", "yuki", "ken"])
    await _seed_one(as_user, users, WALKING, "taro", official=False, members=["hanako", "yuki", "ken"])
