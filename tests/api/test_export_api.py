"""GET /api/v1/me/export: starts my data export (a GET that starts it, as documented), answers the same export
on every call while it waits, is prepared and stays downloadable, and links the archive, which the same token
downloads; anyone else's export is 404."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

from sns import tasks
from sns.models import DataExport
from sns.models.base import utcnow


async def test_get_starts_once_reports_and_links_the_archive(site, api):
    user, client = await api.resident("apiexp")
    first = await client.get("/api/v1/me/export")
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["state"] == "waiting" and body["started"] is True and "download_url" not in body
    assert first.headers["cache-control"] == "private, no-store"
    again = (await client.get("/api/v1/me/export")).json()
    assert again["id"] == body["id"] and again["started"] is False
    assert await DataExport.filter(user_id=user.id).count() == 1

    await tasks.run_once("data_export", site.settings, site.app.state.site)
    ready = (await client.get("/api/v1/me/export")).json()
    assert ready["id"] == body["id"] and ready["state"] == "ready" and ready["size"] > 0
    assert ready["download_url"] == f"http://test.example/api/v1/me/exports/{body['id']}/download"
    download = await client.get(ready["download_url"])
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    assert download.headers["cache-control"] == "private, no-store"
    assert download.headers["content-disposition"].startswith("attachment;")
    assert len(download.content) == ready["size"]
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    assert json.loads(archive.read("profile.json"))["username"] == "apiexp"

    # downloadable while it lasts; past its time, the next call starts a new one
    await DataExport.filter(id=body["id"]).update(expires_at=utcnow() - timedelta(seconds=1))
    assert (await client.get(ready["download_url"])).status_code == 404
    fresh = (await client.get("/api/v1/me/export")).json()
    assert fresh["id"] != body["id"] and fresh["state"] == "waiting" and fresh["started"] is True


async def test_the_download_needs_the_owners_token(site, api):
    _, client = await api.resident("apiexp2")
    await client.get("/api/v1/me/export")
    await tasks.run_once("data_export", site.settings, site.app.state.site)
    url = (await client.get("/api/v1/me/export")).json()["download_url"]
    _, stranger = await api.resident("apiexp3")
    _, admin = await api.resident("apiexpadmin", role="admin")
    for other in (stranger, admin):
        refused = await other.get(url)
        assert refused.status_code == 404 and "error" in refused.json()
    nobody = api.client()
    assert (await nobody.get(url)).status_code == 401
    assert (await nobody.get("/api/v1/me/export")).status_code == 401
    assert (await client.get("/api/v1/me/exports/not-an-export/download")).status_code == 404
