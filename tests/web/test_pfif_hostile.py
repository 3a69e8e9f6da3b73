"""Hostile and broken PFIF documents uploaded to the disaster desk's import (docs/pfif.md): entities ("billion
laughs", external files and DTDs), oversized, too deep, malformed, the wrong encoding, an older PFIF, XML that
is not PFIF and files that are not XML are all refused with a clear message next to the file field, the
source's name kept, and nothing stored; each refusal is in the staff action log. Every one of them carries a
valid note about a resident, which would be stored if any part of the document were read."""

import pytest

from fixtures import make_site
from sns.models import PfifNote, StaffActionLog
from sns.services import disaster
from sns.services.pfif_format import NS

LIMIT = 64 * 1024


@pytest.fixture(scope="module")
async def site(tmp_path_factory):
    async with make_site(tmp_path_factory.mktemp("pfif-hostile"), pfif_max_import_bytes=LIMIT) as s:
        yield s


@pytest.fixture(scope="module")
async def town(site):
    resident = await site.user("pfhresident", display_name="Haru")
    desk_user = await site.user("pfhdesk", role="disaster")
    await disaster.start_event(await site.ctx_for(desk_user), name="Hostile quake", drill=True)
    desk = site.client()
    await desk.login(desk_user.username)
    note = (f"<pfif:note><pfif:note_record_id>evil.example/note.1</pfif:note_record_id>"
            f"<pfif:person_record_id>test.example/person.{resident.id}</pfif:person_record_id>"
            f"<pfif:author_name>Mallory</pfif:author_name>"
            f"<pfif:source_date>2026-12-07T01:00:00Z</pfif:source_date><pfif:text>TEXT</pfif:text></pfif:note>")
    return {"desk": desk, "note": note}


def pfif(body: str, ns: str = NS, head: str = '<?xml version="1.0" encoding="UTF-8"?>\n', doctype: str = "") -> str:
    return f'{head}{doctype}<pfif:pfif xmlns:pfif="{ns}">{body}</pfif:pfif>'


LAUGHS = ('<!DOCTYPE pfif [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
          '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
          '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>')
PASSWD = '<!DOCTYPE pfif [<!ENTITY passwd SYSTEM "file:///etc/passwd">]>'
REMOTE_DTD = '<!DOCTYPE pfif SYSTEM "http://127.0.0.1:9/pfif.dtd">'
DOCTYPE = "The file declares a DOCTYPE or entities"
NOT_UTF8 = "The file is not in UTF-8"
NOT_PFIF = "This is not a PFIF 1.4 document"


def cases(note: str) -> dict[str, tuple[bytes, str]]:
    """name -> (the file, what the page says)."""
    return {
        "billion laughs": (pfif(note.replace("TEXT", "&lol4;"), doctype=LAUGHS).encode(), DOCTYPE),
        "an external file": (pfif(note.replace("TEXT", "&passwd;"), doctype=PASSWD).encode(), DOCTYPE),
        "an external DTD": (pfif(note, doctype=REMOTE_DTD).encode(), DOCTYPE),
        "a DOCTYPE in UTF-16": (pfif(note, doctype=PASSWD, head='<?xml version="1.0" encoding="UTF-16"?>\n')
                                .encode("utf-16"), NOT_UTF8),
        "over the size limit": (pfif(note + "<!-- padding -->" * (LIMIT // 16)).encode(), "The file is too large"),
        "too deep": (pfif(note + "<x>" * 5000 + "</x>" * 5000).encode(), "The file is not well-formed XML"),
        "malformed": (pfif(note + "<pfif:note><pfif:text>cut off").encode(), "The file is not well-formed XML"),
        "Shift_JIS bytes said to be UTF-8": (pfif(note.replace("TEXT", "無事です")).encode("shift_jis"), NOT_UTF8),
        "declared Shift_JIS": (pfif(note.replace("TEXT", "無事です"),
                                    head='<?xml version="1.0" encoding="Shift_JIS"?>\n').encode("shift_jis"),
                               NOT_UTF8),
        "PFIF 1.3": (pfif(note, ns="http://zesty.ca/pfif/1.3").encode(), "This is an older PFIF document"),
        "no namespace": (pfif(note).replace(f' xmlns:pfif="{NS}"', "").replace("pfif:", "").encode(), NOT_PFIF),
        "an undeclared prefix": (pfif(note).replace(f' xmlns:pfif="{NS}"', "").encode(),
                                 "The file is not well-formed XML"),
        "PFIF notes inside an Atom feed": (f'<feed xmlns="http://www.w3.org/2005/Atom" xmlns:pfif="{NS}"><entry>'
                                           f'{note}</entry></feed>'.encode(), NOT_PFIF),
        "PFIF's element in another namespace": (pfif(note, ns="http://evil.example/pfif").encode(), NOT_PFIF),
        "a PNG": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, NOT_UTF8),
        "plain text": (b"person_record_id,full_name\ntest.example/person.1,Haru\n", "The file is not well-formed XML"),
        "empty": (b"   ", "Choose a PFIF file to import"),
    }


@pytest.mark.parametrize("name", list(cases("")))
async def test_a_hostile_or_broken_document_is_refused_and_nothing_is_stored(site, town, name):
    data, says = cases(town["note"])[name]
    before = await StaffActionLog.filter(action="pfif.import").count()
    r = await town["desk"].submit("/disaster/pfif/import", {"source": "Evil <registry>"},
                                  files={"document": ("evil.xml", data, "application/xml")})
    assert r.status_code == 400, (name, r.text[:300])
    error = r.text.split('id="document-error"', 1)[1][:400]
    assert says in error, (name, error)
    assert 'value="Evil &lt;registry&gt;"' in r.text and "Nothing was stored" in r.text
    assert "root:" not in r.text and "lollol" not in r.text
    assert await PfifNote.all().count() == 0
    logged = await StaffActionLog.filter(action="pfif.import").order_by("-created_at").first()
    assert await StaffActionLog.filter(action="pfif.import").count() == before + 1
    assert logged.detail.startswith("Evil <registry>: refused")


async def test_the_same_note_in_a_sound_document_is_stored(site, town):
    """The control: the note every hostile document carried is read when the document is sound."""
    r = await town["desk"].submit("/disaster/pfif/import", {"source": "Sound registry"},
                                  files={"document": ("ok.xml", pfif(town["note"]).encode(), "application/xml")})
    assert r.status_code == 200 and "1 note about our residents stored, 0 skipped." in r.text
    assert await PfifNote.filter(note_record_id="evil.example/note.1").count() == 1


async def test_without_a_source_name_the_form_comes_back(site, town):
    r = await town["desk"].submit("/disaster/pfif/import", {"source": " "},
                                  files={"document": ("ok.xml", pfif(town["note"]).encode(), "application/xml")})
    assert r.status_code == 400 and 'id="source-error"' in r.text
