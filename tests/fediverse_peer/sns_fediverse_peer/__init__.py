"""A small fediverse server for the city's tests, built from bovine's parts (tests/fediverse_peer/README.md).

It runs in its own virtual environment, as a separate program: bovine needs cryptography<46, the city's
webauthn needs cryptography>=49. The tests talk to it over HTTP only.

- `peer.py`: one actor (its own RSA key, actor document, WebFinger, inbox) whose inbox checks every post's
  HTTP Signature with bovine's verifier and records it; a control API the test drives (follow, unfollow,
  read what arrived, send crafted posts).
- `crafted.py`: inbox posts a hostile or broken server would send (unsigned, badly signed, replayed, stale,
  over-large, tampered), signed with bovine's signer.
- `offline.py`: the JSON-LD contexts bovine would fetch from the internet, given locally.
- `verifier.py`: fediverse-pasture's actor verifier, served on a loopback port and asked about one actor.
"""
