"""Demo album (see sns/demos/__init__.py): Hanako's festival photos, three of them, for residents."""

from __future__ import annotations

from sns.demo import demo_photo
from sns.services import albums


async def seed(as_user, users) -> None:
    if "hanako" not in users:
        return
    hanako = await as_user("hanako")
    album = await albums.create_album(hanako, title="Harbour festival / 港まつり", visibility="members",
                                      description="Lanterns, the boat parade and the fireworks. 提灯、船のパレード、花火。")
    for seed, caption in ((31, "Lanterns / 提灯"), (32, "Boat parade / 船のパレード"), (33, "Fireworks / 花火")):
        await albums.add_photos(hanako, album.id, [demo_photo(seed)], caption)
