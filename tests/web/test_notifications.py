"""News for you: what services tell a resident, the unread badge, and opening or clearing it."""

from sns.models import Notification
from sns.services import notifications


async def test_a_notification_shows_as_a_badge_and_opening_it_marks_it_read(site):
    reader, actor = await site.user("newsreader"), await site.user("newsactor")
    made = await notifications.notify([reader.id, actor.id], "reply", url="/diaries/x", subject="Lanterns",
                                      actor_id=actor.id)
    assert made == 1  # the actor is never told of their own doing
    client = site.client()
    await client.login("newsreader")
    home = await client.get("/home")
    assert 'href="/notifications"' in home.text and ">1</span>" in home.text
    page = await client.get("/notifications")
    assert f"{actor.display_name} replied in “Lanterns”" in page.text
    note = await Notification.get(user_id=reader.id)
    opened = await client.get(f"/notifications/{note.id}")
    assert opened.status_code == 303 and opened.headers["location"] == "/diaries/x"
    assert (await Notification.get(id=note.id)).read_at is not None
    assert ">1</span>" not in (await client.get("/home")).text


async def test_someone_elses_notification_is_neither_opened_nor_marked(site):
    owner = await site.user("newsowner")
    await site.user("newsother")
    await notifications.notify([owner.id], "message", url="/mail/secret", subject="Private subject")
    note = await Notification.get(user_id=owner.id)
    client = site.client()
    await client.login("newsother")
    response = await client.get(f"/notifications/{note.id}")
    assert response.status_code == 303 and response.headers["location"] == "/notifications"
    assert (await Notification.get(id=note.id)).read_at is None
    assert "Private subject" not in (await client.get("/notifications")).text


async def test_mark_all_read_clears_the_badge_and_the_page_is_in_japanese(site):
    reader = await site.user("newsall")
    for n in range(3):
        await notifications.notify([reader.id], "inquiry_status", url=f"/city/{n}", subject=f"Pothole {n}")
    client = site.client()
    await client.login("newsall")
    page = await client.get("/notifications", headers={"Accept-Language": "ja"})
    assert "「Pothole 2」の対応状況が変わりました" in page.text
    await client.submit("/notifications/read", {})
    assert await Notification.filter(user_id=reader.id, read_at=None).count() == 0
    assert "新着" not in (await client.get("/notifications", headers={"Accept-Language": "ja"})).text


async def test_visitors_are_sent_to_sign_in_and_a_foreign_url_is_never_followed(site):
    visitor = site.client()
    assert (await visitor.get("/notifications")).status_code in (302, 303)
    reader = await site.user("newsurl")
    await notifications.notify([reader.id], "reply", url="//evil.example/x", subject="x")
    note = await Notification.get(user_id=reader.id)
    client = site.client()
    await client.login("newsurl")
    response = await client.get(f"/notifications/{note.id}")
    assert response.headers["location"] == "/notifications"
