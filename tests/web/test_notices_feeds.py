"""Official notices reach every resident; Atom 1.0 feeds are well formed and carry only public text."""

from __future__ import annotations

from lxml import etree

ATOM = "{http://www.w3.org/2005/Atom}"


def parse_atom(response):
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = etree.fromstring(response.content, etree.XMLParser(resolve_entities=False, no_network=True))
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None, required
    entries = root.findall(f"{ATOM}entry")
    for entry in entries:
        for required in ("id", "title", "updated", "author", "link", "content"):
            assert entry.find(f"{ATOM}{required}") is not None, required
        assert entry.find(f"{ATOM}id").text.startswith("http://test.example/")
    return {e.find(f"{ATOM}title").text: e for e in entries}


async def test_staff_notice_reaches_every_residents_page_and_feed(site):
    await site.user("cityclerk", role="staff", display_name="Minato City Office")
    await site.user("resident_a")
    await site.user("resident_b")
    clerk = site.client()
    await clerk.login("cityclerk")
    posted = await clerk.submit("/notices/new", {"title": "Bulky waste day moved",
                                                 "body": "Collection moves to **Saturday** this month."})
    assert posted.status_code == 303
    notice_url = posted.headers["location"]

    for name in ("resident_a", "resident_b"):
        client = site.client()
        await client.login(name)
        home = await client.get("/home")
        assert "Bulky waste day moved" in home.text
    front = await site.client().get("/")
    assert "Bulky waste day moved" in front.text
    page = await site.client().get(notice_url)
    assert "<strong>Saturday</strong>" in page.text

    feed = parse_atom(await site.client().get("/feeds/notices.atom"))
    assert "Bulky waste day moved" in feed
    assert "Minato City Office" in etree.tostring(feed["Bulky waste day moved"]).decode()

    deleted = await clerk.submit(f"{notice_url}/delete")
    assert deleted.status_code == 303
    assert "Bulky waste day moved" not in (await site.client().get("/")).text
    assert "Bulky waste day moved" not in parse_atom(await site.client().get("/feeds/notices.atom"))


async def test_residents_cannot_post_notices(site):
    await site.user("ordinary")
    client = site.client()
    await client.login("ordinary")
    assert (await client.get("/notices/new")).status_code == 403
    refused = await client.submit("/notices/new", {"title": "Fake notice", "body": "From the city, honest."})
    assert refused.status_code == 403
    assert "Fake notice" not in (await client.get("/notices")).text


async def test_diary_feeds_are_valid_atom_with_public_entries_only(site):
    await site.user("writer", display_name="Writer <Wit> & Co")
    client = site.client()
    await client.login("writer")
    for title, visibility in (("Open letter", "public"), ("Neighbours only", "members"),
                              ("Close friends", "friends"), ("Dear diary", "private")):
        await client.submit("/diaries/new", {"title": title, "body": f"Text of {title} <b>bold</b>",
                                             "visibility": visibility})
    town = parse_atom(await site.client().get("/feeds/diaries.atom"))
    mine = parse_atom(await site.client().get("/feeds/people/writer.atom"))
    for feed in (town, mine):
        assert "Open letter" in feed
        assert not {"Neighbours only", "Close friends", "Dear diary"} & set(feed)
    content = mine["Open letter"].find(f"{ATOM}content").text
    assert "<b>" not in content and "&lt;b&gt;" in content  # raw HTML in the text is shown, not obeyed
    assert (await site.client().get("/feeds/people/nobody-here.atom")).status_code == 404
