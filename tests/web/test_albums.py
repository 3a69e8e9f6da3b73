"""Residents make albums; visibility decides who sees them and their photos, everywhere."""

import io

from PIL import Image

from fixtures import jpeg_with_gps
from sns.models import Album, Photo


def jpeg(color="blue") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), color).save(out, "JPEG")
    return out.getvalue()


async def make_album(client, **over) -> str:
    form = {"title": "Autumn leaves", "description": "From the shrine", "visibility": "friends"}
    form.update(over)
    r = await client.submit("/albums/new", form)
    assert r.status_code == 303, r.text
    return r.headers["location"]


async def test_friends_only_album_and_its_photos(site):
    ana = await site.user("ana")
    ben = await site.user("ben")
    await site.user("cyd")
    a, b, c, anon = site.client(), site.client(), site.client(), site.client()
    for client, name in ((a, "ana"), (b, "ben"), (c, "cyd")):
        await client.login(name)
    await a.submit("/friends/request", {"user_id": ben.id})
    await b.submit("/friends/accept", {"user_id": ana.id})
    url = await make_album(a)
    files = [("photos", ("1.jpg", jpeg_with_gps(), "image/jpeg")), ("photos", ("2.jpg", jpeg("red"), "image/jpeg")),
             ("photos", ("3.jpg", jpeg("green"), "image/jpeg"))]
    r = await a.submit(url + "/photos", {"caption": "Maple"}, files=files)
    assert r.status_code == 303, r.text
    album = await Album.get(id=url.rsplit("/", 1)[1])
    photos = await Photo.filter(album_id=album.id).order_by("position")
    assert album.photo_count == 3 and album.cover_id == photos[0].id and photos[0].caption == "Maple"
    page = await b.get(url)
    assert page.status_code == 200 and "Autumn leaves" in page.text
    assert f"/photos/{photos[1].id}.thumb.jpg" in page.text
    full = await b.get(f"/photos/{photos[0].id}.jpg")
    assert full.status_code == 200 and b"SpyCam" not in full.content
    assert Image.open(io.BytesIO(full.content)).getexif().get(0x8825) is None
    assert (await b.get(f"/photos/{photos[0].id}.thumb.jpg")).status_code == 200
    for who in (c, anon):
        assert (await who.get(url)).status_code == 404
        assert (await who.get(f"/photos/{photos[0].id}.jpg")).status_code == 404
        assert (await who.get(f"/photos/{photos[0].id}.thumb.jpg")).status_code == 404
        assert "Autumn leaves" not in (await who.get("/albums")).text
        assert "Autumn leaves" not in (await who.get("/people/ana/albums")).text
    assert "Autumn leaves" in (await b.get("/albums")).text
    # a stranger cannot add to it, change captions or remove photos
    assert (await c.submit(url + "/photos", {}, files=[("photos", ("x.jpg", jpeg(), "image/jpeg"))])).status_code == 404
    assert (await c.submit(f"/albums/photos/{photos[0].id}", {"caption": "mine now"})).status_code == 404
    assert (await c.submit(f"/albums/photos/{photos[0].id}/delete")).status_code == 404
    # the friend sees it but may not change it
    assert (await b.submit(f"/albums/photos/{photos[0].id}/delete")).status_code == 403
    # the owner captions, picks a cover, removes a photo
    r = await a.submit(f"/albums/photos/{photos[1].id}", {"caption": "Ginkgo", "cover": "1"})
    assert r.status_code == 303
    assert (await Album.get(id=album.id)).cover_id == photos[1].id
    await a.submit(f"/albums/photos/{photos[1].id}/delete")
    album = await Album.get(id=album.id)
    assert album.photo_count == 2 and album.cover_id != photos[1].id
    assert (await b.get(f"/photos/{photos[1].id}.jpg")).status_code == 404


async def test_album_forms_refuse_bad_input(site):
    await site.user("dee")
    d = site.client()
    await d.login("dee")
    r = await d.submit("/albums/new", {"title": "t" * 10_000, "description": "kept words", "visibility": "public"})
    assert r.status_code == 400 and "too long" in r.text and "kept words" in r.text
    r = await d.submit("/albums/new", {"title": "Fine", "description": "kept words", "visibility": "nobody"})
    assert r.status_code == 400 and "Choose who can see this" in r.text
    url = await make_album(d, visibility="public")
    r = await d.submit(url + "/photos", {"caption": "c"}, files=[("photos", ("x.jpg", b"not an image", "image/jpeg"))])
    assert r.status_code == 400 and "kept" not in r.text
    r = await d.submit(url + "/edit", {"title": "Fine", "visibility": "public", "cover": "nope"})
    assert r.status_code == 400 and "cover" in r.text
    assert (await d.get("/albums/" + "x" * 5000)).status_code == 404
    # edit and delete
    r = await d.submit(url + "/edit", {"title": "Renamed", "description": "", "visibility": "private"})
    assert r.status_code == 303
    assert (await site.client().get(url)).status_code == 404
    assert (await d.submit(url + "/delete")).status_code == 303
    assert (await d.get(url)).status_code == 404


async def test_an_abusive_caption_is_refused_with_the_words_named_and_nothing_saved(site):
    """A caption has no waiting state: in hold mode (the default) it is refused, never published as written."""
    await site.user("capper")
    client = site.client()
    await client.login("capper")
    url = await make_album(client, visibility="public")
    album = await Album.get(id=url.rsplit("/", 1)[1])
    files = [("photos", ("1.jpg", jpeg(), "image/jpeg"))]
    refused = await client.submit(url + "/photos", {"caption": "what a fucking mess"}, files=files)
    assert refused.status_code == 400 and "fucking" in refused.text and "word filter" in refused.text
    assert await Photo.filter(album_id=album.id).count() == 0
    assert (await client.submit(url + "/photos", {"caption": "Maple"}, files=files)).status_code == 303
    photo = await Photo.get(album_id=album.id)
    refused = await client.submit(f"/albums/photos/{photo.id}", {"caption": "fucking idiots"}, follow=True)
    assert "word filter" in refused.text  # said on the page it comes back to
    assert (await Photo.get(id=photo.id)).caption == "Maple"
