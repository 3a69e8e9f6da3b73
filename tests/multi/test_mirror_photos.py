"""Photos between two real cities: `sns serve` as a.test and as b.test on loopback ports, peered with
`sns mirror add`, b.test pulling a.test by its background job (docs/mirroring.md, "Photos").

A resident of a.test posts a public diary with a phone photo (GPS in its EXIF) and a friends-only one
with a photo. b.test ends up holding the public JPEG byte for byte as a.test stored it (no EXIF) and
shows it at /mirror/a.test/photos/<id>, while it holds the private one only as a sealed blob it cannot
read, and shows nothing of it. When the public diary is made friends-only, b.test deletes the JPEG.
"""

from __future__ import annotations

import io
import re
import time

import httpx
import pytest
from PIL import Image, UnidentifiedImageError

from browser.live import PASSWORD, POSTGRES_HALF, LiveServer, migrated_database
from fixtures import jpeg_with_gps
from sns.media import photo_path

pytestmark = [pytest.mark.slow, POSTGRES_HALF]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PHOTO = re.compile(r'/photos/([0-9a-f-]{36})\.jpg')


def _city(root, name: str) -> LiveServer:
    city = LiveServer(root / name, migrated_database(root / name))
    city.extra_env = {"SNS_ORIGIN": f"{name}.test"}
    city.sns("init")
    return city


@pytest.fixture(scope="module")
def cities(tmp_path_factory):
    root = tmp_path_factory.mktemp("two-cities")
    a, b = _city(root, "a"), _city(root, "b")
    a.sns("mirror", "backup-key", "--out", str(root / "a-backup.key"))
    a.create_user("hanako")
    try:
        a.start()
        b.start()
        a.sns("mirror", "add", b.url, "--fingerprint", b.sns("mirror", "fingerprint").split()[0])
        b.sns("mirror", "add", a.url, "--fingerprint", a.sns("mirror", "fingerprint").split()[0])
        yield a, b
    finally:
        a.stop()
        b.stop()


def _form(http: httpx.Client, path: str, data: dict, files=None) -> httpx.Response:
    token = CSRF.search(http.get(path).text).group(1)
    return http.post(path, data={**data, "csrf_token": token}, files=files)


def _diary(http: httpx.Client, title: str, visibility: str, photo: bytes) -> tuple[str, str]:
    answer = _form(http, "/diaries/new", {"title": title, "body": "Written on a phone.", "visibility": visibility},
                   files={"photos": ("photo.jpg", photo, "image/jpeg")})
    assert answer.status_code == 303, answer.text[:2000]
    path = answer.headers["location"]
    return path, PHOTO.search(http.get(path).text).group(1)


def _until(check, what: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s: {what}")


def _jpeg(data: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.format == "JPEG"
    except UnidentifiedImageError:
        return False


def test_photos_travel_open_or_sealed_and_leave_when_made_private(cities):
    a, b = cities
    with httpx.Client(base_url=a.url, trust_env=False, timeout=20) as http:
        assert _form(http, "/login", {"username": "hanako", "password": PASSWORD}).status_code == 303
        public_diary, public = _diary(http, "Lanterns on the river", "public", jpeg_with_gps("orange"))
        _, private = _diary(http, "Our kitchen", "friends", jpeg_with_gps("blue"))

        # (docs/mirroring.md, "Where replicas live": in the media directory on PostgreSQL)
        mirror = b.data_dir / "media" / "mirror" / "a.test" if b.database_url else b.data_dir / "mirror" / "a.test" / "media"
        held = photo_path(mirror, public)
        sealed = photo_path(mirror, private).with_suffix(".sealed")
        _until(lambda: held.exists() and photo_path(mirror, public, True).exists() and sealed.exists(),
               "b.test holds a.test's photos")
        stored = photo_path(a.data_dir / "media", public).read_bytes()
        assert held.read_bytes() == stored
        with Image.open(io.BytesIO(held.read_bytes())) as img:
            assert not img.getexif()
        assert not photo_path(mirror, private).exists() and not _jpeg(sealed.read_bytes())

        with httpx.Client(base_url=b.url, trust_env=False, timeout=10) as visitor:
            shown = visitor.get(f"/mirror/a.test/photos/{public}")
            assert shown.status_code == 200 and shown.content == stored
            assert shown.headers["cache-control"] == "private, max-age=300"
            assert visitor.get(f"/mirror/a.test/photos/{public}/thumb").status_code == 200
            assert visitor.get(f"/mirror/a.test/photos/{private}").status_code == 404
            assert visitor.get(f"/mirror/a.test/photos/{private}/thumb").status_code == 404
        b.extra_env["COLUMNS"] = "240"  # one line per row of the status table
        status = b.sns("mirror", "status")
        row = next(line for line in status.splitlines() if "a.test" in line)
        heading = next(line for line in status.splitlines() if "photos missing" in line)
        assert row.split("│")[heading.split("┃").index(" photos missing ")].strip() == "0", status

        answer = _form(http, public_diary + "/edit", {"title": "Lanterns on the river",
                                                      "body": "Written on a phone.", "visibility": "friends"})
        assert answer.status_code == 303, answer.text[:2000]
        _until(lambda: not held.exists() and not photo_path(mirror, public, True).exists(),
               "b.test deleted the photo of a diary made friends-only")
        with httpx.Client(base_url=b.url, trust_env=False, timeout=10) as visitor:
            assert visitor.get(f"/mirror/a.test/photos/{public}").status_code == 404
        _until(lambda: photo_path(mirror, public).with_suffix(".sealed").exists(),
               "b.test keeps it sealed, for a restore")
