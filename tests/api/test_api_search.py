"""GET /api/v1/search: the same results and rules as the page, as JSON, with clear errors."""

from urllib.parse import quote

from sns.services import diaries as diary_service


async def write(site, user, title, body, visibility):
    return await diary_service.write_diary(await site.ctx_for(user), title=title, body=body,
                                           visibility=visibility, lat="", lon="")


async def test_search_finds_japanese_and_respects_visibility(api, site):
    author, mine = await api.resident("api_s_author")
    _, other = await api.resident("api_s_other")
    visitor = api.client()
    pub = await write(site, author, "台風の備え", "台風が来る前に避難所を確認しました", "public")
    members = await write(site, author, "避難訓練", "避難訓練のお知らせ", "members")
    private = await write(site, author, "私の避難メモ", "避難バッグの中身", "private")

    r = await visitor.get("/api/v1/search?q=" + quote("避難"))
    assert r.status_code == 200
    body = r.json()
    assert [i["id"] for i in body["items"]] == [pub.id] and body["next"] is None
    hit = body["items"][0]
    assert hit["kind"] == "diary" and hit["url"].endswith(f"/diaries/{pub.id}")
    assert hit["author"]["username"] == "api_s_author"
    text, (start, end) = hit["excerpt"]["text"], hit["excerpt"]["marks"][0]
    assert text[start:end] == "避難"
    assert [i["id"] for i in (await other.get("/api/v1/search?q=" + quote("避難"))).json()["items"]] == [
        members.id, pub.id]
    assert [i["id"] for i in (await mine.get("/api/v1/search?q=" + quote("避難"))).json()["items"]] == [
        private.id, members.id, pub.id]


async def test_paging_kinds_and_order(api, site):
    author, client = await api.resident("api_s_pager")
    made = [await write(site, author, f"Tangerine {i}", "tangerine crate", "public") for i in range(5)]
    r = await client.get("/api/v1/search?q=tangerine&limit=2&kinds=diary")
    page1 = r.json()
    assert [i["id"] for i in page1["items"]] == [made[4].id, made[3].id]
    page2 = (await client.get(page1["next"].removeprefix(site.settings.base_url))).json()
    assert [i["id"] for i in page2["items"]] == [made[2].id, made[1].id]
    r = await client.get("/api/v1/search?q=tangerine&order=relevant&limit=2&kinds=diary,topic")
    assert r.status_code == 200 and len(r.json()["items"]) == 2 and "page=2" in r.json()["next"]
    assert (await client.get("/api/v1/search?q=tangerine&kinds=event")).json()["items"] == []


async def test_bad_input_gets_a_clear_400(api):
    client = api.client()
    for params, field in (("q=" + "a" * 10_000, "q"), ("q=a&kinds=secrets", "kinds"),
                          ("q=a&order=random", "order"), ("q=a&before=nope", "before"), ("q=a&limit=0", "limit"),
                          ("q=a&order=relevant&page=0", "page")):
        r = await client.get("/api/v1/search?" + params)
        assert r.status_code == 400, params
        assert r.json()["field"] == field and r.json()["error"]
    for odd in ('"', "NEAR(", "*", "😀", "%ED%A0%80", "' OR 1=1 --", ""):
        r = await client.get("/api/v1/search?q=" + (odd if odd.startswith("%") else quote(odd)))
        assert r.status_code == 200, odd
        assert r.json()["items"] == []


async def test_search_is_described_in_the_openapi_document(api):
    doc = (await api.client().get("/api/v1/openapi.json")).json()
    op = doc["paths"]["/api/v1/search"]["get"]
    assert "x-undocumented" not in op
    assert {p["name"] for p in op["parameters"]} >= {"q", "kinds", "order", "before", "page", "limit"}
    assert "SearchHit" in doc["components"]["schemas"]
