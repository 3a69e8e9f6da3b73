"""The garbage calendar: administrators upload the city's CSV (UTF-8 with a BOM, Shift_JIS with Japanese
column names), a bad file is refused whole with every problem's line number, an undecodable one is named as
such; single days are added and removed; everyone reads the coming days, in their language, without
JavaScript."""

from datetime import date, timedelta

import pytest

from sns.models import District
from sns.models.reminders import GarbageDay
from sns.services.site import set_districts


def day(n: int) -> str:
    return (date.today() + timedelta(days=n)).isoformat()


@pytest.fixture(scope="module")
async def town(site):
    admin = await site.user("gb_admin", role="admin")
    await set_districts(await site.ctx_for(admin), "Minato-machi / 港町\nHon-machi / 本町")
    await site.user("gb_resident")
    clients = {}
    for name in ("gb_admin", "gb_resident"):
        clients[name] = site.client()
        await clients[name].login(name)
    return {"minato": await District.get(name="Minato-machi / 港町"),
            "honmachi": await District.get(name="Hon-machi / 本町"), "clients": clients}


async def upload(client, data: bytes):
    return await client.submit("/admin/garbage/upload", files={"file": ("calendar.csv", data, "text/csv")})


async def test_an_administrator_uploads_the_calendar_and_everyone_reads_it(site, town):
    admin = town["clients"]["gb_admin"]
    page = await admin.get("/admin/garbage")
    assert page.status_code == 200 and "date, district, what and what_ja" in page.text
    utf8 = "\ufeffdate,district,what,what_ja\r\n" \
           f"{day(2)},Minato-machi,Burnable garbage,可燃ごみ\r\n" \
           f"{day(5)},Minato-machi / 港町,Plastics,プラスチック\r\n"
    r = await upload(admin, utf8.encode("utf-8"))
    assert r.status_code == 303 and r.headers["location"] == "/admin/garbage?stored=2#result"
    assert "2 collection days stored." in (await admin.get(r.headers["location"])).text
    sjis = f"日付,地区,品目,品目_ja\r\n{day(3).replace('-', '/')},本町,Cans and bottles,缶・びん\r\n" \
           f"{day(2)},港町,Burnable garbage (changed),可燃ごみ\r\n"
    r = await upload(admin, sjis.encode("cp932"))
    assert r.status_code == 303
    rows = await GarbageDay.all().order_by("day").values_list("district_id", "what")
    assert rows == [(town["minato"].id, "Burnable garbage (changed)"), (town["honmachi"].id, "Cans and bottles"),
                    (town["minato"].id, "Plastics")]
    visitor = site.client()
    public = await visitor.get("/garbage")
    assert public.status_code == 200 and "Burnable garbage (changed)" in public.text
    assert f'href="/garbage/{town["honmachi"].id}"' in public.text and "<script>" not in public.text
    visitor.headers["Accept-Language"] = "ja"
    one = await visitor.get(f"/garbage/{town['minato'].id}")
    assert one.status_code == 200 and "可燃ごみ" in one.text and "プラスチック" in one.text
    assert "缶・びん" not in one.text
    assert (await visitor.get("/garbage/no-such-district")).status_code == 404


async def test_a_bad_file_is_refused_whole_with_line_numbers(site, town):
    admin = town["clients"]["gb_admin"]
    before = await GarbageDay.all().count()
    bad = "date,district,what,what_ja\n" \
          f"{day(10)},Minato-machi,Burnable garbage,可燃ごみ\n" \
          f"{day(11)},Atlantis,Burnable garbage,\n" \
          "2030-02-30,Hon-machi,Burnable garbage,\n" \
          f"{day(10)},港町,Plastics,\n" \
          f"{day(12)},Hon-machi,,\n"
    r = await upload(admin, bad.encode())
    assert r.status_code == 400 and "Nothing was stored." in r.text
    for problem in ("Line 3: “Atlantis” is not one of the site&#39;s districts.",
                    "Line 4: the date must be a real day written as 2030-04-01.",
                    "Line 5: the same district and date as line 2.", "Line 6: say what is collected."):
        assert problem in r.text
    assert await GarbageDay.all().count() == before
    r = await upload(admin, "date,where,what\n".encode())
    assert r.status_code == 400 and "Missing: district" in r.text
    r = await upload(admin, "日付,地区,品目\n2030-01-01,港町,燃えるごみ\n".encode("euc_jp"))
    assert r.status_code == 400 and "not text in UTF-8 or Shift_JIS" in r.text
    assert await GarbageDay.all().count() == before


async def test_single_days_are_added_and_removed(site, town):
    admin = town["clients"]["gb_admin"]
    r = await admin.submit("/admin/garbage/days", {"district_id": town["honmachi"].id, "day": "someday",
                                                   "what": "Old paper", "what_ja": "古紙"})
    assert r.status_code == 400 and "Give the date as year-month-day" in r.text
    assert 'value="Old paper"' in r.text and 'value="古紙"' in r.text
    r = await admin.submit("/admin/garbage/days", {"district_id": town["honmachi"].id, "day": day(4),
                                                   "what": "Old paper", "what_ja": "古紙"})
    assert r.status_code == 303
    added = await GarbageDay.get(district_id=town["honmachi"].id, what="Old paper")
    assert f"/admin/garbage/days/{added.id}/remove" in (await admin.get("/admin/garbage")).text
    assert (await admin.submit(f"/admin/garbage/days/{added.id}/remove")).status_code == 303
    assert not await GarbageDay.filter(id=added.id).exists()
