"""What a fediverse server reads from the city: WebFinger, NodeInfo, the actors with their keys, outboxes and
followers, and the objects at the pages' own addresses, through real HTTP into the app (docs/federation.md)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization

from sns.models import Follower
from sns.services import alerts, diaries, notices, profiles

AP = {"Accept": "application/activity+json"}
LD = {"Accept": 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
BASE = "http://test.example"


@pytest.fixture(scope="module")
async def town(site):
    clerk = await site.user("fediclerk", role="staff", display_name="City Office")
    fire = await site.user("fedifire", role="fire")
    hana = await site.user("hana", display_name="Hana <Yamada>")
    await profiles.update_profile(await site.ctx_for(hana), display_name="Hana <Yamada>",
                                  introduction="I grow *tomatoes*.")
    quiet = await site.user("quiet")
    client = site.client()
    await client.login("hana")
    assert (await client.submit("/settings/fediverse", {"followable": "1"})).status_code == 303
    hana_ctx = await site.ctx_for(hana)
    entries = [await diaries.write_diary(hana_ctx, title=f"Garden day {n}", body=f"Day **{n}** in the garden.",
                                         visibility="public") for n in range(23)]
    friends_only = await diaries.write_diary(hana_ctx, title="Only friends", body="secret", visibility="friends")
    quiet_diary = await diaries.write_diary(await site.ctx_for(quiet), title="Quiet public", body="x",
                                            visibility="public")
    notice = await notices.post_notice(await site.ctx_for(clerk), title="Water stop", body="Tuesday *9-12*.")
    alert = await alerts.post_alert(await site.ctx_for(fire), kind="fire", title="Fire near the port",
                                    description="Smoke <b>over</b> the harbour.", instruction="Close windows.",
                                    address="Port street", lat="32.5", lon="130.6", severity="Extreme")
    return {"hana": hana, "quiet": quiet, "entries": entries, "friends_only": friends_only,
            "quiet_diary": quiet_diary, "notice": notice, "alert": alert}


async def test_webfinger_finds_the_city_and_a_followable_resident_only(site, town):
    client = site.client()
    for host in ("test.example", "TEST.example"):
        found = await client.get("/.well-known/webfinger", params={"resource": f"acct:city@{host}"})
        assert found.status_code == 200 and found.headers["content-type"].startswith("application/jrd+json")
        body = found.json()
        assert body["subject"] == "acct:city@test.example"
        self_link = next(link for link in body["links"] if link["rel"] == "self")
        assert self_link == {"rel": "self", "type": "application/activity+json", "href": f"{BASE}/ap/users/city"}
    hana = (await client.get("/.well-known/webfinger", params={"resource": "acct:hana@test.example"})).json()
    assert {link["href"] for link in hana["links"]} == {f"{BASE}/ap/users/hana", f"{BASE}/people/hana"}
    for resource in ("acct:quiet@test.example", "acct:nobody@test.example", "acct:city@elsewhere.example"):
        assert (await client.get("/.well-known/webfinger", params={"resource": resource})).status_code == 404
    for resource in ("", "city", "acct:@test.example", "acct:a b@test.example", "acct:" + "x" * 700):
        bad = await client.get("/.well-known/webfinger", params={"resource": resource})
        assert bad.status_code == 400, resource


async def test_nodeinfo_says_what_software_and_counts_only_what_is_public(site, town):
    client = site.client()
    meta = await client.get("/.well-known/host-meta")
    assert meta.headers["content-type"].startswith("application/xrd+xml")
    assert f'template="{BASE}/.well-known/webfinger?resource={{uri}}"' in meta.text
    links = (await client.get("/.well-known/nodeinfo")).json()["links"]
    assert [link["href"] for link in links] == [f"{BASE}/nodeinfo/2.0", f"{BASE}/nodeinfo/2.1"]
    for version in ("2.0", "2.1"):
        info = await client.get(f"/nodeinfo/{version}")
        assert info.headers["content-type"].startswith("application/json")
        body = info.json()
        assert body["version"] == version and body["software"]["name"] == "local-sns"
        assert body["protocols"] == ["activitypub"] and body["openRegistrations"] is False
        # the city and Hana; her 23 public entries, the notice and the alert (not the friends-only entry,
        # nor the public entry of a resident who is not followable)
        assert body["usage"] == {"users": {"total": 2}, "localPosts": 25}
    assert (await client.get("/nodeinfo/1.0")).status_code == 404


async def test_actors_carry_their_keys_and_a_browser_goes_to_the_page(site, town):
    client = site.client()
    city = await client.get("/ap/users/city", headers=AP)
    assert city.status_code == 200 and city.headers["content-type"].startswith("application/activity+json")
    assert "Accept" in city.headers["vary"]
    doc = city.json()
    assert doc["type"] == "Organization" and doc["preferredUsername"] == "city"
    assert doc["inbox"] == f"{BASE}/ap/users/city/inbox" and doc["endpoints"]["sharedInbox"] == f"{BASE}/ap/inbox"
    assert doc["publicKey"]["id"] == f"{BASE}/ap/users/city#main-key" and doc["publicKey"]["owner"] == doc["id"]
    serialization.load_pem_public_key(doc["publicKey"]["publicKeyPem"].encode())  # a real key
    assert doc["manuallyApprovesFollowers"] is False and doc["url"] == f"{BASE}/"
    again = (await client.get("/ap/users/city", headers=LD)).json()
    assert again["publicKey"]["publicKeyPem"] == doc["publicKey"]["publicKeyPem"]  # one key, kept

    hana = (await client.get("/ap/users/hana", headers=AP)).json()
    assert hana["type"] == "Person" and hana["name"] == "Hana <Yamada>"
    assert "summary" not in hana  # her introduction is for residents (the default), not for visitors
    assert hana["publicKey"]["publicKeyPem"] != doc["publicKey"]["publicKeyPem"]
    assert (await client.get("/ap/users/quiet", headers=AP)).status_code == 404
    assert (await client.get("/ap/users/nobody", headers=AP)).status_code == 404
    page = await client.get("/ap/users/hana", headers=BROWSER)
    assert page.status_code == 303 and page.headers["location"] == "/people/hana"
    assert (await client.get("/ap/users/city", headers=BROWSER)).headers["location"] == "/"
    for anything in ({}, {"Accept": "*/*"}, {"Accept": "application/json"}):  # a key fetch without a preference
        assert (await client.get("/ap/users/city", headers=anything)).json()["id"] == f"{BASE}/ap/users/city"
    # a signed GET (authorized fetch) is answered like any other
    signed = await client.get("/ap/users/city", headers={**AP, "Signature": 'keyId="https://x.example/a#k",'
                                                                           'headers="date",signature="AAAA"'})
    assert signed.status_code == 200


async def test_outboxes_page_newest_first_twenty_at_a_time(site, town):
    client = site.client()
    box = (await client.get("/ap/users/hana/outbox", headers=AP)).json()
    assert box["type"] == "OrderedCollection" and box["totalItems"] == 23
    first = (await client.get(box["first"], headers=AP)).json()
    assert first["type"] == "OrderedCollectionPage" and len(first["orderedItems"]) == 20
    titles = [item["object"]["content"] for item in first["orderedItems"]]
    assert "Garden day 22" in titles[0] and all(item["type"] == "Create" for item in first["orderedItems"])
    second = (await client.get(first["next"], headers=AP)).json()
    assert len(second["orderedItems"]) == 3 and "next" not in second
    assert "Garden day 0" in second["orderedItems"][-1]["object"]["content"]
    seen = [i["object"]["id"] for i in first["orderedItems"] + second["orderedItems"]]
    assert len(set(seen)) == 23 and f"{BASE}/diaries/{town['friends_only'].id}" not in seen

    city = (await client.get("/ap/users/city/outbox?page=true", headers=AP)).json()
    assert [i["object"]["id"] for i in city["orderedItems"]] == [f"{BASE}/alerts/{town['alert'].id}",
                                                                f"{BASE}/notices/{town['notice'].id}"]
    assert (await client.get("/ap/users/city/outbox?max_id=<script>", headers=AP)).status_code == 400
    assert (await client.get("/ap/users/quiet/outbox", headers=AP)).status_code == 404


async def test_followers_collections_give_a_number_only(site, town):
    await Follower.create(actor=town["hana"].id, remote_actor="https://social.example/users/ken",
                          inbox="https://social.example/users/ken/inbox", host="social.example")
    body = (await site.client().get("/ap/users/hana/followers", headers=AP)).json()
    assert body["totalItems"] == 1 and "orderedItems" not in body and "social.example" not in str(body)
    assert (await site.client().get("/ap/users/city/followers", headers=AP)).json()["totalItems"] == 0
    assert (await site.client().get("/ap/users/quiet/followers", headers=AP)).status_code == 404


async def test_a_page_address_serves_html_to_browsers_and_the_object_to_servers(site, town):
    client = site.client()
    entry = town["entries"][0]
    page = await client.get(f"/diaries/{entry.id}", headers=BROWSER)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Accept" in page.headers["vary"] and "Cookie" in page.headers["vary"]
    note = await client.get(f"/diaries/{entry.id}", headers=AP)
    assert note.headers["content-type"].startswith("application/activity+json") and "Accept" in note.headers["vary"]
    obj = note.json()
    assert obj["id"] == obj["url"] == f"{BASE}/diaries/{entry.id}" and obj["type"] == "Note"
    assert obj["attributedTo"] == f"{BASE}/ap/users/hana"
    assert obj["to"] == ["https://www.w3.org/ns/activitystreams#Public"]
    assert "<strong>0</strong>" in obj["content"] and obj["contentMap"] == {"en": obj["content"]}

    alert = (await client.get(f"/alerts/{town['alert'].id}", headers=LD)).json()
    assert "Fire near the port" in alert["content"] and "&lt;b&gt;over&lt;/b&gt;" in alert["content"]
    assert "Close windows." in alert["content"] and "Port street" in alert["content"]
    assert {t["name"] for t in alert["tag"]} == {"#alert", "#fire", "#extreme"} and alert["sensitive"] is False
    notice = (await client.get(f"/notices/{town['notice'].id}", headers=AP)).json()
    assert "<em>9-12</em>" in notice["content"] and notice["attributedTo"] == f"{BASE}/ap/users/city"
    assert (await client.get(f"/notices/{town['notice'].id}", headers=BROWSER)).headers["content-type"] \
        .startswith("text/html")

    for hidden in (town["friends_only"], town["quiet_diary"]):
        assert (await client.get(f"/diaries/{hidden.id}", headers=AP)).status_code == 404
    assert (await client.get("/diaries/nonexistent", headers=AP)).status_code == 404


async def test_a_signed_in_readers_kept_page_is_never_served_to_a_server(site, town):
    """The same session cookie, first as a browser (the page is kept for that reader), then asking for the
    object: the object comes, as to a visitor; and the friends-only entry stays 404 to a server even for a
    request that carries its author's own cookie."""
    client = site.client()
    await client.login("hana")
    entry = town["entries"][1]
    for _ in range(2):
        assert (await client.get(f"/diaries/{entry.id}", headers=BROWSER)).headers["content-type"] \
            .startswith("text/html")
    assert (await client.get(f"/diaries/{entry.id}", headers=AP)).json()["type"] == "Note"
    assert (await client.get(f"/diaries/{town['friends_only'].id}", headers=BROWSER)).status_code == 200
    assert (await client.get(f"/diaries/{town['friends_only'].id}", headers=AP)).status_code == 404


async def test_the_introduction_goes_only_once_it_is_public(site, town):
    ctx = await site.ctx_for(town["hana"])
    await profiles.update_profile(ctx, display_name="Hana <Yamada>", introduction="I grow *tomatoes*.",
                                  visibility={"introduction": "public"})
    doc = (await site.client().get("/ap/users/hana", headers=AP)).json()
    assert doc["summary"] == "<p>I grow <em>tomatoes</em>.</p>\n" and "icon" not in doc
    await profiles.update_profile(ctx, display_name="Hana <Yamada>", introduction="I grow *tomatoes*.",
                                  visibility={"introduction": "friends"})
    assert "summary" not in (await site.client().get("/ap/users/hana", headers=AP)).json()
