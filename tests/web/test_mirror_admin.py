"""/admin/mirror: an administrator reads this instance's fingerprint, adds a neighbour (a real HTTP server on
127.0.0.1 with a real key, so the fingerprint check is real), syncs it now and sees it in step, pauses,
resumes, lets it act for us or not, and removes it after a second step; bad input keeps what was typed with
a message next to the field; the mirror log says in words what was refused."""

from __future__ import annotations

import re

import pytest

from fixtures import free_port, make_site
from mirror_peer import neighbour_server
from sns.keys import fingerprint
from sns.mirror import seal
from sns.mirror.peers import log_refusal
from sns.models import MirrorLog, Peer

PAGE = "/admin/mirror"


@pytest.fixture(scope="module")
async def site(tmp_path_factory):
    async with make_site(tmp_path_factory.mktemp("mirror-admin"), mirror_timeout_seconds=2) as s:
        yield s


@pytest.fixture(scope="module")
async def admin(site):
    await site.user("mirroradmin", role="admin")
    client = site.client()
    await client.login("mirroradmin")
    return client


@pytest.fixture
def neighbour():
    with neighbour_server() as n:
        yield n


def peer_section(html: str, peer_id: str) -> str:
    match = re.search(rf'<section class="card peer peer-(\w+)" id="peer-{peer_id}">(.*?)</section>', html, re.S)
    assert match, html
    return match.group(1), re.sub(r"\s+", " ", match.group(2))


async def test_the_page_shows_this_instance_and_warns_without_a_backup_key(site, admin):
    page = await admin.get(PAGE)
    assert page.status_code == 200
    assert f'href="{PAGE}"' in page.text  # in the admin navigation
    assert "<code>test.example</code>" in page.text and "<code>http://test.example</code>" in page.text
    assert fingerprint(site.settings.keys_dir) in page.text
    assert "Private content is not backed up." in page.text and "sns mirror backup-key" in page.text
    assert "No neighbours yet." in page.text and "Nothing refused." in page.text
    seal.create_backup_key(site.settings.keys_dir)
    try:
        page = await admin.get(PAGE)
        assert "Private content is not backed up." not in page.text
        assert "set: private content reaches the neighbours only sealed to it" in page.text
    finally:
        seal.public_path(site.settings.keys_dir).unlink()


async def test_add_sync_pause_resume_acting_remove(site, admin, neighbour):
    neighbour.head = 3
    r = await admin.submit(PAGE, {"url": neighbour.url + "/", "fingerprint": " " + neighbour.fingerprint + " ",
                                  "acts_for_us": "1"})
    assert r.status_code == 303, r.text
    peer = await Peer.get(origin="neighbour.example")
    assert r.headers["location"] == f"{PAGE}#peer-{peer.id}"
    assert (peer.url, peer.name, peer.state, peer.acts_for_us) == (neighbour.url, "Neighbour Town", "active", True)
    page = await admin.get(PAGE)
    assert "The neighbour is added and pulled from now on." in page.text
    health, section = peer_section(page.text, peer.id)
    assert health == "never" and "Not reached yet" in section and neighbour.fingerprint in section
    assert "entry 0 of 0" in section and "Last success</dt><dd>never" in section
    # sync now: it is pulled at once and is in step
    r = await admin.submit(f"{PAGE}/neighbour.example/sync")
    assert (r.status_code, r.headers["location"]) == (303, f"{PAGE}#peer-{peer.id}")
    page = await admin.get(PAGE)
    assert "The neighbour was pulled: its health below shows the result." in page.text
    health, section = peer_section(page.text, peer.id)
    assert health == "ok" and "In step" in section and "entry 3 of 3" in section and "0 entries" in section
    assert "none: caught up" in section and "Last success</dt><dd>never" not in section
    # it hands out only some of what it has: behind, with the number
    neighbour.head, neighbour.available = 10, 6
    await admin.submit(f"{PAGE}/neighbour.example/sync")
    health, section = peer_section((await admin.get(PAGE)).text, peer.id)
    assert "entry 6 of 10" in section and "4 entries" in section
    # a broken signature: refused, in words, on the card and in the log
    neighbour.mode = "bad_signature"
    await admin.submit(f"{PAGE}/neighbour.example/sync")
    page = await admin.get(PAGE)
    health, section = peer_section(page.text, peer.id)
    assert health == "behind" and "Behind: the last pull failed" in section
    assert "The signature does not match the key we confirmed" in section and "not signed by" in section
    log = page.text.split("Mirror log")[1]
    assert "neighbour.example" in log and "our pull" in log and "bad_signature" in log
    assert "The signature does not match the key we confirmed" in log
    neighbour.mode = "good"
    # pause: not pulled (sync refused), resume
    r = await admin.submit(f"{PAGE}/neighbour.example/state", {"state": "paused"})
    assert r.status_code == 303 and (await Peer.get(id=peer.id)).state == "paused"
    page = await admin.get(PAGE)
    assert "The neighbour is paused" in page.text
    health, section = peer_section(page.text, peer.id)
    assert health == "paused" and "Paused" in section and "Resume" in section and "Sync now" not in section
    r = await admin.submit(f"{PAGE}/neighbour.example/sync")
    assert r.status_code == 400
    await admin.submit(f"{PAGE}/neighbour.example/state", {"state": "active"})
    assert (await Peer.get(id=peer.id)).state == "active"
    await admin.submit(f"{PAGE}/neighbour.example/sync")
    health, section = peer_section((await admin.get(PAGE)).text, peer.id)
    assert health == "ok" and "entry 6 of 10" in section
    # acting on our behalf: off, on
    await admin.submit(f"{PAGE}/neighbour.example/acting", {"acts_for_us": "0"})
    assert (await Peer.get(id=peer.id)).acts_for_us is False
    _, section = peer_section((await admin.get(PAGE)).text, peer.id)
    assert "Acts for us</dt><dd>no" in section and "Let it act for us" in section
    await admin.submit(f"{PAGE}/neighbour.example/acting", {"acts_for_us": "1"})
    assert (await Peer.get(id=peer.id)).acts_for_us is True
    # remove: a second step first (a page with its own form), then gone from the list
    confirm = await admin.get(f"{PAGE}/neighbour.example/remove")
    assert confirm.status_code == 200 and "Remove Neighbour Town?" in confirm.text
    assert f'action="{PAGE}/neighbour.example/remove"' in confirm.text
    assert (await Peer.get(id=peer.id)).state == "active"
    r = await admin.submit(f"{PAGE}/neighbour.example/remove")
    assert (r.status_code, r.headers["location"]) == (303, PAGE)
    assert (await Peer.get(id=peer.id)).state == "removed"
    page = await admin.get(PAGE)
    assert "The neighbour is removed" in page.text and "No neighbours yet." in page.text
    assert (await admin.get(f"{PAGE}/neighbour.example/remove")).status_code == 404
    assert (await admin.submit(f"{PAGE}/neighbour.example/sync")).status_code == 404
    await Peer.filter(id=peer.id).delete()


async def test_a_wrong_fingerprint_shows_the_one_found_and_keeps_everything(site, admin, neighbour):
    typed = "SHA256:AAAAthisIsNotTheRightFingerprintAtAll000000"
    r = await admin.submit(PAGE, {"url": neighbour.url, "fingerprint": typed})  # acting box unticked
    assert r.status_code == 400
    assert "has another fingerprint" in r.text and neighbour.fingerprint in r.text
    assert re.search(r'id="fingerprint"[^>]*aria-invalid="true"', r.text)
    assert f'value="{neighbour.url}"' in r.text and f'value="{typed}"' in r.text
    assert not re.search(r'name="acts_for_us" value="1" checked', r.text)
    assert not await Peer.exists(origin="neighbour.example")


@pytest.mark.parametrize("case, field, message", [
    ("unreachable", "url", "Could not reach that address."),
    ("not_sns", "url", "That address does not answer like a local SNS instance."),
    ("itself", "url", "That address answers as test.example, the same name as this instance: each city needs "
     "its own origin (the `origin` setting, set by sns init --origin)."),
    ("bad_url", "url", "This is not a web address (http:// or https://)."),
    ("no_fingerprint", "fingerprint", "Type the fingerprint the neighbour"),
])
async def test_clear_messages_next_to_the_field(site, admin, case, field, message):
    with neighbour_server(origin="test.example" if case == "itself" else "other.example") as n:
        url = {"unreachable": f"http://127.0.0.1:{free_port()}", "not_sns": n.url + "/not-here",
               "bad_url": "ftp://neighbour.example/"}.get(case, n.url)
        typed = "" if case == "no_fingerprint" else n.fingerprint
        r = await admin.submit(PAGE, {"url": url, "fingerprint": typed, "acts_for_us": "1"})
    assert r.status_code == 400
    assert message.replace("'", "&#39;") in r.text or message in r.text
    assert re.search(rf'<p class="error" id="{field}-error" role="alert">', r.text)
    assert f'value="{url}"' in r.text and 'name="acts_for_us" value="1" checked' in r.text
    assert await Peer.all().count() == 0


async def test_the_log_speaks_in_words(site, admin):
    for what, detail in (("replay", "the batch answers another request"), ("unknown_peer", "GET /mirror/v1/journal/x"),
                         ("stale_request", "GET /mirror/v1/journal/test.example"), ("something_new", "")):
        await log_refusal("far.example", "in", what, detail)
    log = (await admin.get(PAGE)).text.split("Mirror log")[1]
    assert "A replayed batch: it answered another request" in log and "Not one of our peers" in log
    assert "too far from our clock" in log and "sent to us" in log
    assert "<strong>Refused</strong> <code class=\"meta\">something_new</code>" in log
    await MirrorLog.all().delete()


async def test_the_page_in_japanese(site, admin, neighbour):
    await admin.submit(PAGE, {"url": neighbour.url, "fingerprint": neighbour.fingerprint, "acts_for_us": "1"})
    await log_refusal("neighbour.example", "out", "unreachable", "ConnectError")
    page = await admin.get(PAGE, headers={"Accept-Language": "ja"})
    assert "<h1>ミラーリング</h1>" in page.text and "近隣の自治体を追加する" in page.text
    assert "非公開の内容はバックアップされていません" in page.text
    assert "まだ接続していません" in page.text
    assert "今すぐ同期" in page.text and "相手に接続できませんでした" in page.text
    await Peer.all().delete()
    await MirrorLog.all().delete()


async def test_the_disaster_desk_reads_without_forms(site, neighbour):
    await site.user("mirrordesk", role="disaster")
    desk = site.client()
    await desk.login("mirrordesk")
    await Peer.create(origin=neighbour.origin, url=neighbour.url, fingerprint=neighbour.fingerprint,
                      public_key=neighbour.hello()["public_key"], name="Desk Town")
    page = await desk.get(PAGE)
    assert page.status_code == 200 and "Desk Town" in page.text and "Not reached yet" in page.text
    main = page.text.split("<main")[1].split("</main>")[0]
    assert "<form" not in main and "Add a neighbour" not in main and "Sync now" not in main
    disaster = await desk.get("/disaster")
    assert f'href="{PAGE}"' in disaster.text
    assert (await desk.get(f"{PAGE}/{neighbour.origin}/remove")).status_code == 403
    assert (await desk.submit(f"{PAGE}/{neighbour.origin}/state", {"state": "paused"})).status_code == 403
    assert (await Peer.get(origin=neighbour.origin)).state == "active"
    await Peer.all().delete()


async def test_the_page_and_the_pull_job_open_a_new_neighbours_copy_at_once(site):
    """Right after adding a neighbour, the page and the nudged pull job open its replica at the same moment."""
    import asyncio

    from sns.mirror import replicas

    opened = await asyncio.gather(*(replicas.open_replica(site.settings, "at-once.example") for _ in range(3)))
    assert opened[0] is opened[1] is opened[2]
    assert await replicas.cursor(opened[0], "at-once.example") == 0


async def test_what_a_neighbour_says_about_itself_is_shown_as_text(site, admin):
    """Its name comes from its hello and its log details from its answers: a hostile one gets no markup in."""
    with neighbour_server(origin="hostile.example", name='<script>alert("town")</script><b>Bold</b>') as n:
        r = await admin.submit(PAGE, {"url": n.url, "fingerprint": n.fingerprint, "acts_for_us": "1"})
        assert r.status_code == 303
        await log_refusal("hostile.example", "in", "<img src=x onerror=alert(1)>", "<script>alert(2)</script>")
        page = (await admin.get(PAGE)).text
    assert "<script>alert" not in page and "<b>Bold</b>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;town&#34;)&lt;/script&gt;&lt;b&gt;Bold&lt;/b&gt;" in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    await Peer.all().delete()
    await MirrorLog.all().delete()
