"""A demo town: residents, friendships, diaries with photos and places, comments, notices."""

from __future__ import annotations

import io
import random
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw
from rich.progress import Progress

from sns import db
from sns.context import Ctx, Limits
from sns.models import User
from sns.policies import load_viewer
from sns.services import accounts, diaries, friends, notices
from sns.services.profiles import update_profile
from sns.services.site import SiteConfig, districts, set_districts, update_site
from sns.settings import Settings

if TYPE_CHECKING:  # the manifest names the demo's parts, so it imports what they import
    from sns.areas import Site

DEMO_PASSWORD = "demo-password"
CENTRE = (32.5073, 130.6016)

PEOPLE = [
    ("admin", "Site Admin / 管理者", "admin"),
    ("cityhall", "City Hall / 市役所", "staff"),
    ("hanako", "Hanako Yamada / 山田花子", "resident"),
    ("taro", "Taro Suzuki / 鈴木太郎", "resident"),
    ("yuki", "Yuki Tanaka / 田中由紀", "resident"),
    ("ken", "Ken Sato / 佐藤健", "resident"),
]
FRIENDS = [("hanako", "taro"), ("hanako", "yuki"), ("taro", "ken"), ("yuki", "ken")]
DIARIES = [
    ("hanako", "Autumn festival at the shrine", "The **lantern parade** starts at 18:00.\nBring a warm jacket!", "public"),
    ("hanako", "秋祭りの準備", "今年も子ども会でお神輿を担ぎます。\n\n- 集合：9時\n- 場所：公民館", "members"),
    ("taro", "Garbage day changed", "Burnable garbage is now collected on **Tuesday and Friday**.", "public"),
    ("taro", "家庭菜園", "しいたけが大きく育ちました。お裾分けします。", "friends"),
    ("yuki", "Evacuation drill", "The drill went well. The school gym holds about 400 people.", "members"),
    ("yuki", "Private note", "Remember to refill the emergency water.", "private"),
    ("ken", "避難訓練に参加しました", "消火器の使い方を教わりました。台所の火事はまず落ち着いて。", "public"),
    ("ken", "Morning walk by the river", "Herons everywhere this morning.", "friends"),
]


def demo_photo(seed: int) -> bytes:
    """A colourful JPEG with a GPS tag in its EXIF (the upload strips it)."""
    rnd = random.Random(seed)
    img = Image.new("RGB", (800, 600), tuple(rnd.randrange(60, 200) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    for _ in range(12):
        x, y = rnd.randrange(0, 800), rnd.randrange(0, 600)
        r = rnd.randrange(20, 120)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rnd.randrange(0, 256) for _ in range(3)))
    exif = Image.Exif()
    exif[0x010F] = "DemoCam"
    gps = {1: "N", 2: (32.0, 30.0, 26.0), 3: "E", 4: (130.0, 36.0, 5.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80, exif=exif)
    return out.getvalue()


async def seed_demo(settings: Settings, site: Site) -> bool:
    """Create the demo town once, then each of the site's areas adds its part (`demo` in sns/areas.py);
    returns False when it is already there."""
    async with db.database(settings):
        if await User.filter(username="hanako").exists():
            return False
        base = Ctx(settings, Limits.unlimited(), site=site)
        users: dict[str, User] = {}
        with Progress(transient=True) as progress:
            task = progress.add_task("Creating the demo town", total=len(PEOPLE) + len(FRIENDS) + len(DIARIES) + 8)
            for username, name, role in PEOPLE:
                users[username] = await accounts.create_user(base, username=username, password=DEMO_PASSWORD,
                                                             display_name=name, role=role,
                                                             email=f"{username}@example.org")
                progress.advance(task)

            async def as_user(name: str) -> Ctx:
                fresh = await User.get(id=users[name].id)
                return base.as_viewer(await load_viewer(fresh))

            admin = await as_user("admin")
            await update_site(admin, **{**SiteConfig().__dict__, "town_name": "Minato City",
                                        "town_name_ja": "みなと市", "open_signup": False,
                                        "welcome": "Welcome to Minato City's own social network."})
            await set_districts(admin, "Minato-machi / 港町\nHon-machi / 本町\nHigashi-machi / 東町\nKita-machi / 北町")
            progress.advance(task)
            for a, b in FRIENDS:
                await friends.request_friend(await as_user(a), users[b].id)
                await friends.accept(await as_user(b), users[a].id)
                progress.advance(task)
            rnd = random.Random(7)
            made = []
            for n, (author, title, body, visibility) in enumerate(DIARIES):
                lat = CENTRE[0] + rnd.uniform(-0.02, 0.02) if n % 2 == 0 else None
                lon = CENTRE[1] + rnd.uniform(-0.02, 0.02) if n % 2 == 0 else None
                photos = [demo_photo(n)] if n % 3 != 2 else []
                made.append(await diaries.write_diary(await as_user(author), title=title, body=body,
                                                      visibility=visibility, lat=lat, lon=lon, photos=photos))
                progress.advance(task)
            await diaries.add_comment(await as_user("taro"), made[0].id, "I'll be there with my kids!")
            await diaries.add_comment(await as_user("yuki"), made[1].id, "がんばってください！")
            await diaries.add_comment(await as_user("hanako"), made[2].id, "Thanks for the reminder.")
            progress.advance(task)
            staff = await as_user("cityhall")
            await notices.post_notice(staff, title="Typhoon season: check your evacuation site",
                                      body="Shelter list and hazard maps are at City Hall and on this site.")
            await notices.post_notice(staff, title="年末年始のごみ収集について",
                                      body="12月30日から1月3日まで、ごみの収集はお休みです。")
            progress.advance(task)
            first_district = (await districts())[0]
            hanako = await as_user("hanako")

            await update_profile(hanako, display_name=users["hanako"].display_name,
                                 introduction="Kindergarten teacher. I love the autumn festival.",
                                 district_id=first_district.id, visibility={"district": "members",
                                 "introduction": "public", "avatar": "public"}, avatar=demo_photo(99))
            progress.advance(task)
            for part in site.demo:  # communities, events, mail, the city's departments, albums...
                await part.seed(as_user, users)
                progress.advance(task)
    return True
