"""The administrator imports the city's shelter list (CSV, often Shift_JIS); residents read it without
signing in; the disaster desk marks shelters open, full or closed."""

from pathlib import Path

from sns.models.places import Shelter

HEADER = "施設・場所名,住所,洪水,崖崩れ、土石流及び地滑り,高潮,地震,津波,大規模な火事,内水氾濫,火山現象,緯度,経度,収容人数,備考"
ROWS = [
    "みなと小学校,港町1-2,○,,○,○,○,,,,32.50812,130.59731,420,",
    "中央公民館,本町3-5,,,,○,,○,,,３２．５０５４,１３０．６０３８８,１８０,福祉避難所を兼ねる",
    "北の森公園,北町2,,,,○,,○,,,32.52290,130.60811,3000,広域避難場所",
]
SAMPLE = Path(__file__).parents[3] / "shared/data/shelters-sample-sjis.csv"


def sjis(*rows: str, header: str = HEADER) -> bytes:
    return "\r\n".join([header, *rows, ""]).encode("cp932")


async def upload(client, data: bytes, replace: bool = False):
    form = {"replace": "1"} if replace else {}
    return await client.submit("/admin/shelters/import", form, files={"file": ("shelters.csv", data, "text/csv")})


async def alive() -> list[Shelter]:
    return await Shelter.filter(deleted_at=None).order_by("name")


async def test_import_shift_jis_then_residents_see_open_shelters_first(site):
    await site.user("admin1", role="admin")
    await site.user("desk1", role="disaster")
    admin, desk, visitor = site.client(), site.client(), site.client()
    await admin.login("admin1")
    await desk.login("desk1")
    r = await upload(admin, sjis(*ROWS))
    assert r.status_code == 303, r.text
    page = await admin.get(r.headers["location"])
    assert "3 added" in page.text
    shelters = {s.name: s for s in await alive()}
    hall = shelters["中央公民館"]
    assert (hall.lat, hall.lon, hall.capacity) == (32.5054, 130.60388, 180)  # full-width digits read
    assert hall.hazards == ["earthquake", "fire"] and hall.remark == "福祉避難所を兼ねる"
    assert shelters["みなと小学校"].hazards == ["flood", "storm_surge", "earthquake", "tsunami"]
    # the disaster desk opens the park; a resident cannot
    park = shelters["北の森公園"]
    r = await desk.submit(f"/admin/shelters/{park.id}/status", {"status": "open"})
    assert r.status_code == 303
    await site.user("res1")
    resident = site.client()
    await resident.login("res1")
    r = await resident.submit(f"/admin/shelters/{park.id}/status", {"status": "closed"})
    assert r.status_code == 403
    assert (await resident.get("/admin/shelters")).status_code == 403
    # the desk may not import the list
    assert (await upload(desk, sjis(*ROWS))).status_code == 403
    # a visitor reads the list: the open one first, with the time it opened and a map link
    page = await visitor.get("/shelters")
    assert page.status_code == 200
    assert page.text.index("北の森公園") < page.text.index("みなと小学校")
    assert "since" in page.text and "/map?lat=32.522900&amp;lon=130.608110&amp;zoom=17" in page.text
    assert "3000 people" in page.text and "Storm surge" in page.text
    # filter by hazard: only the school serves tsunami
    page = await visitor.get("/shelters?hazard=tsunami")
    assert "みなと小学校" in page.text and "中央公民館" not in page.text
    assert (await visitor.get("/shelters?hazard=meteor")).status_code == 400
    # in Japanese
    page = await visitor.get("/shelters", headers={"Accept-Language": "ja"})
    assert "避難所" in page.text and "開設" in page.text


async def test_map_layer_lists_shelters_in_the_box(site):
    from sns.services import maps, shelters as shelter_service

    ctx = site.ctx()
    layer = site.app.state.site.map_layers["shelters"]
    found = await maps.features(ctx, maps.parse_bbox("130.5,32.4,130.7,32.6"), [layer])
    names = {f["properties"]["title"]: f for f in found["features"]}
    assert "北の森公園" in names
    props = names["北の森公園"]["properties"]
    assert props["status"] == "open" and props["status_label"] == "Opened" and props["capacity"] == 3000
    assert props["hazards"] == ["Earthquake", "Large fire"] and props["url"].startswith("/shelters#shelter-")
    elsewhere = await maps.features(ctx, maps.parse_bbox("139,35,140,36"), [layer])
    assert elsewhere["features"] == []


async def test_reimport_keeps_status_and_replace_removes_the_rest(site):
    admin = site.client()
    await admin.login("admin1")
    park = await Shelter.get(name="北の森公園", deleted_at=None)
    assert park.status == "open"
    changed = ROWS[2].replace("3000", "2500")
    r = await upload(admin, sjis(ROWS[0], changed, "新しい体育館,新町1,,,,○,,,,,32.51,130.60,100,"))
    assert r.status_code == 303
    page = await admin.get(r.headers["location"])
    assert "1 added, 1 updated, 1 unchanged, 0 removed" in page.text
    park = await Shelter.get(id=park.id)
    assert (park.capacity, park.status) == (2500, "open")  # the status survives the import
    r = await upload(admin, sjis(ROWS[0], changed), replace=True)
    page = await admin.get(r.headers["location"])
    assert "0 added, 0 updated, 2 unchanged, 2 removed" in page.text
    assert [s.name for s in await alive()] == ["みなと小学校", "北の森公園"]
    assert "中央公民館" not in (await site.client().get("/shelters")).text


async def test_bad_files_are_refused_whole_with_clear_messages(site):
    admin = site.client()
    await admin.login("admin1")
    before = [(s.id, s.version) for s in await alive()]
    # EUC-JP and random bytes: an encoding message
    for data in ("\r\n".join([HEADER, ROWS[0]]).encode("euc_jp"), bytes(range(128, 256)) * 20):
        r = await upload(admin, data)
        assert r.status_code == 400 and "UTF-8 or Shift_JIS" in r.text
    # missing columns are named
    r = await upload(admin, "名称,住所\r\nA,B\r\n".encode("cp932"))
    assert r.status_code == 400 and "Missing: latitude (緯度), longitude (経度)" in r.text
    # one good row and bad rows: every bad line is named, nothing is stored
    rows = [ROWS[0], "丘の上,丘1,,,,○,,,,,95,130.6,10,", ",空,,,,,,,,,32.5,130.6,,", "川辺,川1,?,,,,,,,,32.5,130.6,十,"]
    r = await upload(admin, sjis(*rows, "新しい体育館,新町1,,,,○,,,,,32.51,130.60,100,"))
    assert r.status_code == 400
    for expected in ("Line 3: the latitude must be a number from -90 to 90.", "Line 4: the name is empty.",
                     "Line 5: mark a hazard column with ○ or leave it empty", "Line 5: the capacity must be"):
        assert expected in r.text
    assert "Nothing was imported" in r.text
    # many bad rows: the first twenty, then a count
    r = await upload(admin, sjis(*[f"x{n},a,,,,,,,,,999,130,," for n in range(30)]))
    assert r.status_code == 400 and "Line 21:" in r.text and "Line 22:" not in r.text and "and 10 more" in r.text
    # a file over the size limit
    r = await upload(admin, sjis(*ROWS) + b" " * (site.settings.max_upload_bytes + 1))
    assert r.status_code == 400 and "too large" in r.text
    assert [(s.id, s.version) for s in await alive()] == before


async def test_english_headers_utf8_and_utf16(site):
    admin = site.client()
    await admin.login("admin1")
    text = ("name,address,latitude,longitude,capacity,hazards,remark\r\n"
            "Riverside Hall,1 River St,32.50,130.59,50,flood; earthquake,ramp at the back\r\n")
    for data in ("\ufeff" + text).encode("utf-8"), text.encode("utf-16"):
        r = await upload(admin, data)
        assert r.status_code == 303, r.text
    hall = await Shelter.get(name="Riverside Hall", deleted_at=None)
    assert hall.hazards == ["flood", "earthquake"] and hall.remark == "ramp at the back"
    r = await upload(admin, text.replace("flood; earthquake", "flood; meteor").encode())
    assert r.status_code == 400 and "“meteor” is not a known hazard" in r.text


async def test_the_city_sample_file_imports(site):
    if not SAMPLE.exists():
        return
    admin = site.client()
    await admin.login("admin1")
    r = await upload(admin, SAMPLE.read_bytes())
    assert r.status_code == 303, r.text
    school = await Shelter.get(name="みなと小学校 体育館", deleted_at=None)
    assert school.capacity == 420 and school.hazards == ["flood", "storm_surge", "earthquake", "tsunami", "fire"]


async def test_edit_a_shelter_keeps_what_was_typed_on_error(site):
    admin = site.client()
    await admin.login("admin1")
    park = await Shelter.get(name="北の森公園", address="北町2", deleted_at=None)
    page = await admin.get(f"/admin/shelters/{park.id}")
    assert page.status_code == 200 and 'value="2500"' in page.text
    form = {"name": "北の森公園", "address": "北町2", "lat": "91", "lon": "130.6", "capacity": "2600",
            "remark": "駐車場あり", "hazards": ["earthquake", "flood"]}
    r = await admin.submit(f"/admin/shelters/{park.id}", form)
    assert r.status_code == 400 and "駐車場あり" in r.text and 'value="91"' in r.text
    r = await admin.submit(f"/admin/shelters/{park.id}", {**form, "lat": "３２．５２３", "capacity": "2,600"})
    assert r.status_code == 303
    park = await Shelter.get(id=park.id)
    assert (park.lat, park.capacity, park.hazards, park.status) == (32.523, 2600, ["flood", "earthquake"], "open")
    assert (await admin.get("/admin/shelters/nope")).status_code == 404


def test_refusals_read_in_japanese():
    from sns import i18n
    from sns.services.shelter_csv import ImportRefused, parse

    for data, expected in (("名称,緯度\r\nx,1\r\n".encode("cp932"), "足りない列:経度(longitude)"),
                           (sjis("丘,丘1,,,,○,,,,,95,130.6,10,"), "2 行目:緯度は -90 から 90 までの数値")):
        try:
            parse(data, 10**6)
        except ImportRefused as exc:
            with i18n.using_locale("ja"):
                assert expected in exc.text()
        else:
            raise AssertionError(data)


async def test_many_shelters_in_view_are_clustered_and_the_few_described(site):
    from sns.services import maps, shelters as shelter_service

    admin = await site.user("clusteradmin", role="admin")
    ctx = await site.ctx_for(admin)
    rows = [f"群{n},群町{n},,,,○,,,,,{35.0 + (n % 20) * 0.001:.4f},{139.0 + (n // 20) * 0.001:.4f},,"
            for n in range(400)]
    rows.append("離れ小島,島1,,,,○,,,,,35.9,139.9,10,")
    await shelter_service.import_shelters(ctx, sjis(*rows), replace=False)
    found = await maps.features(ctx, maps.parse_bbox("138.9,34.9,140,36"), [site.app.state.site.map_layers["shelters"]],
                                zoom=8)
    clusters = [f for f in found["features"] if f["properties"].get("cluster")]
    singles = [f for f in found["features"] if not f["properties"].get("cluster")]
    assert sum(c["properties"]["count"] for c in clusters) == 400
    assert [f["properties"]["title"] for f in singles] == ["離れ小島"]
    assert singles[0]["properties"]["status_label"] == "Not open" and singles[0]["properties"]["capacity"] == 10
