"""Each local actor's RSA key pair (2048 bits, RSASSA-PKCS1-v1_5 with SHA-256: what Mastodon and most of the
fediverse check in draft-cavage HTTP Signatures). Made the first time an actor is served or signs; two
processes racing both make one, the first stored wins and both use it."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from tortoise.exceptions import IntegrityError

from sns.models import ActorKey


def _new_pair() -> tuple[str, str]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()).decode()
    public_pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private_pem, public_pem


async def key_of(actor: str) -> ActorKey:
    """The actor's key pair ("city" or a user id), made now if it has none."""
    found = await ActorKey.get_or_none(actor=actor)
    if found is not None:
        return found
    private_pem, public_pem = _new_pair()
    try:
        return await ActorKey.create(actor=actor, private_pem=private_pem, public_pem=public_pem)
    except IntegrityError:  # another process made it first
        return await ActorKey.get(actor=actor)


def private_key(key: ActorKey) -> rsa.RSAPrivateKey:
    loaded = serialization.load_pem_private_key(key.private_pem.encode(), password=None)
    assert isinstance(loaded, rsa.RSAPrivateKey)
    return loaded
