"""What `sns restore` believes of a neighbour's answers: an instance box it can open is still refused unless
it is its own origin's and signed by the key the neighbour confirmed for it (anyone can seal to the public
backup key), and a sealed journal entry is used only when it matches the entry it came in."""

import json
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from nacl.public import PrivateKey

from sns.journal import Entry
from sns.mirror import restore, seal, signing

SETTINGS = SimpleNamespace(origin="a.test")


def _pem(key: Ed25519PrivateKey) -> str:
    raw = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return signing.b64(raw)


def _answer(backup: PrivateKey, instance: Ed25519PrivateKey, signer: Ed25519PrivateKey,
            confirmed: Ed25519PrivateKey, origin: str = "a.test") -> dict:
    box = {"format": 1, "origin": origin, "keys": {"instance.ed25519": _pem(instance)}}
    body = json.dumps({"from": origin, "sealed": seal.seal(bytes(backup.public_key), box)})
    return {"body": body, "signature": signing.sign_body(signer, body.encode()),
            "public_key": signing.b64(signing.public_raw(confirmed)), "backup_key": seal.public_of(backup)}


def test_the_genuine_box_opens_and_gives_the_instance_its_own_fingerprint():
    backup, key = PrivateKey.generate(), Ed25519PrivateKey.generate()
    box, fingerprint = restore._open_box(SETTINGS, _answer(backup, key, key, key), backup)
    assert box["origin"] == "a.test" and fingerprint == signing.fingerprint_of(signing.public_raw(key))


def test_boxes_that_are_not_the_origins_own_are_refused():
    backup, key, other = PrivateKey.generate(), Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    forged = _answer(backup, other, other, key)  # sealed to our public backup key, with a key of its own
    with pytest.raises(restore.RestoreRefused, match="not signed by the key"):
        restore._open_box(SETTINGS, forged, backup)
    with pytest.raises(restore.RestoreRefused, match="not a.test's"):
        restore._open_box(SETTINGS, _answer(backup, key, key, key, origin="b.test"), backup)
    wrong = PrivateKey.generate()
    unknown_to_neighbour = {**_answer(backup, key, key, key), "backup_key": ""}
    with pytest.raises(restore.RestoreRefused, match="does not open"):
        restore._open_box(SETTINGS, unknown_to_neighbour, wrong)
    with pytest.raises(restore.RestoreRefused, match="not the one a.test used"):
        restore._open_box(SETTINGS, _answer(backup, key, key, key), wrong)


def test_a_sealed_entry_is_used_only_when_it_matches_its_entry():
    backup = PrivateKey.generate()
    payload = {"id": "r1", "origin": "a.test", "version": 2, "title": "secret"}

    def entry(inner, **header):
        return Entry.from_wire({"seq": 5, "record_id": "r1", "sealed": seal.seal(bytes(backup.public_key), inner),
                                **header}, origin="a.test")

    good = entry({"kind": "diary", "version": 2, "payload": payload})
    assert restore._content(good, backup, "a.test") == ("diary", 2, payload, True)
    for bad in ({"kind": "diary", "version": 3, "payload": payload},
                {"kind": "diary", "version": 2, "payload": {**payload, "id": "r2"}},
                {"kind": "diary", "version": 2, "payload": {**payload, "origin": "b.test"}},
                {"kind": "no_such_kind", "version": 2, "payload": payload}):
        assert restore._content(entry(bad), backup, "a.test") is None
    assert restore._content(good, PrivateKey.generate(), "a.test") is None  # sealed to another key: lost
    open_too = entry({"kind": "user", "version": 1, "payload": {}}, kind="user", version=1,
                     payload={"id": "r1", "origin": "a.test", "version": 1})
    assert restore._content(open_too, PrivateKey.generate(), "a.test")[3] is False  # the open copy is kept
    assert restore._content(Entry.from_wire({"seq": 6, "record_id": "r1"}, origin="a.test"), backup, "a.test") is None
