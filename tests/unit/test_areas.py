"""The manifest (sns/areas.py): the site's parts named once, merged with checks, the same for the app and `sns`."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import sns.api

from sns import areas, cli_mirror, tasks
from sns.app import create_app
from sns.mirror import adopt, media_fetch, media_store, pull, replicas, restore
from sns.mirror import alerts as mirrored_alerts
from sns.services import maps, photo_access, review
from sns.services.review_kinds import Reviewable
from sns.settings import load_settings


def _hooks(site: areas.Site) -> dict:
    return {"after_apply": site.after_apply, "after_round": site.after_round, "on_store": site.on_store,
            "media_restorers": site.media_restorers, "jobs": dict(site.jobs)}


def test_mirror_sync_runs_the_hooks_the_server_runs(tmp_path):
    """`sns mirror sync` builds its site from the manifest as the app does: the same hooks, in the same
    order (it once had to repeat the app's imports, or a sync skipped what the server's pull did)."""
    app = create_app(load_settings(tmp_path, database_url=""))
    server, command = _hooks(app.state.site), _hooks(cli_mirror.sync_site())
    assert server == command
    assert server["after_round"] == (media_fetch.after_round, adopt.after_round)
    assert server["after_apply"] == (mirrored_alerts.copy_alerts,)
    assert server["on_store"] == (media_store.note_entries,)
    assert server["media_restorers"] == (restore.restore_photos,)
    assert set(server["jobs"]) == {"mirror_pull", "cap_poll", "alert_notices", "mail", "retention", "data_export",
                                   "account_deletion", "telling", "weekly_activity", "reminders", "mail_intake",
                                   "notice_telling", "appointment_reminders", "fediverse_delivery"}
    assert server["jobs"]["mirror_pull"] is pull.JOB


def test_the_app_keeps_its_site_and_serves_its_routes_in_order(tmp_path):
    app = create_app(load_settings(tmp_path, database_url=""))
    site = app.state.site
    assert list(app.router.routes) == list(site.routes)
    assert [a.name for a in site.areas][:3] == ["mirror_protocol", "api", "front"]
    assert app.url_path_for("front") == "/" and app.url_path_for("static", path="/style.css") == "/static/style.css"


def test_no_registry_is_left_in_a_module():
    for module, name in [(review, "KINDS"), (maps, "LAYERS"), (maps, "DYNAMIC"), (tasks, "_JOBS"),
                         (pull, "AFTER_APPLY"), (pull, "AFTER_ROUND"), (replicas, "ON_STORE"),
                         (restore, "MEDIA_RESTORERS"), (photo_access, "_checks")]:
        assert not hasattr(module, name), f"{module.__name__}.{name}"


def test_the_api_is_what_the_areas_hand_over_in_their_order():
    site = areas.site()
    every = [importlib.import_module(f"sns.api.{m.name}") for m in pkgutil.iter_modules(sns.api.__path__)]
    modules = [m for m in every if hasattr(m, "API")]
    assert set(modules) == set(site.api)  # no API module left out of the manifest
    assert [op for module in site.api for op in module.API] == list(site.operations)
    paths = [op.path for op in site.operations]
    assert paths.index("/api/v1/alerts/{id}.cap") < paths.index("/api/v1/alerts/{id}")
    served = [r for r in site.routes if getattr(r, "path", "").startswith("/api/")]
    assert [r.path for r in served[:-1]] == paths and served[-1].name == "api_fallback"


def test_the_site_merges_what_the_areas_hand_over():
    site = areas.site()
    assert {"diary", "comment", "notice", "topic", "reply", "community", "event", "message", "inquiry_entry",
            "album", "street_report", "disaster_post"} == set(site.review_kinds)
    assert [layer.name for layer in site.layers] == ["alerts", "shelters", "reports", "events", "diaries"]
    assert {"mirror_peers", "post_alert", "alert_sources", "shelter_status", "switch_disaster", "disaster_staff",
            "standby_codes", "dashboard", "mail_intake", "manage_counters", "counter_staff", "fediverse",
            "open311_partners"} == set(site.offered)


def _kind(model=object) -> Reviewable:
    return Reviewable(model, "label")


@pytest.mark.parametrize("twice", [
    [areas.Area("a"), areas.Area("a")],
    [areas.Area("a", review_kinds={"diary": _kind()}), areas.Area("b", review_kinds={"diary": _kind()})],
    [areas.Area("a", jobs=(pull.JOB,)), areas.Area("b", jobs=(pull.JOB,))],
    [areas.Area("a", offered={"x": bool}), areas.Area("b", offered={"x": bool})],
    [areas.Area("a", routes=areas.routes.FRONT), areas.Area("b", routes=areas.routes.FRONT)],
])
def test_a_name_handed_over_twice_is_refused_when_the_site_is_built(twice):
    with pytest.raises(areas.ManifestError):
        areas.build_site(twice)
