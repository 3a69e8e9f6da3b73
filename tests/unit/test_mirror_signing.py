"""Keys, fingerprints and signatures of the mirroring protocol (sns/mirror/signing.py)."""

from __future__ import annotations

import hashlib
import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sns.mirror import signing

KEY, OTHER = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
PUBLIC = signing.public_raw(KEY)
TARGET = "/mirror/v1/journal/a.example?after=10&limit=1000"


def signed(**changes):
    args = dict(method="GET", target=TARGET, peer="b.example", server="a.example", at=1_000_000)
    args.update(changes)
    return signing.sign_request(KEY, **args)


def check(headers, *, now=1_000_000, target=TARGET, server="a.example", method="GET", public=PUBLIC):
    return signing.verify_request(public, headers, method=method, target=target, server=server,
                                  skew_seconds=300, now=now)


def test_fingerprint_is_sha256_of_the_raw_key_like_ssh():
    expected = "SHA256:" + base64.b64encode(hashlib.sha256(PUBLIC).digest()).decode().rstrip("=")
    assert signing.fingerprint_of(PUBLIC) == expected and len(PUBLIC) == 32
    assert signing.fingerprint_of(signing.public_raw(OTHER)) != expected


def test_fingerprints_compare_with_or_without_prefix_and_padding():
    fp = signing.fingerprint_of(PUBLIC)
    assert signing.same_fingerprint(fp, " " + fp.removeprefix("SHA256:") + "= ")
    assert not signing.same_fingerprint(fp, signing.fingerprint_of(signing.public_raw(OTHER)))
    assert not signing.same_fingerprint("", "SHA256:")


def test_a_signed_request_verifies():
    headers = signed()
    assert headers[signing.H_PEER] == "b.example" and headers[signing.H_NONCE]
    assert check(headers) is None


def test_every_signed_part_counts():
    headers = signed()
    assert check(headers, target=TARGET.replace("after=10", "after=0")) == "bad_signature"
    assert check(headers, server="c.example") == "bad_signature"
    assert check(headers, method="POST") == "bad_signature"
    assert check({**headers, signing.H_PEER: "c.example"}) == "bad_signature"
    assert check({**headers, signing.H_NONCE: signing.new_nonce()}) == "bad_signature"
    assert check({**headers, signing.H_TIME: "1000001"}) == "bad_signature"
    assert check(headers, public=signing.public_raw(OTHER)) == "bad_signature"
    assert check({**headers, signing.H_SIGNATURE: "not base64!"}) == "bad_signature"
    assert check({k: v for k, v in headers.items() if k != signing.H_SIGNATURE}) == "bad_signature"


def test_clock_skew():
    headers = signed()
    assert check(headers, now=1_000_000 + 300) is None and check(headers, now=1_000_000 - 300) is None
    assert check(headers, now=1_000_000 + 301) == "stale_request"
    assert check(headers, now=1_000_000 - 301) == "stale_request"
    assert check({**headers, signing.H_TIME: "soon"}) == "bad_time"


def test_the_exact_signed_request_text():
    """docs/mirroring.md quotes this text: keep them together."""
    headers = signed(nonce="N0NCE")
    text = b"sns-mirror-request/1\nGET\n" + TARGET.encode() + b"\nb.example\na.example\n1000000\nN0NCE"
    assert signing.verify(PUBLIC, headers[signing.H_SIGNATURE], text)


def test_body_signature_covers_the_exact_bytes():
    body = b'{"entries":[],"head":3}'
    signature = signing.sign_body(KEY, body)
    assert signing.verify(PUBLIC, signature, body)
    assert not signing.verify(PUBLIC, signature, body + b" ")
    assert not signing.verify(PUBLIC, signature, b'{"head":3,"entries":[]}')
    assert not signing.verify(signing.public_raw(OTHER), signature, body)
    assert not signing.verify(b"short", signature, body)
