"""`sns init` makes the Web Push (VAPID) key pair: a P-256 key in the keys directory, private (0600), never
replaced by a later `sns init`; its public half is what browsers subscribe with."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from sns.keys import vapid_public_key
from test_cli import run


def test_init_makes_a_vapid_key_once(tmp_path):
    assert run(tmp_path, "init", "--origin", "cli.test").returncode == 0
    path = tmp_path / "keys" / "vapid.p256"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1"
    public = base64.urlsafe_b64decode(vapid_public_key(tmp_path / "keys") + "=")
    assert len(public) == 65 and public[0] == 4  # the uncompressed point a browser's PushManager takes
    before = path.read_bytes()
    assert run(tmp_path, "init", "--origin", "cli.test").returncode == 0
    assert path.read_bytes() == before  # never replaced: browsers subscribed with its public half
