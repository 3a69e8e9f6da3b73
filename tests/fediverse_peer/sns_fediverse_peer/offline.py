"""No fetches beyond this machine: bovine's JSON-LD loader fetches the contexts that actor documents name
(w3id.org, w3.org) from the internet. The tests run without one, so the contexts are given here: the terms of
the W3C security vocabulary that actor documents use (publicKey, publicKeyPem, owner: as
https://w3id.org/security/v1 defines them) and nothing for the DID and Multikey contexts, which the city's
actors do not use. Kept in bovine's in-memory cache only (never in its cache file)."""

from __future__ import annotations

from bovine.jsonld import jsonld_cache

SECURITY_V1 = {
    "id": "@id", "type": "@type",
    "sec": "https://w3id.org/security#",
    "publicKey": {"@id": "sec:publicKey", "@type": "@id"},
    "publicKeyPem": "sec:publicKeyPem",
    "owner": {"@id": "sec:owner", "@type": "@id"},
}
CONTEXTS = {
    "https://w3id.org/security/v1": SECURITY_V1,
    "https://www.w3.org/ns/did/v1": [],
    "https://w3id.org/security/multikey/v1": [],
}


def use_local_contexts() -> None:
    jsonld_cache.cache.update(CONTEXTS)
