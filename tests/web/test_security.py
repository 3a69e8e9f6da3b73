"""Security baseline: CSRF everywhere, sign-in before residents' pages, strict CSP, session rotation,
uploads refused cleanly."""

import io
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from PIL import Image
from starlette.routing import Route

from sns.models import Diary
from sns.web.http import signed_in


def unsafe_routes(app):
    for route in app.routes:
        # /open311/v2/: a partner's api_key authorizes, not a cookie (tests/web/test_open311.py refuses without one);
        # /ap/: other servers' posts to our inboxes carry HTTP Signatures, not a cookie
        # (tests/web/test_fediverse_inbox.py refuses them unsigned)
        if isinstance(route, Route) and not route.path.startswith(("/api/", "/open311/v2/", "/ap/")):
            for method in route.methods or ():
                if method not in ("GET", "HEAD", "OPTIONS"):
                    path = route.path
                    for name in route.param_convertors:
                        path = path.replace("{" + name + "}", "x")
                    yield method, path


async def test_every_unsafe_page_request_needs_the_csrf_token(site):
    await site.user("csrfer")
    client = site.client()
    await client.login("csrfer")
    routes = list(unsafe_routes(site.app))
    assert len(routes) > 20
    for method, path in routes:
        r = await client.request(method, path, data={"title": "x", "body": "y", "visibility": "public"})
        assert r.status_code == 403, (method, path, r.status_code)
        r = await client.request(method, path, data={"csrf_token": "forged" * 8})
        assert r.status_code == 403, (method, path)
    assert not await Diary.filter(title="x").exists()


def signed_in_routes(app):
    """The pages `@signed_in` guards (sns/web/http.py): their endpoint wraps the page."""
    for route in app.routes:
        if isinstance(route, Route) and getattr(route.endpoint, "__wrapped__", None) is not None \
                and not route.path.startswith("/api/"):
            yield route


async def test_a_visitor_is_sent_to_sign_in_first_and_then_back(site):
    visitor = site.client()
    await visitor.ensure_csrf()
    routes = list(signed_in_routes(site.app))
    assert len(routes) > 60
    for route in routes:
        path = route.path
        for name in route.param_convertors:
            path = path.replace("{" + name + "}", "x-1")
        for method in sorted(set(route.methods) - {"HEAD"}):
            r = await visitor.request(method, path, data={"csrf_token": visitor.csrf} if method == "POST" else None)
            assert r.status_code == 303, (method, path, r.status_code)
            assert r.headers["location"] == f"/login?next={quote(path)}", (method, path)


async def test_a_signed_in_page_is_given_the_context_then_what_its_caller_passed():
    seen = {}

    @signed_in
    async def page(request, ctx, kind, back="/home"):
        seen.update(user=ctx.user.username, kind=kind, back=back)
        return "answered"

    resident = SimpleNamespace(user=SimpleNamespace(username="guarded"))
    asked = SimpleNamespace(scope={"state": {"ctx": resident}})  # a context load_ctx has read for this request
    assert await page(asked, "diary", back="/diaries") == "answered"
    assert seen == {"user": "guarded", "kind": "diary", "back": "/diaries"}


async def test_strict_content_security_policy(site):
    r = await site.client().get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in r.text and " style=" not in r.text


async def test_session_id_rotates_at_login_and_logout_ends_it(site):
    await site.user("rotator")
    c = site.client()
    await c.login("rotator")
    first = c.cookies.get("sns_session")
    await c.login("rotator")
    second = c.cookies.get("sns_session")
    assert first and second and first != second
    stale = site.client()
    stale.cookies.set("sns_session", first, domain="test.example")
    assert (await stale.get("/home")).status_code == 303  # the old session no longer works
    await c.submit("/logout")
    reuse = site.client()
    reuse.cookies.set("sns_session", second, domain="test.example")
    assert (await reuse.get("/home")).status_code == 303


async def test_passwords_are_argon2id(site):
    user = await site.user("hashy")
    assert user.password_hash.startswith("$argon2id$")


def png_bomb() -> bytes:
    """A small PNG whose header claims a huge picture."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 1024)) + chunk(
        b"IEND", b"")


def truncated_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 300), "blue").save(out, "JPEG")
    return out.getvalue()[:200]


@pytest.mark.parametrize("name,data,content_type", [
    ("notes.txt", b"just text, not a photo", "text/plain"),
    ("fake.jpg", b"\xff\xd8\xff\xe0 not really", "image/jpeg"),
    ("cut.jpg", truncated_jpeg(), "image/jpeg"),
    ("bomb.png", png_bomb(), "image/png"),
    ("page.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/svg+xml"),
])
async def test_bad_uploads_are_refused_and_the_text_is_kept(site, name, data, content_type):
    username = "up" + str(abs(hash(name)) % 10_000)
    await site.user(username)
    c = site.client()
    await c.login(username)
    r = await c.submit("/diaries/new", {"title": f"With {name}", "body": "Typed with care", "visibility": "public"},
                       files={"photos": (name, data, content_type)})
    assert r.status_code == 400
    assert "Typed with care" in r.text and f"With {name}" in r.text
    assert "photo" in r.text.lower()
    assert not await Diary.filter(title=f"With {name}").exists()
