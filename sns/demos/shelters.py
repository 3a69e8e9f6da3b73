"""Demo shelters and map layers for the demo town (see sns/demos/__init__.py).

The shelters go through the real importer, from a Shift_JIS CSV with CRLF line ends and a "○" column
per hazard, as Japanese cities publish them; two are opened. Two uploaded layers: a flood hazard zone
along the river and an evacuation route up to the hill. All names and places are invented.
"""

from __future__ import annotations

import json

from sns.services import map_areas, shelters

HEADER = "施設・場所名,住所,洪水,崖崩れ、土石流及び地滑り,高潮,地震,津波,大規模な火事,内水氾濫,火山現象,緯度,経度,収容人数,備考"
ROWS = (
    "みなと小学校 体育館,港町一丁目2番3号,○,,○,○,○,○,,,32.50812,130.59731,420,",
    "中央公民館,本町三丁目5番1号,,,,○,,○,,,32.50540,130.60388,180,福祉避難所を兼ねる",
    "東中学校 グラウンド,東町四丁目1番,○,○,,○,,○,○,,32.51307,130.61952,1500,屋外",
    "北の森公園,北町二丁目,,,,○,,○,,,32.52290,130.60811,3000,広域避難場所",
    "西高等学校 武道館,西町一丁目10番8号,○,○,○,○,○,,○,,32.50177,130.58640,350,",
    "丘の上コミュニティセンター,丘町三丁目4番,○,○,○,○,○,○,○,,32.51640,130.59420,260,ペット同伴可",
)
OPEN = ("みなと小学校 体育館", "丘の上コミュニティセンター")

# The Kuma-like river runs south of the centre; the zone is a band along it.
FLOOD_ZONE = {"type": "FeatureCollection", "features": [{
    "type": "Feature",
    "properties": {"name": "浸水想定区域 (0.5–3 m)", "description": "Expected depth in a once-in-a-century flood."},
    "geometry": {"type": "Polygon", "coordinates": [[
        [130.5880, 32.5005], [130.5990, 32.5030], [130.6100, 32.5020], [130.6180, 32.5045],
        [130.6185, 32.4995], [130.6090, 32.4975], [130.5985, 32.4985], [130.5875, 32.4960],
        [130.5880, 32.5005]]]},
}]}
ROUTE = {"type": "Feature",
         "properties": {"name": "避難経路: 港町 → 丘の上コミュニティセンター", "description": "Stairs at the shrine."},
         "geometry": {"type": "LineString", "coordinates": [
             [130.5973, 32.5081], [130.5968, 32.5102], [130.5955, 32.5124], [130.5942, 32.5164]]}}


async def seed(as_user, users) -> None:
    admin = await as_user("admin")
    data = "\r\n".join((HEADER, *ROWS, "")).encode("cp932")
    await shelters.import_shelters(admin, data, replace=True)
    for shelter in await shelters.list_shelters(admin):
        if shelter.name in OPEN:
            await shelters.set_shelter_status(admin, shelter.id, "open")
    await map_areas.upload_layer(admin, "Flood hazard zone", "浸水想定区域",
                                 "Areas the river may flood, from the city's hazard map.",
                                 json.dumps(FLOOD_ZONE, ensure_ascii=False).encode())
    await map_areas.upload_layer(admin, "Evacuation route", "避難経路", "From the harbour up to the hill.",
                                 json.dumps(ROUTE, ensure_ascii=False).encode())
