"""English and Japanese ship complete (DESIGN invariant 12).

1. Every message in the source tree (extracted now, with babel.cfg, the way
   `pybabel extract` does) has a Japanese translation with the same
   placeholders and markup. Adding an untranslated string fails here; see
   docs/translations.md for the three commands that fix it.
2. A resident reading in Japanese sees no English message text on any main page.
3. The language follows the resident's setting, else the `lang` cookie, else
   Accept-Language, and the footer form switches it.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from PIL import Image

from fixtures import PASSWORD
from sns import i18n
from sns.models import User

ROOT = Path(__file__).resolve().parents[2]
PO_FILE = ROOT / "sns" / "locale" / "ja" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER_RE = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%%")
TAG_RE = re.compile(r"</?[a-zA-Z][^>]*>")
HOW_TO_FIX = "see docs/translations.md: pybabel extract, pybabel update, translate, test again"


# --- 1. the catalogue is complete ---------------------------------------------------

def _method_map():
    try:
        from babel.messages.frontend import parse_mapping_cfg
    except ImportError:  # Babel < 2.14
        from babel.messages.frontend import parse_mapping as parse_mapping_cfg
    with open(ROOT / "babel.cfg", encoding="utf-8") as fh:
        return parse_mapping_cfg(fh)


def extract_source_messages() -> dict[str | tuple[str, ...], list[str]]:
    """msgid (or (singular, plural)) -> where it is used, read from the code as it is now."""
    method_map, options_map = _method_map()
    found: dict = defaultdict(list)
    for filename, lineno, message, _comments, context in extract_from_dir(str(ROOT), method_map, options_map):
        assert context is None, f"{filename}:{lineno}: message contexts are not used by sns.i18n"
        key = message if isinstance(message, str) else tuple(message)
        if key:
            found[key].append(f"{filename}:{lineno}")
    return found


def load_ja():
    with PO_FILE.open("rb") as fh:
        return read_po(fh, locale="ja")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER_RE.findall(text))


def tags(text: str) -> list[str]:
    return sorted(TAG_RE.findall(text))


def _fill(text: str, names) -> str:
    values = {n: 1 for n in names if n}
    return text % values


def test_extraction_finds_python_and_template_messages():
    found = extract_source_messages()
    where = {loc.split(":")[0].split("/")[0] for locs in found.values() for loc in locs}
    assert {"sns", "templates"} <= where, where
    assert "Sign in" in found and "You are signed out." in found  # a template, and N_() in Python
    assert any(isinstance(k, tuple) for k in found), "ngettext in templates is extracted with its plural"


def test_every_message_has_a_japanese_translation_with_the_same_placeholders():
    catalog = load_ja()
    assert catalog.plural_forms == "nplurals=1; plural=0;"
    problems = []
    for key, where in sorted(extract_source_messages().items(), key=lambda kv: str(kv[0])):
        msgid = key if isinstance(key, str) else key[0]
        plural = None if isinstance(key, str) else key[1]
        message = catalog.get(msgid)
        at = where[0]
        if message is None:
            problems.append(f"{at}: not in messages.po: {msgid!r}")
            continue
        if message.fuzzy:
            problems.append(f"{at}: marked fuzzy (check it, then remove the flag): {msgid!r}")
            continue
        if plural is not None and (not isinstance(message.id, tuple) or message.id[1] != plural):
            problems.append(f"{at}: plural form changed, run pybabel update: {msgid!r}")
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not strings or not all(s and s.strip() for s in strings):
            problems.append(f"{at}: no Japanese translation: {msgid!r}")
            continue
        source = plural if plural is not None else msgid
        for translated in strings:
            if placeholders(translated) != placeholders(source):
                problems.append(f"{at}: placeholders differ: {msgid!r} {placeholders(source)} -> "
                                f"{translated!r} {placeholders(translated)}")
            elif tags(translated) != tags(source):
                problems.append(f"{at}: HTML markup differs: {msgid!r} -> {translated!r}")
            else:
                names = [m.group(1) for m in PLACEHOLDER_RE.finditer(source)]
                try:
                    _fill(translated, names)
                except (ValueError, TypeError, KeyError) as exc:
                    problems.append(f"{at}: cannot be formatted ({exc}; write a literal % as %%): {translated!r}")
    assert not problems, f"{len(problems)} message(s) to fix ({HOW_TO_FIX}):\n" + "\n".join(problems)


def test_translations_load_and_format():
    with i18n.using_locale("ja"):
        assert i18n.gettext("Sign in") == "ログイン"
        assert i18n.gettext("Diary of %(name)s", name="山田花子") == "山田花子 さんの日記"
    with i18n.using_locale("en"):
        assert i18n.gettext("Diary of %(name)s", name="Hanako") == "Diary of Hanako"


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_format_time_says_what_babel_says(locale):
    """`format_time` keeps its patterns parsed; the text is Babel's own `format_datetime`."""
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfo

    from babel.dates import format_datetime

    start = datetime(2024, 12, 31, 14, 59, 59, tzinfo=timezone.utc)  # New Year in Tokyo
    moments = [start + timedelta(hours=h * 7, minutes=h * 13) for h in range(60)]
    moments.append(start.replace(tzinfo=None))  # naive: taken as UTC, as Babel does
    with i18n.using_locale(locale):
        for fmt in ("short", "medium", "long", "full", "yyyy-MM-dd HH:mm"):
            for moment in moments:
                expected = format_datetime(moment, format=fmt, locale=locale, tzinfo=ZoneInfo("Asia/Tokyo"))
                assert i18n.format_time(moment, fmt) == expected
    assert i18n.format_time(None) == ""


# --- 2. Japanese pages show no English message text ------------------------------------

class VisibleText(HTMLParser):
    """What a reader sees or hears: text outside script/style, and alt/title/aria-label/placeholder."""

    ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.lang = None
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag in ("script", "style"):
            self._hidden += 1
        if tag == "link":  # feed titles are read by feed readers, not shown on the page
            return
        self.parts.extend(v for k, v in attrs.items() if k in self.ATTRIBUTES and v)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible(html: str) -> VisibleText:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser


def english_fragments() -> dict[str, str]:
    """Pieces of English msgid text (between placeholders and tags) -> the msgid they come from."""
    fragments = {}
    for message in load_ja():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for msgid in ids:
            for piece in re.split(PLACEHOLDER_RE.pattern + "|" + TAG_RE.pattern, msgid):
                piece = (piece or "").strip()
                if re.search(r"[A-Za-z]{2,}", piece):
                    fragments[piece] = msgid
    return fragments


def english_on_page(text: str, fragments: dict[str, str]) -> list[str]:
    found = []
    for piece, msgid in fragments.items():
        if re.search(r"(?<![A-Za-z])" + re.escape(piece) + r"(?![A-Za-z])", text):
            found.append(f"{piece!r} (from {msgid!r})")
    return found


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
async def town(site):
    """A small town whose every page section has something in it; all user text is Japanese."""
    from sns.services import diaries, friends, invitations, notices

    admin = await site.user("kanri", role="admin", display_name="市役所 管理係")
    hanako = await site.user("hanako", display_name="山田 花子")
    taro = await site.user("taro", display_name="鈴木 太郎")
    yuki = await site.user("yuki", display_name="田中 由紀")
    ken = await site.user("ken", display_name="佐藤 健")
    await site.user("machi", display_name="承認待ちの人", state="pending")
    admin_ctx, hanako_ctx = await site.ctx_for(admin), await site.ctx_for(hanako)

    await friends.request_friend(hanako_ctx, admin.id)
    await friends.accept(await site.ctx_for(admin), hanako.id)
    await friends.request_friend(await site.ctx_for(taro), admin.id)   # incoming
    await friends.request_friend(await site.ctx_for(admin), yuki.id)   # outgoing
    await friends.block(await site.ctx_for(admin), ken.id)
    admin_ctx, hanako_ctx = await site.ctx_for(admin), await site.ctx_for(hanako)

    diary = await diaries.write_diary(admin_ctx, title="秋祭りのお知らせ", body="提灯行列は十八時からです。",
                                      visibility="members", lat="32.5073", lon="130.6016", photos=[_png()])
    await diaries.write_diary(await site.ctx_for(hanako), title="朝の散歩", body="川辺にサギがいました。",
                              visibility="friends")
    await diaries.add_comment(hanako_ctx, diary.id, "楽しみにしています。")
    notice = await notices.post_notice(admin_ctx, title="断水のお知らせ", body="明日は九時から断水します。")
    await invitations.invite(admin_ctx, email="", note="隣の田中さん", send_mail=False)
    return {"admin": admin, "hanako": hanako, "diary": diary, "notice": notice}


def ja_client(site):
    client = site.client()
    client.headers["Accept-Language"] = "ja"
    client.cookies.set("lang", "ja", domain="test.example")
    return client


async def _assert_japanese(client, path: str, fragments, status: int = 200) -> None:
    response = await client.get(path)
    assert response.status_code == status, (path, response.status_code)
    page = visible(response.text)
    assert page.lang == "ja", (path, page.lang)
    leaks = english_on_page(" ".join(page.parts), fragments)
    assert not leaks, f"English on {path} in Japanese: " + "; ".join(leaks)


async def test_pages_for_visitors_are_all_japanese(site, town):
    client = ja_client(site)
    fragments = english_fragments()
    for path in ("/", "/login", "/diaries", "/notices", f"/notices/{town['notice'].id}", "/signup",
                 "/password/forgot", "/people/kanri"):
        await _assert_japanese(client, path, fragments)
    await _assert_japanese(client, "/diaries/no-such-diary", fragments, status=404)


async def test_pages_for_a_signed_in_resident_and_the_admin_are_all_japanese(site, town):
    client = ja_client(site)
    await client.login("kanri")
    fragments = english_fragments()
    diary_id = town["diary"].id
    for path in (
        "/home", "/diaries", f"/diaries/{diary_id}", "/diaries/new", f"/diaries/{diary_id}/edit",
        "/friends", "/people", "/people?q=山田", "/people/hanako", "/people/kanri", "/people/taro",
        "/people/yuki", "/notices", "/notices/new", f"/notices/{town['notice'].id}",
        "/settings", "/settings/profile", "/settings/profile?welcome=1", "/settings/password", "/settings/delete",
        "/admin/users", "/admin/users?state=pending", "/admin/invitations", "/admin/site",
    ):
        await _assert_japanese(client, path, fragments)
    await _assert_japanese(client, "/people/ken", fragments)  # the blocker may open it, to unblock
    # A rejected form answers in Japanese too, next to the field.
    response = await client.submit("/diaries/new", {"title": "", "body": "本文", "visibility": "members"})
    assert response.status_code == 400
    assert "この項目を入力してください。" in response.text
    assert not english_on_page(" ".join(visible(response.text).parts), fragments)
    # So do the flash message after a redirect, and the feeds.
    response = await client.submit("/settings/tokens", {"name": "テスト", "password": PASSWORD})
    assert response.status_code == 200
    response = await client.submit("/friends/unblock", {"user_id": (await User.get(username="ken")).id},
                                   follow=True)
    assert "この住民のブロックを解除しました。" in response.text
    feed = await client.get("/feeds/notices.atom")
    assert "市からのお知らせ" in feed.text and "official notices" not in feed.text


async def test_csrf_refusal_is_in_japanese(site, town):
    client = ja_client(site)
    response = await client.post("/login", data={"username": "kanri", "password": PASSWORD})
    assert response.status_code == 403
    assert "このフォームは有効期限が切れているか" in response.text


async def test_the_500_page_is_in_japanese(site, town):
    import httpx
    from starlette.routing import Route

    async def broken(request):
        raise RuntimeError("a bug, for this test")

    route = Route("/i18n-test-broken", broken)
    site.app.router.routes.append(route)
    try:
        transport = httpx.ASGITransport(app=site.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test.example") as client:
            response = await client.get("/i18n-test-broken", headers={"Accept-Language": "ja"})
    finally:
        site.app.router.routes.remove(route)
    assert response.status_code == 500
    page = visible(response.text)
    assert page.lang == "ja" and "エラーが発生しました" in response.text
    assert not english_on_page(" ".join(page.parts), english_fragments())


async def test_password_reset_mail_follows_the_residents_language(site, town):
    from sns.models import OutboxMail
    from sns.services.accounts import request_password_reset

    await User.filter(username="hanako").update(locale="ja")
    before = set(await OutboxMail.all().values_list("id", flat=True))
    with i18n.using_locale("en"):  # asked from an English page
        await request_password_reset(site.ctx(), "hanako")
    sent = await OutboxMail.exclude(id__in=list(before))
    assert sent and sent[0].subject == "パスワードの再設定について"
    assert "hanako さんのパスワード" in sent[0].body


# --- 3. choosing the language ----------------------------------------------------------

async def _lang(client, path: str = "/login") -> str:
    response = await client.get(path)
    assert response.status_code == 200
    return visible(response.text).lang


async def test_accept_language_picks_japanese_when_it_is_preferred(site, town):
    client = site.client()
    assert await _lang(client) == site.settings.default_locale
    for header, expected in (("ja", "ja"), ("ja-JP,ja;q=0.9,en;q=0.5", "ja"), ("en-US,en;q=0.9", "en"),
                             ("fr-FR, ja;q=0.3, en;q=0.2", "ja"), ("en;q=0.4, ja;q=0.8", "ja")):
        client.headers["Accept-Language"] = header
        assert await _lang(client) == expected, header
    client.headers["Accept-Language"] = "ja"
    client.cookies.set("lang", "en", domain="test.example")
    assert await _lang(client) == "en", "a chosen language (cookie) beats Accept-Language"


async def test_a_signed_in_residents_saved_setting_wins(site, town):
    await User.filter(username="taro").update(locale="ja")
    client = site.client()
    client.headers["Accept-Language"] = "en"
    client.cookies.set("lang", "en", domain="test.example")
    await client.login("taro")
    assert await _lang(client, "/home") == "ja"
    assert "マイページ" in (await client.get("/home")).text


async def test_the_footer_form_switches_the_language_and_remembers_it(site, town):
    client = site.client()
    client.headers["Accept-Language"] = "en"
    assert await _lang(client, "/diaries") == "en"
    response = await client.submit("/settings/language", {"lang": "ja", "next": "/diaries"})
    assert response.status_code == 303 and response.headers["location"] == "/diaries"
    assert await _lang(client, "/diaries") == "ja"
    response = await client.submit("/settings/language", {"lang": "en", "next": "/diaries"})
    assert await _lang(client, "/diaries") == "en"
    response = await client.submit("/settings/language", {"lang": "xx", "next": "//evil.example"})
    assert response.headers["location"] == "/home"

    # Signed in, the choice is also saved on the account and follows the resident.
    await client.login("yuki")
    await client.submit("/settings/language", {"lang": "ja", "next": "/settings"})
    assert (await User.get(username="yuki")).locale == "ja"
    other_browser = site.client()
    other_browser.headers["Accept-Language"] = "en"
    await other_browser.login("yuki")
    assert await _lang(other_browser, "/settings") == "ja"


async def test_moderation_pages_are_all_japanese(site, town):
    """The review queue, the log, the word list and a resident's own page, each with something in it."""
    from sns.models import Flag
    from sns.services import diaries, review

    hanako_ctx = await site.ctx_for(town["hanako"])
    held = await diaries.write_diary(hanako_ctx, title="うるさい", body="隣の人、死ね。", visibility="members")
    removed = await diaries.write_diary(hanako_ctx, title="もう一度", body="本当にうざい。", visibility="members")
    admin_ctx = await site.ctx_for(town["admin"])
    flag = await Flag.get(target_id=removed.id)
    await review.act(admin_ctx, flag.id, "remove", "言葉に気をつけてください。")
    await review.report(hanako_ctx, "diary", town["diary"].id, "テストの通報")
    fragments = english_fragments()

    admin = ja_client(site)
    await admin.login("kanri")
    for path in ("/moderation", "/moderation/log", "/admin/words", "/moderation/mine"):
        await _assert_japanese(admin, path, fragments)
    hanako = ja_client(site)
    await hanako.login("hanako")
    for path in ("/moderation/mine", f"/diaries/{held.id}"):
        await _assert_japanese(hanako, path, fragments)
    response = await hanako.submit("/diaries/new", {"title": "また", "body": "死ね", "visibility": "members"},
                                   follow=True)
    assert "言葉のフィルター" in response.text
