"""Diaries and comments over the JSON API: write, read, list a page at a time, edit, delete."""

from sns.models import Diary, JournalEntry


async def test_post_and_get_a_diary(api):
    user, me = await api.resident("writer")
    r = await me.post("/api/v1/diaries", json={"title": "Cherry blossoms", "body": "By the *river*.",
                                               "visibility": "public", "lat": 32.5073, "lon": 130.6016})
    assert r.status_code == 201, r.text
    data = r.json()
    assert data["id"] and data["url"] == f"http://test.example/diaries/{data['id']}"
    assert r.headers["location"] == f"http://test.example/api/v1/diaries/{data['id']}"
    assert data["body_html"] == "<p>By the <em>river</em>.</p>\n" and data["lat"] == 32.5073
    assert data["author"]["username"] == "writer" and data["permissions"]["edit"] is True
    # written through the service: one journal entry for the new diary
    assert await JournalEntry.filter(record_id=data["id"]).count() == 1
    anon = api.client()
    r = await anon.get(f"/api/v1/diaries/{data['id']}")
    assert r.status_code == 200 and r.json()["title"] == "Cherry blossoms"
    assert r.json()["permissions"] == {"edit": False, "delete": False, "comment": False}
    # the page shows the same entry
    assert "Cherry blossoms" in (await api.site.client().get(data["url"].replace("http://test.example", ""))).text


async def test_list_pages_with_before_and_next(api):
    _, me = await api.resident("prolific")
    ids = []
    for n in range(5):
        r = await me.post("/api/v1/diaries", json={"title": f"Day {n}", "body": "x", "visibility": "members"})
        ids.append(r.json()["id"])
    seen, url, pages = [], "/api/v1/diaries?author=prolific&limit=2", 0
    while url:
        r = await me.get(url)
        assert r.status_code == 200, r.text
        page = r.json()
        assert len(page["items"]) <= 2
        seen += [d["id"] for d in page["items"]]
        url, pages = page["next"], pages + 1
        if url:
            assert url.startswith("http://test.example/api/v1/diaries?") and "author=prolific" in url
    assert seen == list(reversed(ids)) and pages == 3  # newest first, nothing twice, nothing missed
    everyone = (await me.get("/api/v1/diaries?limit=100")).json()["items"]
    assert [d["id"] for d in everyone] == sorted(d["id"] for d in everyone)[::-1]


async def test_author_edits_and_deletes_others_cannot(api):
    _, author = await api.resident("editor")
    _, other = await api.resident("meddler")
    r = await author.post("/api/v1/diaries", json={"title": "Draft", "body": "first", "visibility": "members",
                                                   "lat": 32.5, "lon": 130.6})
    url = f"/api/v1/diaries/{r.json()['id']}"
    r = await author.patch(url, json={"body": "second"})
    assert r.status_code == 200, r.text
    assert r.json()["title"] == "Draft" and r.json()["body"] == "second" and r.json()["lat"] == 32.5
    r = await author.patch(url, json={"lat": None, "lon": None, "visibility": "public"})
    assert r.json()["lat"] is None and r.json()["visibility"] == "public"
    r = await other.patch(url, json={"title": "Hijacked"})
    assert r.status_code == 403 and r.json()["error"]
    assert (await other.delete(url)).status_code == 403
    assert (await author.get(url)).json()["title"] == "Draft"
    assert (await author.delete(url)).status_code == 204
    assert (await author.get(url)).status_code == 404
    assert (await author.delete(url)).status_code == 404
    diary = await Diary.get(id=url.rsplit("/", 1)[1])
    assert diary.deleted_at is not None and diary.version == 4  # created, two edits, tombstone


async def test_comments_flow(api):
    _, host = await api.resident("hostess")
    _, guest = await api.resident("visitor")
    _, bystander = await api.resident("bystander")
    r = await host.post("/api/v1/diaries", json={"title": "Tea", "body": "Come", "visibility": "members"})
    diary_url = f"/api/v1/diaries/{r.json()['id']}"
    r = await guest.post(diary_url + "/comments", json={"body": "On my way!"})
    assert r.status_code == 201, r.text
    comment = r.json()
    assert comment["author"]["username"] == "visitor" and comment["permissions"]["delete"] is True
    r = await host.get(diary_url + "/comments")
    assert [c["body"] for c in r.json()["items"]] == ["On my way!"]
    assert r.json()["items"][0]["permissions"]["delete"] is True  # the diary's author may remove it
    assert (await api.client().get(diary_url + "/comments")).status_code == 404  # members only
    assert (await bystander.delete(f"/api/v1/comments/{comment['id']}")).status_code == 403
    assert (await host.delete(f"/api/v1/comments/{comment['id']}")).status_code == 204
    assert (await host.get(diary_url + "/comments")).json()["items"] == []
    assert (await host.delete(f"/api/v1/comments/{comment['id']}")).status_code == 404


async def test_a_retried_post_with_the_same_client_token_posts_once(api):
    _, me = await api.resident("retrier")
    body = {"title": "Flaky network", "body": "tap", "visibility": "public", "client_token": "abc-123"}
    first = await me.post("/api/v1/diaries", json=body)
    second = await me.post("/api/v1/diaries", json=body)
    assert first.status_code == second.status_code == 201 and first.json()["id"] == second.json()["id"]
    assert await Diary.filter(title="Flaky network").count() == 1


async def test_posting_rate_limit_applies_to_the_api(tmp_path):
    from fixtures import make_site
    from api_client import Api

    async with make_site(tmp_path, posts_per_10min=2) as site:
        _, me = await Api(site).resident("hasty")
        codes = [(await me.post("/api/v1/diaries", json={"title": f"n{n}", "body": "b", "visibility": "public"}))
                 for n in range(3)]
        assert [r.status_code for r in codes] == [201, 201, 429]
        assert "wait" in codes[-1].json()["error"]
