import pytest
from api_client import Api


@pytest.fixture(scope="module")
def api(site):
    return Api(site)
