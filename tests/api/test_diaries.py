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
