"""Three cities in a ring, each mirroring the other two (six replicas): after each writes, every replica
converges with its origin's open records. Runs on either database; when .ci/test runs both, in the
PostgreSQL half (six replicas are six schemas of the database there)."""

from __future__ import annotations

import pytest

from browser.live import POSTGRES_HALF
from cities import City, assert_converged, peer

pytestmark = [pytest.mark.slow, POSTGRES_HALF]


def test_three_cities_each_mirror_the_other_two(tmp_path):
    cities = [City(tmp_path, name) for name in ("a", "b", "c")]
    heads = {c.origin: c.write(120) for c in cities}
    for c in cities:
        c.start()
    try:
        a, b, c = cities
        peer((a, b), (b, c), (c, a))
        for city in cities:
            for other in cities:
                if other is not city:
                    city.wait_for(other.origin, heads[other.origin])
        for city in cities:
            for other in cities:
                if other is not city:
                    assert_converged(city, other)
        assert all(" ok " in city.status().replace("│", " ") for city in cities)
    finally:
        for city in cities:
            city.stop()
