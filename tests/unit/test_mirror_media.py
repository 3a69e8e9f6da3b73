"""Photos travel with mirroring (docs/mirroring.md, "Photos"), in one process.

The site here plays both parts in turn: the origin serving its photos to a neighbour `b.test`, and the
neighbour of a city `a.test` (a fake peer answering through httpx's MockTransport with this site's own
content), which lets a test hand it a tampered file. tests/multi/test_mirror_photos.py does the same
between two real `sns serve` processes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import time
from types import SimpleNamespace

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from PIL import Image, UnidentifiedImageError

from fixtures import jpeg_with_gps
from sns.keys import load_signing_key
from sns.media import photo_path
from sns.mirror import media_fetch, media_files, media_store, replicas, seal, serve, signing, sql
from sns.mirror.travel import Openness
from sns.models import MirrorLog, Peer, Photo
from sns.services import diaries

NEIGHBOUR, CITY = "b.test", "a.test"


def _key_b64(key: Ed25519PrivateKey) -> str:
    return signing.b64(signing.public_raw(key))


async def _peer(origin: str, key: Ed25519PrivateKey) -> Peer:
    public = signing.public_raw(key)
    return await Peer.create(origin=origin, url=f"http://{origin}", fingerprint=signing.fingerprint_of(public),
                             public_key=signing.b64(public))


@pytest.fixture(scope="module")
async def world(site):
    backup = seal.read_private(seal.create_backup_key(site.settings.keys_dir))
    hanako = await site.user("hanako")
    ctx = await site.ctx_for(hanako)
    public = await diaries.write_diary(ctx, title="Lantern festival", body="By the river", visibility="public",
                                       photos=[jpeg_with_gps("orange")])
    private = await diaries.write_diary(ctx, title="At home", body="Family", visibility="friends",
                                        photos=[jpeg_with_gps("blue")])
    b_key, a_key = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    return SimpleNamespace(
        backup=backup, ctx=ctx, public_diary=public, b_key=b_key, a_key=a_key,
        b=await _peer(NEIGHBOUR, b_key), a=await _peer(CITY, a_key),
        public=(await Photo.get(diary_id=public.id)).id, private=(await Photo.get(diary_id=private.id)).id)


def _file(site, photo_id: str, thumb: bool = False) -> bytes:
    return photo_path(site.settings.media_dir, photo_id, thumb).read_bytes()


async def _signed_get(site, key, peer: str, target: str) -> httpx.Response:
    headers = signing.sign_request(key, method="GET", target=target, peer=peer, server=site.settings.origin)
    async with site.client() as client:
        return await client.get(target, headers=headers)


def _is_jpeg(data: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.format == "JPEG"
    except UnidentifiedImageError:
        return False


# --- the origin: what a neighbour is given ------------------------------------------------------------

async def test_batch_names_each_photo_file_by_its_digest(site, world):
    answer = await _signed_get(site, world.b_key, NEIGHBOUR, f"/mirror/v1/journal/{site.settings.origin}?after=0")
    assert answer.status_code == 200
    entries = {e["record_id"]: e for e in json.loads(answer.content)["entries"]}
    shown = entries[world.public]["media"]
    assert shown == {"sha256": hashlib.sha256(_file(site, world.public)).hexdigest(),
                     "thumb_sha256": hashlib.sha256(_file(site, world.public, True)).hexdigest(),
                     "bytes": len(_file(site, world.public)), "thumb_bytes": len(_file(site, world.public, True))}
    hidden = entries[world.private]
    assert "payload" not in hidden and hidden["media"] == {"sealed": True}  # no digest of a private photo


async def test_open_photo_is_served_as_the_stored_jpeg_signed(site, world):
    for thumb in (0, 1):
        answer = await _signed_get(site, world.b_key, NEIGHBOUR, f"/mirror/v1/media/{world.public}?thumb={thumb}")
        assert answer.status_code == 200 and answer.headers["x-sns-media"] == "open"
        assert answer.content == _file(site, world.public, bool(thumb))
        assert signing.verify(signing.public_raw(load_signing_key(site.settings.keys_dir)),
                              answer.headers["x-sns-signature"], answer.content)
        with Image.open(io.BytesIO(answer.content)) as img:
            assert not img.getexif()  # the GPS position the phone wrote is not in what travels


async def test_private_photo_travels_only_sealed_to_the_backup_key(site, world):
    answer = await _signed_get(site, world.b_key, NEIGHBOUR, f"/mirror/v1/media/{world.private}?thumb=0")
    assert answer.status_code == 200 and answer.headers["x-sns-media"] == "sealed"
    assert not _is_jpeg(answer.content) and _file(site, world.private)[:64] not in answer.content
    assert media_files.open_sealed_photo(world.backup, world.private, False, answer.content) \
        == _file(site, world.private)
    with pytest.raises(seal.BadBackupKey):  # the box says which file it is: no swapping thumbnails in
        media_files.open_sealed_photo(world.backup, world.private, True, answer.content)


@pytest.mark.parametrize("target", ["/mirror/v1/media/{public}?thumb=2", "/mirror/v1/media/nothing-here",
                                    "/mirror/v1/media/not.an.id", "/mirror/v1/replica-media/{public}"])
async def test_anything_else_is_not_found(site, world, target):
    answer = await _signed_get(site, world.b_key, NEIGHBOUR, target.format(public=world.public))
    assert answer.status_code == 404 and answer.content == b""


async def test_unsigned_or_foreign_requests_get_nothing(site, world):
    async with site.client() as client:
        assert (await client.get(f"/mirror/v1/media/{world.public}")).status_code == 403
    stranger = Ed25519PrivateKey.generate()
    answer = await _signed_get(site, stranger, NEIGHBOUR, f"/mirror/v1/media/{world.public}?thumb=0")
    assert answer.status_code == 403 and answer.content != _file(site, world.public)


# --- the neighbour: fetching, checking, keeping, showing ------------------------------------------------

class FakeCity:
    """`a.test` as the neighbour sees it: this site's photos, signed with a.test's key; can lie."""

    def __init__(self, site, world):
        self.site, self.world, self.tamper, self.asked, self.forge = site, world, set(), [], False

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        target = request.url.raw_path.decode()
        me = signing.public_raw(load_signing_key(self.site.settings.keys_dir))
        assert signing.verify_request(me, request.headers, method="GET", target=target, server=CITY,
                                      skew_seconds=60) is None
        photo_id, thumb = request.url.path.rsplit("/", 1)[1], request.url.params["thumb"] == "1"
        self.asked.append((photo_id, thumb))
        rows = await Photo.filter(id=photo_id, deleted_at=None).values()
        if not rows:
            return httpx.Response(404)
        data = _file(self.site, photo_id, thumb)
        form = "open" if await Openness().is_open("photo", rows[0]) else "sealed"
        if form == "sealed":
            data = media_files.seal_photo(bytes(self.world.backup.public_key), photo_id, thumb, data)
        elif (photo_id, thumb) in self.tamper:
            data = data[:-10] + b"0123456789"  # still signed: only the digest in the batch catches it
        signer = Ed25519PrivateKey.generate() if self.forge else self.world.a_key
        return httpx.Response(200, content=data, headers={"x-sns-media": form, "x-sns-signature":
                                                          signing.sign_body(signer, data)})


async def _store_batch(site) -> None:
    """What a pull of a.test would apply: this site's own entries after the replica's cursor."""
    conn = await replicas.open_replica(site.settings, CITY)
    after = await replicas.cursor(conn, CITY)
    entries = await serve._own_entries(site.settings, after, 1000, 10**9)
    await replicas.store_entries(conn, [dataclasses.replace(e, origin=CITY) for e in entries],
                                 on_store=site.app.state.site.on_store)


def _mirrored(site, photo_id: str, thumb: bool = False, sealed: bool = False):
    return media_files.mirror_path(site.settings, CITY, photo_id, thumb, sealed)


@pytest.fixture(scope="module")
async def fake(site, world):
    city = FakeCity(site, world)
    city.client = httpx.AsyncClient(transport=httpx.MockTransport(city))
    yield city
    await city.client.aclose()


async def test_tampered_forged_or_oversized_files_are_refused_and_tried_again_later(site, world, fake):
    await _store_batch(site)
    conn = await replicas.open_replica(site.settings, CITY)
    assert await media_store.missing_count(conn) == 4  # two files of each photo
    start = time.time()

    tiny = dataclasses.replace(site.settings, max_upload_bytes=1000)
    assert await media_fetch.fetch_wanted(tiny, world.a, client=fake.client, now=start) == 0
    assert await MirrorLog.filter(peer=CITY, what="too_large").count() == 4
    fake.forge = True
    assert await media_fetch.fetch_wanted(site.settings, world.a, client=fake.client, now=start + 60) == 0
    assert await MirrorLog.filter(peer=CITY, what="bad_signature").count() == 4
    fake.forge, fake.tamper = False, {(world.public, False)}
    assert await media_fetch.fetch_wanted(site.settings, world.a, client=fake.client, now=start + 600) == 3
    assert not _mirrored(site, world.public).exists()
    assert await MirrorLog.filter(peer=CITY, what="bad_media").count() == 1
    rows = await sql.query(conn, "SELECT tries, next_at FROM replica_media WHERE photo_id = ? AND thumb = 0",
                           [world.public])
    assert rows[0]["tries"] == 3 and rows[0]["next_at"] > start + 600
    fake.asked.clear()
    assert await media_fetch.fetch_wanted(site.settings, world.a, client=fake.client, now=start + 600) == 0
    assert fake.asked == []  # backing off: not asked again at once
    fake.tamper = set()
    assert await media_fetch.fetch_wanted(site.settings, world.a, client=fake.client, now=start + 7200) == 1
    assert _mirrored(site, world.public).read_bytes() == _file(site, world.public)
    assert await media_store.missing_count(conn) == 0


async def test_private_photo_is_kept_only_sealed(site, world, fake):
    assert not _mirrored(site, world.private).exists()
    for thumb in (False, True):
        blob = _mirrored(site, world.private, thumb, sealed=True).read_bytes()
        assert not _is_jpeg(blob)
        assert media_files.open_sealed_photo(world.backup, world.private, thumb, blob) \
            == _file(site, world.private, thumb)


async def test_neighbour_shows_the_public_photo_only(site, world, fake):
    async with site.client() as client:
        full = await client.get(f"/mirror/{CITY}/photos/{world.public}")
        thumb = await client.get(f"/mirror/{CITY}/photos/{world.public}/thumb")
        hidden = await client.get(f"/mirror/{CITY}/photos/{world.private}")
        unknown = await client.get(f"/mirror/nowhere.test/photos/{world.public}")
    assert full.status_code == 200 and full.content == _file(site, world.public)
    assert full.headers["content-type"] == "image/jpeg" and full.headers["cache-control"] == "private, max-age=300"
    assert full.headers["x-content-type-options"] == "nosniff"
    assert thumb.status_code == 200 and thumb.content == _file(site, world.public, True)
    assert hidden.status_code == 404 and unknown.status_code == 404
    assert not await replicas.exists(site.settings, "nowhere.test")  # no replica made by a URL


async def test_restore_fetches_own_photos_back_from_the_neighbour(site, world, fake, tmp_path):
    # a.test, destroyed, asks us (its neighbour) for what we hold of it.
    restoring = dataclasses.replace(site.settings, origin=CITY, data_dir=tmp_path)
    async with site.client() as client:
        done = await media_fetch.fetch_own_media(
            restoring, "http://test.example", site.settings.origin,
            signing.b64(signing.public_raw(load_signing_key(site.settings.keys_dir))),
            [world.public, world.private], world.backup, signer=world.a_key, client=client)
    assert (done.restored, done.missing, done.failed) == (4, 0, [])
    for photo_id in (world.public, world.private):
        for thumb in (False, True):
            assert photo_path(restoring.media_dir, photo_id, thumb).read_bytes() == _file(site, photo_id, thumb)


async def test_replica_media_is_only_for_the_stream_owner(site, world, fake):
    target = f"/mirror/v1/replica-media/{world.public}?thumb=0"
    mine = await _signed_get(site, world.a_key, CITY, target)
    assert mine.status_code == 200 and mine.headers["x-sns-media"] == "open"
    assert (await _signed_get(site, world.b_key, NEIGHBOUR, target)).status_code == 404


async def test_photo_whose_diary_becomes_friends_only_leaves_the_neighbour(site, world, fake):
    await diaries.edit_diary(world.ctx, world.public_diary.id, title="Lantern festival", body="By the river",
                             visibility="friends")
    await _store_batch(site)
    await media_fetch.fetch_wanted(site.settings, world.a, client=fake.client)
    assert not _mirrored(site, world.public).exists() and not _mirrored(site, world.public, True).exists()
    assert not _is_jpeg(_mirrored(site, world.public, sealed=True).read_bytes())  # kept for a restore only
    async with site.client() as client:
        assert (await client.get(f"/mirror/{CITY}/photos/{world.public}")).status_code == 404


async def test_a_rebuilt_replica_remembers_its_photo_files(site, world, fake):
    conn = await replicas.open_replica(site.settings, CITY)
    _, before = await conn.execute_query("SELECT * FROM replica_media ORDER BY photo_id, thumb")
    await conn.execute_query("UPDATE replica_meta SET value = 'older tables' WHERE key = 'schema'")
    await replicas.close_all()
    conn = await replicas.open_replica(site.settings, CITY)  # rebuilt from its own entries
    _, after = await conn.execute_query("SELECT * FROM replica_media ORDER BY photo_id, thumb")
    assert [dict(r) for r in after] == [dict(r) for r in before] and len(after) == 4
    assert await media_store.held(conn, world.private, 0) == "sealed"
