import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fixtures import make_site, smtp_server  # noqa: E402


@pytest.fixture(scope="module")
async def site(tmp_path_factory):
    async with make_site(tmp_path_factory.mktemp("site")) as s:
        yield s


@pytest.fixture(scope="module")
def smtp():
    """A real SMTP server (aiosmtpd) on a loopback port: (controller, inbox)."""
    with smtp_server() as server:
        yield server
