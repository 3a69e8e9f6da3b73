"""Fixtures of the browser tests: one real `sns serve` (session) and one Chromium (this package).

The server runs on SQLite in a temporary data directory, or on a fresh PostgreSQL
database when SNS_TEST_DATABASE_URL names a server, like tests/fixtures.py does.
Playwright's sync API marks its own event loop as running between calls, so the
browser lives only as long as this package: the async tests that follow need
the thread to themselves.
"""

import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest

from browser.live import ACCOUNTS, CHROMIUM_ARGS, LiveServer, Phones, migrated_database
from browser.tiles import TileServer


@pytest.fixture(scope="session")
def tiles():
    """The map tile server the site is configured with (`tile_url`), on a loopback host of its own."""
    with TileServer() as server:
        yield server


@pytest.fixture(scope="session")
def server(tmp_path_factory, tiles):
    data = tmp_path_factory.mktemp("live")
    live = LiveServer(data, migrated_database(data))  # `sns init` then has no migration left to run
    live.extra_env["SNS_TILE_URL"] = tiles.url_template
    live.sns("init")
    with ThreadPoolExecutor(4) as pool:  # each `sns user create` is a process of its own
        list(pool.map(live.create_user, ACCOUNTS, ACCOUNTS.values()))
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="package")
def browser():
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def phones(browser, server):
    opened = Phones(browser, server)
    yield opened
    opened.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test shows the end of the server's log next to its traceback."""
    report = yield
    live = item.funcargs.get("server") if hasattr(item, "funcargs") else None
    if report.failed and isinstance(live, LiveServer):
        report.sections.append(("sns serve log (last lines)", live.tail()))
    return report
