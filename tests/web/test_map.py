"""The map page and its data: no third-party hosts, one allowed inline script, and markers only for what
the viewer may read (features, clusters and their counts)."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from sns.models import Diary
from sns.services import diaries as diary_service
from sns.services import friends
from sns.services.tokens import create_token

BOX = "130.55,32.45,130.65,32.55"
INLINE = re.compile(r"<script>(.*?)</script>", re.S)


@pytest.fixture(scope="module")
async def town(site):
    author = await site.user("map_author")
    friend = await site.user("map_friend")
    stranger = await site.user("map_stranger")
    actx = await site.ctx_for(author)
    await friends.request_friend(actx, friend.id)
    await friends.accept(await site.ctx_for(friend), author.id)
    secret = await diary_service.write_diary(actx, title="Only my friends know this garden", body="Roses.",
                                             visibility="friends", lat="32.5101", lon="130.6011")
    public = await diary_service.write_diary(actx, title="The harbour at dusk", body="Boats.",
                                             visibility="public", lat="32.5003", lon="130.5902")
    return {"author": author, "friend": friend, "stranger": stranger, "secret": secret, "public": public}


async def features(client, box=BOX, **params):
    response = await client.get("/map/features.json", params={"bbox": box, **params})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/geo+json")
    return response.json()


def ids(collection, layer="diaries"):
    return {f["properties"].get("id") for f in collection["features"] if f["properties"]["layer"] == layer}


async def test_the_map_page_loads_nothing_from_other_hosts_and_allows_only_its_own_inline_script(site, town):
    client = site.client()
    page = await client.get("/map")
    assert page.status_code == 200
    html = page.text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "a third-party URL on the map page"
    assert '<script src="/static/leaflet/leaflet.js">' in html and "/static/map.js" in html
    scripts = INLINE.findall(html)
    assert len(scripts) == 1 and "L.map(" in scripts[0]
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    csp = page.headers["content-security-policy"]
    assert f"'sha256-{digest}'" in csp
    assert "unsafe-inline" not in csp
    # Other pages keep the plain policy: the hash is only where the script is.
    assert "sha256" not in (await client.get("/diaries")).headers["content-security-policy"]
    # Markers never travel inside the page: they come from the data endpoint.
    assert "garden" not in html and "harbour" not in html
    for asset in ("leaflet.js", "leaflet.css", "images/layers.png"):
        response = await client.get(f"/static/leaflet/{asset}")
        assert response.status_code == 200, asset


async def test_a_friends_only_diary_is_on_the_map_of_friends_only(site, town):
    secret, public = town["secret"].id, town["public"].id
    visitor = site.client()
    assert ids(await features(visitor)) >= {public} and secret not in ids(await features(visitor))
    for name, sees in (("map_stranger", False), ("map_friend", True), ("map_author", True)):
        client = site.client()
        await client.login(name)
        found = ids(await features(client))
        assert public in found
        assert (secret in found) is sees, name


async def test_the_api_applies_the_same_rules_with_a_token(site, town):
    import httpx

    async def api(user=None):
        headers = {}
        if user is not None:
            _, token = await create_token(await site.ctx_for(user), "map")
            headers["Authorization"] = f"Bearer {token}"
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=site.app), base_url="http://test.example",
                                     headers=headers) as client:
            response = await client.get("/api/v1/map/features", params={"bbox": BOX, "layers": "diaries"})
            assert response.status_code == 200 and response.json()["type"] == "FeatureCollection"
            return ids(response.json())

    secret = town["secret"].id
    assert secret not in await api()
    assert secret not in await api(town["stranger"])
    assert secret in await api(town["friend"])
    # The session cookie means nothing to the API: a signed-in browser gets the visitor's view there.
    client = site.client()
    await client.login("map_friend")
    response = await client.get("/api/v1/map/features", params={"bbox": BOX, "layers": "diaries"})
    assert secret not in ids(response.json())


async def test_cluster_counts_include_only_what_the_viewer_may_see(site, town):
    author = town["author"]
    rows = [Diary(author_id=author.id, origin=site.settings.origin, title=f"crowd {i}", body="",
                  visibility="public" if i % 4 else "friends", lat=32.47 + (i % 20) * 0.0001,
                  lon=130.57 + (i // 20) * 0.0001) for i in range(600)]
    await Diary.bulk_create(rows)
    crowd = "130.569,32.469,130.574,32.473"

    def total(collection):
        clusters = [f for f in collection["features"] if f["properties"].get("cluster")]
        assert clusters, "hundreds of points in a small box come as clusters"
        return sum(f["properties"].get("count", 1) for f in collection["features"]
                   if f["properties"]["layer"] == "diaries")

    stranger = site.client()
    await stranger.login("map_stranger")
    friend = site.client()
    await friend.login("map_friend")
    assert total(await features(stranger, crowd, zoom="13", layers="diaries")) == 450
    assert total(await features(site.client(), crowd, zoom="13", layers="diaries")) == 450
    assert total(await features(friend, crowd, zoom="13", layers="diaries")) == 600
    # Zoomed in far enough, the points come one by one.
    close = await features(friend, "130.5699,32.4699,130.5701,32.4702", zoom="19", layers="diaries")
    assert close["features"] and not any(f["properties"].get("cluster") for f in close["features"])


@pytest.mark.parametrize("box, words", [
    ("130.7,32.4,130.6,32.6", "inverted"),
    ("130,32.4,131,32.6,1", "four numbers"),
    ("west,south,east,north", "four numbers"),
    ("nan,32.4,130.6,32.6", "four numbers"),
    ("130,32,190,33", "outside the globe"),
    ("130,-95,131,33", "outside the globe"),
    ("0,0,90,60", "too large"),
    ("", "bbox=west,south,east,north"),
    ("1" * 300, "four numbers"),
])
async def test_a_bad_box_gets_a_clear_answer(site, box, words):
    response = await site.client().get("/map/features.json", params={"bbox": box})
    assert response.status_code == 400
    assert words in response.json()["error"] and response.json()["field"] == "bbox"


async def test_unknown_layers_and_bad_zooms_are_refused(site):
    client = site.client()
    response = await client.get("/map/features.json", params={"bbox": BOX, "layers": "diaries,<script>"})
    assert response.status_code == 400 and "no map layer" in response.json()["error"]
    response = await client.get("/map/features.json", params={"bbox": BOX, "zoom": "99"})
    assert response.status_code == 400 and response.json()["field"] == "zoom"


async def test_blurring_keeps_only_the_neighbourhood(site, town):
    client = site.client()
    await client.login("map_author")
    response = await client.submit("/diaries/new", {"title": "Near my house", "body": "Quiet street.",
                                                     "visibility": "public", "lat": "32.50731", "lon": "130.60164",
                                                     "blur": "1"})
    assert response.status_code == 303
    diary = await Diary.filter(title="Near my house").first()
    assert (diary.lat, diary.lon) != (32.50731, 130.60164)
    assert abs(diary.lat - 32.50731) < 0.005 and abs(diary.lon - 130.60164) < 0.005
    # Two places in the same neighbourhood land on the same spot: nothing tells them apart.
    await client.submit("/diaries/new", {"title": "Also near", "body": "x", "visibility": "public",
                                         "lat": "32.5074", "lon": "130.6013", "blur": "1"})
    other = await Diary.filter(title="Also near").first()
    assert (other.lat, other.lon) == (diary.lat, diary.lon)


async def test_typed_coordinates_are_checked_and_kept_on_refusal(site, town):
    client = site.client()
    await client.login("map_author")
    response = await client.submit("/diaries/new", {"title": "Lost place", "body": "My words stay.",
                                                     "visibility": "public", "lat": "95", "lon": "130.6"})
    assert response.status_code == 400
    assert "between -90 and 90" in response.text and "My words stay." in response.text
    assert 'value="95"' in response.text
    assert not await Diary.filter(title="Lost place").exists()


async def test_the_form_offers_the_place_picker(site, town):
    client = site.client()
    await client.login("map_author")
    html = (await client.get("/diaries/new")).text
    assert 'class="place-picker"' in html and "/static/place-picker.js" in html and 'name="blur"' in html


async def test_the_api_blurs_too_when_asked(site, town):
    import httpx

    _, token = await create_token(await site.ctx_for(town["author"]), "blur")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=site.app), base_url="http://test.example",
                                 headers={"Authorization": f"Bearer {token}"}) as client:
        response = await client.post("/api/v1/diaries", json={"title": "From the app", "body": "x",
                                                               "visibility": "public", "lat": 32.50731,
                                                               "lon": 130.60164, "blur": True})
        assert response.status_code == 201, response.text
        diary = response.json()
        assert (diary["lat"], diary["lon"]) != (32.50731, 130.60164)
        assert abs(diary["lat"] - 32.50731) < 0.005
        response = await client.post("/api/v1/diaries", json={"title": "x", "body": "x", "visibility": "public",
                                                               "lat": 32.5, "lon": 130.6, "blur": "yes"})
        assert response.status_code == 400 and response.json()["field"] == "blur"
