"""An acknowledged post survives `kill -9`: once the server answered 303, the diary is on disk."""

import re

import httpx
import pytest

from browser.live import PASSWORD, LiveServer, migrated_database

pytestmark = pytest.mark.slow

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def form_post(client: httpx.Client, page: str, url: str, data: dict) -> httpx.Response:
    """GET the page, take the CSRF field of the form that posts to `url`, and post it."""
    html = client.get(page).text
    form = html[html.index(f'action="{url}"'):]
    return client.post(url, data={**data, "csrf_token": CSRF.search(form).group(1)})


def test_an_acknowledged_post_survives_kill_minus_nine(tmp_path):
    live = LiveServer(tmp_path, migrated_database(tmp_path))
    live.sns("init")
    live.create_user("hiro")
    live.start()
    try:
        with httpx.Client(base_url=live.url, timeout=10, trust_env=False) as client:
            assert form_post(client, "/login", "/login", {"username": "hiro", "password": PASSWORD}).status_code == 303
            posted = form_post(client, "/diaries/new", "/diaries/new", {
                "title": "Written just before the power cut", "body": "Every word of it.", "visibility": "public"})
            assert posted.status_code == 303, posted.text
            url = posted.headers["location"]
            live.kill()  # SIGKILL right after the acknowledgement: no shutdown, no flush

            live.start()
            page = client.get(url)
            assert page.status_code == 200
            assert "Written just before the power cut" in page.text and "Every word of it." in page.text
            assert "Written just before the power cut" in client.get("/feeds/diaries.atom").text
    finally:
        live.stop()
