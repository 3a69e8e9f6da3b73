"""A resident writes a diary; visibility decides who sees it on every page."""

import io

from PIL import Image

from fixtures import PASSWORD, jpeg_with_gps


async def test_friends_only_diary_with_photo(site):
    alice = await site.user("alice")
    bob = await site.user("bob")
    await site.user("carol")
    a, b, c, anon = site.client(), site.client(), site.client(), site.client()
    await a.login("alice")
    await b.login("bob")
    await c.login("carol")
    # alice and bob become friends through the pages
    r = await a.submit("/friends/request", {"user_id": bob.id})
    assert r.status_code == 303
    r = await b.submit("/friends/accept", {"user_id": alice.id})
    assert r.status_code == 303
    photo = jpeg_with_gps()
    r = await a.submit("/diaries/new", {"title": "Persimmons", "body": "Our tree is *full*.",
                                        "visibility": "friends"}, files={"photos": ("p.jpg", photo, "image/jpeg")})
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    page = await b.get(url)
    assert page.status_code == 200 and "Persimmons" in page.text and "<em>full</em>" in page.text
    photo_url = page.text.split('src="/photos/')[1].split('"')[0]
    img = await b.get("/photos/" + photo_url)
    assert img.status_code == 200
    assert b"SpyCam" not in img.content and Image.open(io.BytesIO(img.content)).getexif().get(0x8825) is None
    # a stranger and a visitor see nothing, anywhere
    for who in (c, anon):
        assert (await who.get(url)).status_code == 404
        assert "Persimmons" not in (await who.get("/diaries")).text
        assert (await who.get("/photos/" + photo_url)).status_code == 404
    assert "Persimmons" not in (await anon.get("/feeds/diaries.atom")).text
    home = await b.get("/home")
    assert "Persimmons" in home.text
    assert "Persimmons" not in (await c.get("/home")).text


async def test_rejected_form_keeps_what_was_typed(site):
    await site.user("dora")
    d = site.client()
    await d.login("dora")
    long_title = "x" * 300
    r = await d.submit("/diaries/new", {"title": long_title, "body": "My carefully typed text",
                                        "visibility": "members"})
    assert r.status_code == 400
    assert "My carefully typed text" in r.text and "too long" in r.text


async def test_unsafe_request_without_csrf_is_refused(site):
    await site.user("eve")
    e = site.client()
    await e.login("eve")
    r = await e.post("/diaries/new", data={"title": "t", "body": "b", "visibility": "public"})
    assert r.status_code == 403


async def test_double_submitted_form_posts_once(site):
    from sns.models import Comment, Diary

    await site.user("twice")
    t = site.client()
    await t.login("twice")
    form = await t.get("/diaries/new")
    token = form.text.split('name="client_token" value="')[1].split('"')[0]
    data = {"title": "Only once", "body": "tap tap", "visibility": "public", "client_token": token}
    first = await t.submit("/diaries/new", data)
    second = await t.submit("/diaries/new", data)
    assert first.headers["location"] == second.headers["location"]
    assert await Diary.filter(title="Only once").count() == 1
    diary_url = first.headers["location"]
    page = await t.get(diary_url)
    ctoken = page.text.split('name="client_token" value="')[1].split('"')[0]
    for _ in range(2):
        await t.submit(diary_url + "/comments", {"comment": "just once", "client_token": ctoken})
    assert await Comment.filter(body="just once").count() == 1


async def test_author_deletes_a_comment_on_their_entry(site):
    owner = await site.user("host")
    await site.user("guest")
    h, g = site.client(), site.client()
    await h.login("host")
    await g.login("guest")
    r = await h.submit("/diaries/new", {"title": "Open house", "body": "Come by", "visibility": "members"})
    url = r.headers["location"]
    await g.submit(url + "/comments", {"comment": "rude remark"})
    page = (await h.get(url)).text
    comment_id = page.split('action="/comments/')[1].split("/delete")[0]
    # the guest cannot delete the host's entry; the host deletes the guest's comment
    assert (await g.submit(url + "/delete")).status_code == 403
    assert (await h.submit(f"/comments/{comment_id}/delete")).status_code == 303
    assert "rude remark" not in (await g.get(url)).text
    assert owner.id


async def test_a_refused_post_says_the_chosen_photos_must_be_chosen_again(site):
    await site.user("photographer")
    client = site.client()
    await client.login("photographer")
    refused = await client.submit("/diaries/new", {"title": "", "body": "Sunset over the bay", "visibility": "public"},
                                  files=[("photos", ("a.jpg", jpeg_with_gps(), "image/jpeg")),
                                         ("photos", ("b.jpg", jpeg_with_gps(), "image/jpeg"))])
    assert refused.status_code == 400
    assert "Sunset over the bay" in refused.text
    assert "You had chosen 2 photos" in refused.text


async def test_a_refused_field_is_marked_for_screen_readers(site):
    await site.user("reader_aloud")
    client = site.client()
    await client.login("reader_aloud")
    refused = await client.submit("/diaries/new", {"title": "", "body": "Kept text", "visibility": "public",
                                                   "lat": "123", "lon": "5"})
    assert refused.status_code == 400
    import re

    errors = dict(re.findall(r'<p class="error" id="([a-z_]+)-error" role="alert">([^<]+)</p>', refused.text))
    assert errors, refused.text
    for name in errors:
        assert f'aria-describedby="{name}-error"' in refused.text or f' {name}-error"' in refused.text
    assert refused.text.count('aria-invalid="true"') >= 1
    fresh = await client.get("/diaries/new")
    assert 'aria-invalid' not in fresh.text
