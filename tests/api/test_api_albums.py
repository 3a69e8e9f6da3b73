"""Albums over the JSON API: make one, add photos (multipart), hide friends-only photos from strangers."""

import io

from PIL import Image


def jpeg(color="red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 90), color).save(out, "JPEG")
    return out.getvalue()


async def test_album_over_the_api(api):
    _, owner = await api.resident("apialbum")
    _, stranger = await api.resident("apistranger")
    r = await owner.post("/api/v1/albums", json={"title": "Garden", "visibility": "friends"})
    assert r.status_code == 201, r.text
    url = f"/api/v1/albums/{r.json()['id']}"
    r = await owner.post(url + "/photos", data={"caption": "Roses"},
                         files=[("photos", ("a.jpg", jpeg(), "image/jpeg")), ("photos", ("b.jpg", jpeg("blue"), "image/jpeg"))])
    assert r.status_code == 201, r.text
    photos = r.json()["items"]
    assert len(photos) == 2 and photos[0]["caption"] == "Roses"
    detail = (await owner.get(url)).json()
    assert detail["photo_count"] == 2 and detail["cover_url"] == photos[0]["thumbnail_url"]
    assert [p["id"] for p in detail["photos"]] == [p["id"] for p in photos]
    # a stranger and a visitor see nothing: the album, its photos, lists
    for who in (stranger, api.client()):
        assert (await who.get(url)).status_code == 404
        assert "Garden" not in (await who.get("/api/v1/albums")).text
        assert "Garden" not in (await who.get("/api/v1/albums?owner=apialbum")).text
        assert (await who.get(photos[0]["url"].replace("http://test.example", ""))).status_code == 404
        assert (await who.get(photos[0]["thumbnail_url"].replace("http://test.example", ""))).status_code == 404
    assert (await stranger.post(url + "/photos", files=[("photos", ("c.jpg", jpeg(), "image/jpeg"))])).status_code == 404
    assert (await stranger.delete(f"/api/v1/album-photos/{photos[0]['id']}")).status_code == 404
    # bad uploads
    assert (await owner.post(url + "/photos", json={"photos": []})).status_code == 415
    r = await owner.post(url + "/photos", files=[("photos", ("x.jpg", b"not a photo", "image/jpeg"))])
    assert r.status_code == 400 and r.json()["field"] == "photos"
    r = await owner.post(url + "/photos", data={"caption": "none"})
    assert r.status_code in (400, 415)
    # remove one photo, then the album
    assert (await owner.delete(f"/api/v1/album-photos/{photos[0]['id']}")).status_code == 204
    assert (await owner.get(url)).json()["photo_count"] == 1
    assert (await stranger.delete(url)).status_code == 404
    assert (await owner.delete(url)).status_code == 204
    assert (await owner.get(url)).status_code == 404
