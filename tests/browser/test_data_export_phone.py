"""Download my data on a 320 px phone without JavaScript: from Settings, ask, reload until the archive is
ready (the server's own job prepares it), download it and find one's own data inside."""

import io
import json
import zipfile

import pytest

from browser.live import ONCE, wait_for

pytestmark = [pytest.mark.browser, ONCE]

NARROW = {"width": 320, "height": 640}


def test_download_my_data_without_javascript(phones):
    page = phones.signed_in("ken", viewport=NARROW, java_script_enabled=False, accept_downloads=True)
    page.goto("/settings")
    with page.expect_navigation():
        page.click("main a[href='/settings/data']")
    with page.expect_navigation():
        page.click("main form[action='/settings/data'] button[type=submit]")
    assert page.url.endswith("/settings/data")
    assert page.locator(".flash").count() == 1

    def ready():
        page.reload()
        return page.locator("main a[href$='/download']").count() == 1

    wait_for(ready, "the archive is ready after a reload", timeout=60, pause=0.5)
    with page.expect_download() as downloaded:
        page.click("main a[href$='/download']")
    archive = zipfile.ZipFile(io.BytesIO(open(downloaded.value.path(), "rb").read()))
    assert json.loads(archive.read("profile.json"))["username"] == "ken"
    assert "README.txt" in archive.namelist()


def test_the_page_fits_a_320px_phone(phones):
    page = phones.signed_in("ken", viewport=NARROW)
    page.goto("/settings/data")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    for button in page.locator("main button, main a.button").all():
        assert button.bounding_box()["height"] >= 44
