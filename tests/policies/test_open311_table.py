"""What Open311 shows (sns/policies/partners.py), as a table: who asks x the report's state x surface.

Open311 shows exactly what a visitor sees of street reports: whoever asks (a visitor, the resident who wrote
a held report, an administrator's session, the partner whose key filed it), a held, removed or deleted report
is absent from `requests.json`/`.xml` and `requests/{id}` answers 404, like the report page for a visitor.
The reporter's account, name, e-mail and phone never appear. And the rules for partners' keys: who manages
them (administrators), which key files (not revoked), which account writes a partner's report (the system one).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from fixtures import jpeg_with_gps
from sns.models import StreetReport
from sns.models.base import utcnow
from sns.policies import ANONYMOUS, Viewer, can_view_report, is_signed_in
from sns.policies.partners import (
    can_file_for_partner, can_manage_partner_keys, key_may_file, open311_may_show, open311_scope,
)
from sns.services import departments, partner_keys, report_lists
from sns.services import reports as report_service

ASKERS = ("visitor", "author", "admin", "partner")
STATES = ("published", "held", "removed", "deleted", "partner_held")
SHOWN = {"published"}  # what the report page shows a visitor
ROLES = ("resident", "staff", "moderator", "fire", "disaster", "admin")


def viewer(role: str, state: str = "active", uid: str = "me") -> Viewer:
    return Viewer(user=SimpleNamespace(id=uid, role=role, state=state, deleted_at=None))


@pytest.fixture(scope="module")
async def table(site):
    admin = await site.user("o_admin", role="admin")
    actx = await site.ctx_for(admin)
    roads = await departments.save_department(actx, name="Roads")
    category = await report_lists.save_category(actx, name="Pothole", department=roads.id)
    author = await site.user("o_author", display_name="Aiko Author")
    as_author = await site.ctx_for(author)
    issued = await partner_keys.issue_key(actx, "FixMyTown")
    reports = {}
    for n, state in enumerate(STATES[:-1]):
        body = "What a fucking mess here" if state == "held" else "A hole in the road"
        report = await report_service.write_report(as_author, category=category.id, title=f"o311-{state}-title",
                                                   body=body, lat=32.5 + n / 100, lon=130.6, photos=[jpeg_with_gps()])
        if state == "removed":
            await StreetReport.filter(id=report.id).update(state="removed")
        if state == "deleted":
            await StreetReport.filter(id=report.id).update(deleted_at=utcnow())
        reports[state] = await StreetReport.get(id=report.id)
    held = await site.client().post("/open311/v2/requests.json", data={
        "api_key": issued.key, "service_code": category.id, "lat": "32.6", "long": "130.6",
        "description": "o311-partner_held-title: what a fucking mess", "first_name": "Pat", "last_name": "Partner",
        "email": "pat@example.net", "phone": "090-1111-2222"})
    assert held.status_code == 200, held.text
    reports["partner_held"] = await StreetReport.get(id=held.json()[0]["service_request_id"])
    assert reports["held"].state == reports["partner_held"].state == "held"
    clients = {"visitor": site.client(), "author": site.client(), "admin": site.client(), "partner": site.client()}
    await clients["author"].login("o_author")
    await clients["admin"].login("o_admin")
    return {"reports": reports, "clients": clients, "key": issued.key, "category": category}


CASES = [(asker, state) for asker in ASKERS for state in STATES]
PRIVATE = ("o_author", "Aiko Author", "Pat", "pat@example.net", "090-1111-2222")


@pytest.mark.parametrize("asker,state", CASES)
async def test_open311_shows_what_a_visitor_sees(table, asker, state):
    report = table["reports"][state]
    shown = state in SHOWN
    assert open311_may_show(report) is shown is can_view_report(ANONYMOUS, report)
    client = table["clients"][asker]
    extra = {"api_key": table["key"]} if asker == "partner" else {}
    assert (await table["clients"]["visitor"].get(f"/reports/{report.id}")).status_code == (200 if shown else 404)
    for fmt in ("json", "xml"):
        one = await client.get(f"/open311/v2/requests/{report.id}.{fmt}", params=extra)
        assert one.status_code == (200 if shown else 404), one.text
        listed = await client.get(f"/open311/v2/requests.{fmt}", params=extra)
        assert listed.status_code == 200
        assert (report.id in listed.text) is shown
        by_id = await client.get(f"/open311/v2/requests.{fmt}", params={"service_request_id": report.id, **extra})
        assert (report.id in by_id.text) is shown
        for answer in (one, listed, by_id):
            assert not any(p in answer.text for p in PRIVATE), answer.text


async def test_the_lists_scope_mirrors_the_predicate(table):
    everything = await StreetReport.all()
    assert len(everything) == len(STATES)
    assert {r.id for r in await StreetReport.filter(open311_scope())} == \
        {r.id for r in everything if open311_may_show(r)} == {table["reports"]["published"].id}


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_manage_keys(role):
    assert can_manage_partner_keys(viewer(role)) is (role == "admin")


@pytest.mark.parametrize("state", ["suspended", "pending", "system"])
def test_only_an_active_administrator(state):
    assert not can_manage_partner_keys(viewer("admin", state))


def test_a_visitor_manages_nothing():
    assert not can_manage_partner_keys(ANONYMOUS)


@pytest.mark.parametrize("revoked,account,files", [(False, "acct", True), (True, "acct", False),
                                                   (False, None, False)])
def test_which_key_files(revoked, account, files):
    key = SimpleNamespace(revoked_at=utcnow() if revoked else None, account_id=account)
    assert key_may_file(key) is files
    assert not key_may_file(None)


@pytest.mark.parametrize("role", ROLES)
def test_a_partner_report_is_written_by_the_system_account_only(role):
    assert not can_file_for_partner(viewer(role))  # no resident, staff or administrator files as a partner
    system = viewer("resident", "system", uid="partner-1")
    assert can_file_for_partner(system) and not is_signed_in(system)
    assert not can_file_for_partner(ANONYMOUS)
