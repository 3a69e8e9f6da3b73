"""Every check a pulled batch must pass (sns/mirror/pull.py `fetch_batch`), one reason each: the answer
is refused with that word and nothing of it is returned to apply."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sns.mirror import pull, signing
from sns.mirror.pull import Refused, Unreachable
from sns.settings import load_settings

US, THEM = "b.example", "a.example"
THEIR_KEY, STRANGER_KEY, OUR_KEY = (Ed25519PrivateKey.generate() for _ in range(3))
T = "2026-12-01T00:00:00+00:00"


def settings(tmp: Path, **more):
    return load_settings(tmp, database_url="", origin=US, public_url="http://b.example", **more)


def notice(seq: int, **more) -> dict:
    payload = {"id": f"n{seq}", "origin": THEM, "version": 1, "title": "t", **more.pop("payload", {})}
    return {"seq": seq, "recorded_at": T, "kind": "notice", "record_id": payload["id"], "version": 1,
            "payload": payload, **more}


def answer_with(make, *, key=THEIR_KEY, status=200, headers=None, raw: bytes | None = None):
    """A peer whose answer is `make(request's nonce, after)` (a dict, signed with `key`)."""

    def handler(request: httpx.Request) -> httpx.Response:
        nonce = request.headers[signing.H_NONCE]
        after = int(request.url.params["after"])
        body = raw if raw is not None else json.dumps(make(nonce, after)).encode()
        sent = {signing.H_SIGNATURE: signing.sign_body(key, body), **(headers or {})}
        return httpx.Response(status, content=body, headers=sent)

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def batch(entries=None, **changes):
    def make(nonce, after):
        return {"protocol": 1, "from": THEM, "to": US, "stream": THEM, "after": after, "nonce": nonce,
                "issued_at": 0, "head": after + len(entries or []), "entries": entries or [], **changes}
    return make


async def fetch(tmp_path, client, *, after=0, limit=10, **more):
    return await pull.fetch_batch(settings(tmp_path, **more), url="http://a.example", peer_origin=THEM,
                                  public_key=signing.b64(signing.public_raw(THEIR_KEY)), stream=THEM, after=after,
                                  limit=limit, signer=OUR_KEY, client=client)


async def test_a_good_batch_is_accepted(tmp_path):
    got = await fetch(tmp_path, answer_with(batch([notice(6), notice(7)])), after=5)
    assert got.after == 5 and got.head == 7 and [e.seq for e in got.entries] == [6, 7]


def entries_case(entries):
    return answer_with(batch(entries))


CASES = {
    "bad_signature: forged": lambda: answer_with(batch([notice(1)]), headers={signing.H_SIGNATURE: signing.b64(
        b"\0" * 64)}),
    "bad_signature: another key": lambda: answer_with(batch([notice(1)]), key=STRANGER_KEY),
    "bad_batch: not JSON": lambda: answer_with(None, raw=b"<html>hello</html>"),
    "bad_batch: another protocol": lambda: answer_with(batch(protocol=2)),
    "bad_batch: no head": lambda: answer_with(batch(head=None)),
    "bad_batch: head behind": lambda: answer_with(batch(head=-1)),
    "bad_batch: more than asked": lambda: entries_case([notice(n) for n in range(1, 12)]),
    "misaddressed: for someone else": lambda: answer_with(batch(to="c.example")),
    "misaddressed: from someone else": lambda: answer_with(batch(**{"from": "c.example"})),
    "misaddressed: another stream": lambda: answer_with(batch(stream="c.example")),
    "replay: another request's nonce": lambda: answer_with(batch(nonce="an-earlier-nonce")),
    "out_of_order: starts elsewhere": lambda: answer_with(batch(after=3)),
    "out_of_order: a gap": lambda: entries_case([notice(1), notice(3)]),
    "out_of_order: twice the same": lambda: entries_case([notice(1), notice(1)]),
    "out_of_order: backwards": lambda: entries_case([notice(2), notice(1)]),
    "bad_entry: no record id": lambda: entries_case([{"seq": 1, "recorded_at": T}]),
    "bad_entry: sealed box not text": lambda: entries_case([{"seq": 1, "record_id": "x", "sealed": {"a": 1}}]),
    "bad_entry: unknown kind": lambda: entries_case([notice(1, kind="spell")]),
    "bad_entry: payload of another record": lambda: entries_case([notice(1, record_id="other")]),
    "bad_entry: payload of another version": lambda: entries_case([notice(1, version=2)]),
    "foreign_record: a record of another origin": lambda: entries_case([notice(1, payload={"origin": "c.example"})]),
    "refused_by_peer: 403": lambda: answer_with(batch(), status=403),
    "too_large: announced": lambda: answer_with(None, raw=b"x" * 2000),
}


@pytest.mark.parametrize("case", sorted(CASES))
async def test_refused(tmp_path, case):
    what = case.split(":")[0]
    with pytest.raises(Refused) as refused:
        await fetch(tmp_path, CASES[case](), mirror_max_batch_bytes=1000 if what == "too_large" else 16 << 20)
    assert refused.value.what == what


async def test_a_streamed_body_is_cut_at_the_limit_without_reading_it_all(tmp_path):
    sent = 0

    async def endless():
        nonlocal sent
        while True:
            sent += 65536
            yield b" " * 65536

    def handler(request):
        return httpx.Response(200, content=endless())  # no Content-Length: only counting can stop it

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    with pytest.raises(Refused) as refused:
        await fetch(tmp_path, client, mirror_max_batch_bytes=1 << 20)
    assert refused.value.what == "too_large" and sent <= (1 << 20) + 2 * 65536


async def test_a_peer_that_fails_is_unreachable_not_refused(tmp_path):
    with pytest.raises(Unreachable):
        await fetch(tmp_path, answer_with(batch(), status=503))

    def down(request):
        raise httpx.ConnectError("refused")

    with pytest.raises(Unreachable):
        await fetch(tmp_path, httpx.AsyncClient(transport=httpx.MockTransport(down)))


async def test_the_request_is_signed_for_that_peer(tmp_path):
    seen = {}

    def handler(request):
        seen["problem"] = signing.verify_request(signing.public_raw(OUR_KEY), request.headers, method="GET",
                                                 target=request.url.raw_path.decode(), server=THEM, skew_seconds=5)
        body = json.dumps(batch()(request.headers[signing.H_NONCE], 0)).encode()
        return httpx.Response(200, content=body, headers={signing.H_SIGNATURE: signing.sign_body(THEIR_KEY, body)})

    await fetch(tmp_path, httpx.AsyncClient(transport=httpx.MockTransport(handler)))
    assert seen["problem"] is None
