"""Reading CAP from elsewhere: our own documents read back; hostile or broken input is refused with CapError only."""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cap_helpers import change_status, make_alert, updates_of
from sns.models.alerts import Alert, AlertUpdate
from sns.services.cap import alert_to_cap
from sns.services.cap_import import CapError, apply_parsed, parse_cap, parse_feed

NS = "urn:oasis:names:tc:emergency:cap:1.2"


def cap(identifier="KSN-1", msg_type="Alert", references="", status="Actual", area=None, extra_info="") -> bytes:
    area = area or "<circle>35.1,139.2 1.5</circle>"
    refs = f"<references>{references}</references>" if references else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="{NS}"><identifier>{identifier}</identifier><sender>fd@kanagawa.example</sender>
<sent>2026-11-23T19:20:00+09:00</sent><status>{status}</status><msgType>{msg_type}</msgType>
<scope>Public</scope>{refs}<info><language>en-US</language><category>Fire</category><event>Forest fire</event>
<urgency>Expected</urgency><severity>Moderate</severity><certainty>Likely</certainty>{extra_info}
<headline>Forest fire near the pass</headline><description>Spreading east</description>
<area><areaDesc>Ashigara pass</areaDesc>{area}</area></info></alert>""".encode()


def test_a_document_is_read():
    [parsed] = parse_cap(cap())
    assert (parsed.identifier, parsed.sender, parsed.msg_type, parsed.kind) == ("KSN-1", "fd@kanagawa.example",
                                                                                "Alert", "fire")
    assert (parsed.lat, parsed.lon, parsed.radius_m) == (35.1, 139.2, 1500)
    assert parsed.sent.isoformat() == "2026-11-23T10:20:00+00:00"
    assert (parsed.title, parsed.severity, parsed.address) == ("Forest fire near the pass", "Moderate", "Ashigara pass")
    assert not parsed.exercise


async def test_our_own_documents_read_back(site):
    ring = [[35.0, 139.0], [35.0, 139.1], [35.1, 139.1], [35.0, 139.0]]
    alert = await make_alert(site, kind="flood", polygon=ring, lat=35.03, lon=139.07, exercise=True,
                             description="River over its banks", instruction="Go to higher ground",
                             severity="Extreme", address="Riverside 3")
    [parsed] = parse_cap(alert_to_cap(alert, await updates_of(alert), site.settings))
    assert (parsed.identifier, parsed.sender, parsed.msg_type) == (alert.identifier, alert.sender, "Alert")
    assert parsed.exercise and parsed.kind == "flood"
    assert parsed.polygon == ring
    assert (parsed.title, parsed.description, parsed.instruction) == (alert.title, alert.description,
                                                                      alert.instruction)
    assert (parsed.severity, parsed.urgency, parsed.certainty) == ("Extreme", "Immediate", "Observed")
    step = await change_status(site, alert, "cancelled")
    [cancel] = parse_cap(alert_to_cap(alert, await updates_of(alert), site.settings))
    assert cancel.msg_type == "Cancel" and cancel.identifier == step.cap_identifier
    assert cancel.references[0][:2] == (alert.sender, alert.identifier)


async def test_apply_dedupes_and_follows_update_and_cancel(site, caplog):
    origin = site.settings.origin
    first = await apply_parsed(parse_cap(cap())[0], "https://fd.example/cap.xml", origin=origin)
    again = await apply_parsed(parse_cap(cap())[0], "https://fd.example/cap.xml", origin=origin)
    assert first.id == again.id
    assert await Alert.filter(sender="fd@kanagawa.example", identifier="KSN-1").count() == 1
    assert first.source == "https://fd.example/cap.xml" and first.status == "outbreak"

    ref = "fd@kanagawa.example,KSN-1,2026-11-23T19:20:00+09:00"
    update = cap("KSN-2", "Update", ref, extra_info="<expires>2026-11-24T19:20:00+09:00</expires>")
    await apply_parsed(parse_cap(update.replace(b"Spreading east", b"Contained on the ridge"))[0], "u", origin=origin)
    await apply_parsed(parse_cap(update)[0], "u", origin=origin)  # the same update again: nothing new
    alert = await Alert.get(id=first.id)
    assert alert.description == "Contained on the ridge" and alert.expires_at is not None
    assert await AlertUpdate.filter(alert_id=alert.id).count() == 2

    await apply_parsed(parse_cap(cap("KSN-3", "Cancel", "fd@kanagawa.example,KSN-2,2026-11-23T19:30:00+09:00"))[0],
                       "u", origin=origin)
    assert (await Alert.get(id=first.id)).status == "cancelled"
    # our CAP document for it now is a Cancel referencing the source's original
    doc = alert_to_cap(await Alert.get(id=first.id), await updates_of(alert), site.settings)
    assert b"<msgType>Cancel</msgType>" in doc and b"fd@kanagawa.example,KSN-1," in doc

    with caplog.at_level(logging.WARNING):
        lost = await apply_parsed(parse_cap(cap("X-9", "Update", "nobody@x,nothing,2026-01-01T00:00:00+00:00"))[0],
                                  "u", origin=origin)
    assert lost is None and "references no alert" in caplog.text


def test_feed_gives_cap_links_and_embedded_documents():
    inner = cap("EMB-1").split(b"?>", 1)[1].decode()
    feed = f"""<feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>t</title><updated>2026-11-23T00:00:00Z</updated>
<entry><id>1</id><link rel="alternate" type="text/html" href="https://fd.example/1"/>
<link rel="alternate" type="application/cap+xml" href="https://fd.example/1.cap"/></entry>
<entry><id>2</id><content type="application/cap+xml">{inner}</content></entry>
<entry><id>3</id><link href="javascript:alert(1)" type="application/cap+xml"/></entry></feed>""".encode()
    items = parse_feed(feed)
    assert items[0] == "https://fd.example/1.cap"
    assert parse_cap(items[1])[0].identifier == "EMB-1"
    assert len(items) == 2


BILLION_LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&lol3;</identifier></alert>"""
EXTERNAL = b"""<?xml version="1.0"?><!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&xxe;</identifier></alert>"""


@pytest.mark.parametrize("data, reason", [
    (BILLION_LAUGHS, "DOCTYPE"),
    (EXTERNAL, "DOCTYPE"),
    (EXTERNAL.decode().encode("utf-16"), "DOCTYPE"),
    (cap() + b" " * 5_000_000, "too large"),
    (cap().replace(b"emergency:cap:1.2", b"emergency:cap:1.1"), "namespace"),
    (b"\x89PNG\r\n\x1a\n\x00\x00garbage", "XML"),
    (cap()[:300], "XML"),
    (b"", "XML"),
    (cap().replace(b"<sender>fd@kanagawa.example</sender>", b""), "missing <sender>"),
    (cap().replace(b"2026-11-23T19:20:00+09:00", b"yesterday"), "<sent>"),
    (cap().replace(b"Moderate", b"Apocalyptic"), "<severity>"),
    (cap(area="<circle>95,139 1</circle>"), "out of range"),
    (cap(area="<polygon>35,139 35,140 36,140 36,139</polygon>"), "must close"),
    (cap(area="<geocode><valueName>x</valueName><value>1</value></geocode>"), "neither a circle nor a polygon"),
    (cap(msg_type="Update"), "needs <references>"),
    (cap(references="only-two,parts"), "references"),
])
def test_hostile_or_broken_input_is_refused_with_a_reason(data, reason):
    with pytest.raises(CapError, match=reason) as refused:
        parse_cap(data)
    assert "lol" not in str(refused.value) and "root:" not in str(refused.value)


def test_a_feed_with_a_doctype_or_not_atom_is_refused():
    with pytest.raises(CapError, match="DOCTYPE"):
        parse_feed(BILLION_LAUGHS)
    with pytest.raises(CapError, match="not an Atom feed"):
        parse_feed(cap())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_fuzz_random_bytes_raise_only_caperror(data):
    for parse in (parse_cap, parse_feed):
        try:
            parse(data)
        except CapError:
            pass


@settings(max_examples=300, deadline=None)
@given(st.integers(0, len(cap()) - 1), st.binary(min_size=1, max_size=8), st.booleans())
def test_fuzz_mutated_documents_raise_only_caperror(at, junk, replace):
    doc = cap()
    data = doc[:at] + junk + doc[at + (len(junk) if replace else 0):]
    for parse in (parse_cap, parse_feed):
        try:
            parse(data)
        except CapError:
            pass


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.text(max_size=60))
def test_fuzz_field_values_raise_only_caperror(identifier, area):
    from xml.sax.saxutils import escape

    data = cap(identifier=escape(identifier), area=f"<polygon>{escape(area)}</polygon><circle>{escape(area)}</circle>")
    try:
        parse_cap(data)
    except CapError:
        pass
