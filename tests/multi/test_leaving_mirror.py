"""Leaving, between two real cities (docs/privacy.md, "Leaving"): `sns serve` as a.test and b.test, peered
with `sns mirror add`, b.test pulling a.test by its background job.

A resident of a.test with a public diary (with a photo) and a friends-only one leaves, keeping public posts;
a.test has no grace period here (SNS_ACCOUNT_DELETION_DAYS=0), so its job carries the deletion out at once.
b.test's replica converges: the tombstones of the friends-only diary, the photo and the account reach it (a
deleted record travels as a withdrawal, docs/mirroring.md: the replica drops its copy), the photo's files are
gone, and b.test's mirror pages of a.test show the public diary without the person's name, and nothing of
the rest.
"""

from __future__ import annotations

import re
import time

import httpx
import pytest

from browser.live import PASSWORD, POSTGRES_HALF, LiveServer, migrated_database
from fixtures import jpeg_with_gps
from multi.cities import replica_rows
from sns.media import photo_path

pytestmark = [pytest.mark.slow, POSTGRES_HALF]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PHOTO = re.compile(r'/photos/([0-9a-f-]{36})\.jpg')


def _city(root, name: str, **env: str) -> LiveServer:
    city = LiveServer(root / name, migrated_database(root / name))
    city.extra_env = {"SNS_ORIGIN": f"{name}.test", "SNS_MIRROR_PULL_SECONDS": "1", **env}
    city.sns("init")
    return city


@pytest.fixture(scope="module")
def cities(tmp_path_factory):
    root = tmp_path_factory.mktemp("leaving-cities")
    a, b = _city(root, "a", SNS_ACCOUNT_DELETION_DAYS="0"), _city(root, "b")
    a.sns("mirror", "backup-key", "--out", str(root / "a-backup.key"))
    a.create_user("sachiko")
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


def _diary(http: httpx.Client, title: str, visibility: str, photo: bytes | None = None) -> str:
    files = {"photos": ("photo.jpg", photo, "image/jpeg")} if photo else None
    answer = _form(http, "/diaries/new", {"title": title, "body": f"{title}, written on a phone.",
                                          "visibility": visibility}, files=files)
    assert answer.status_code == 303, answer.text[:2000]
    return answer.headers["location"].rsplit("/", 1)[1]


def _until(check, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    raise AssertionError(f"not within {seconds} s: {what}")


def _held(b: LiveServer, table: str, record_id: str) -> bool:
    """b.test's replica holds the record openly (not deleted)."""
    return bool(replica_rows(b, "a.test", f"SELECT id FROM {table} WHERE id = ? AND deleted_at IS NULL", record_id))


def _entries(b: LiveServer, record_id: str) -> int:
    """How many entries of the record b.test's replica holds (a withdrawn one names only the record)."""
    rows = replica_rows(b, "a.test", "SELECT COUNT(*) FROM journal WHERE record_id = ?", record_id)
    return rows[0][0] if rows else 0


def _naming(b: LiveServer, word: str) -> int:
    """Entries of b.test's copy of a.test's journal whose payload holds `word`."""
    rows = replica_rows(b, "a.test", "SELECT COUNT(*) FROM journal WHERE LOWER(CAST(payload AS TEXT)) LIKE ?",
                        f"%{word}%")
    return rows[0][0] if rows else 0


def test_a_deletion_travels_to_the_neighbour_as_tombstones(cities):
    a, b = cities
    with httpx.Client(base_url=a.url, trust_env=False, timeout=20) as http:
        assert _form(http, "/login", {"username": "sachiko", "password": PASSWORD}).status_code == 303
        public = _diary(http, "Cherry blossoms by the castle", "public", jpeg_with_gps("pink"))
        private = _diary(http, "Family dinner plans", "friends")
        photo = PHOTO.search(http.get(f"/diaries/{public}").text).group(1)

        mirror = b.data_dir / "media" / "mirror" / "a.test" if b.database_url else b.data_dir / "mirror" / "a.test" / "media"
        held = photo_path(mirror, photo)
        _until(lambda: held.exists() and _held(b, "diaries", public) and _entries(b, private) >= 1,
               "b.test holds a.test's public diary and its photo, and knows of the friends-only one")
        assert not _held(b, "diaries", private)  # it travelled sealed
        user_id = replica_rows(b, "a.test", "SELECT id FROM users WHERE username = ?", "sachiko")[0][0]
        before = {record: _entries(b, record) for record in (user_id, private, photo)}
        assert _naming(b, "sachiko") > 0
        with httpx.Client(base_url=b.url, trust_env=False, timeout=10) as visitor:
            page = visitor.get(f"/mirror/a.test/diaries/{public}")
            assert page.status_code == 200 and "Cherry blossoms" in page.text

        asked = _form(http, "/settings/delete", {"keep": "keep", "password": PASSWORD})
        assert asked.status_code == 303, asked.text[:2000]

    _until(lambda: all(_entries(b, record) > n for record, n in before.items()),
           "the tombstones of the account, the friends-only diary and the photo reached b.test", 90)
    assert not _held(b, "users", user_id) and not _held(b, "photos", photo) and not _held(b, "diaries", private)
    assert _held(b, "diaries", public)  # kept, as chosen
    assert not replica_rows(b, "a.test", "SELECT id FROM users WHERE username = ?", "sachiko")
    # nor does b.test's copy of a.test's journal still hold the account's name in an earlier entry
    assert _naming(b, "sachiko") == 0
    _until(lambda: not held.exists() and not photo_path(mirror, photo, True).exists(), "b.test deleted the files")
    with httpx.Client(base_url=b.url, trust_env=False, timeout=10) as visitor:
        page = visitor.get(f"/mirror/a.test/diaries/{public}")
        assert page.status_code == 200 and "a former resident" in page.text and "sachiko" not in page.text
        assert visitor.get(f"/mirror/a.test/diaries/{private}").status_code == 404
        assert visitor.get(f"/mirror/a.test/photos/{photo}").status_code == 404
        listing = visitor.get("/mirror/a.test/diaries").text
        assert "Family dinner" not in listing
    with httpx.Client(base_url=a.url, trust_env=False, timeout=10) as http:
        assert http.get(f"/diaries/{private}").status_code == 404
        assert not photo_path(a.data_dir / "media", photo).exists()
