"""Clusters on the map: counts add up, layers never mix, few points stay points, cells stay put when panning."""

from __future__ import annotations

from sns.services.maps import CLUSTER_ABOVE, BBox, group

BOX = BBox(130.5, 32.4, 130.7, 32.6)


def points(n: int, layer: str = "diaries", lat: float = 32.5, lon: float = 130.6, step: float = 0.00001):
    return [(layer, f"{layer}-{i}", lat + (i % 30) * step, lon + (i // 30) * step, None) for i in range(n)]


def test_few_points_are_all_sent_one_by_one():
    singles, clusters = group(points(CLUSTER_ABOVE), BOX, zoom=10)
    assert len(singles) == CLUSTER_ABOVE and clusters == []


def test_many_points_cluster_and_their_counts_add_up_per_layer():
    crowd = points(400) + points(250, layer="reports", lat=32.45)
    singles, clusters = group(crowd, BOX, zoom=12)
    counted = {}
    for c in clusters:
        counted[c["properties"]["layer"]] = counted.get(c["properties"]["layer"], 0) + c["properties"]["count"]
    for s in singles:
        counted[s[0]] = counted.get(s[0], 0) + 1
    assert counted == {"diaries": 400, "reports": 250}
    assert all(c["properties"]["cluster"] is True and c["properties"]["count"] >= 2 for c in clusters)
    assert len(clusters) < 10  # a few cells, not hundreds of markers


def test_zoomed_in_far_enough_every_point_is_its_own():
    spread = points(400, step=0.001)
    singles, clusters = group(spread, BOX, zoom=19)
    assert clusters == [] and len(singles) == 400


def test_a_cluster_stays_where_it_is_when_the_map_pans():
    crowd = points(400)
    _, here = group(crowd, BOX, zoom=12)
    _, panned = group(crowd, BBox(130.55, 32.45, 130.75, 32.65), zoom=12)
    assert [c["geometry"] for c in here] == [c["geometry"] for c in panned]
