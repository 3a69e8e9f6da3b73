"""Word lists as text: parse, export, import round trip, per-instance edits."""

from moderation import Filter
from moderation.wordlist import parse

LIST = """\
# Our town's extra words
darn = 1
heck            # default severity
blow off = 3
ぽんこつ = 2
allow: darn tootin
allow: ぽんこつ車  # the car, not the person
"""


def test_parse_reads_terms_severities_and_allow_list():
    words, allow = parse(LIST)
    assert words == {"darn": 1, "heck": 2, "blow off": 3, "ぽんこつ": 2}
    assert allow == ["darn tootin", "ぽんこつ車"]


def test_severity_is_clamped_and_later_lines_win():
    words, _ = parse("a = 9\nb = 1\nb = 3\n")
    assert words == {"a": 4, "b": 3}


def test_export_import_round_trip():
    f = Filter.from_text(LIST)
    again = Filter.from_text(f.to_text())
    assert dict(again.words) == dict(f.words)
    assert again.allow == f.allow
    assert again.to_text() == f.to_text()


def test_from_text_filters_as_listed():
    f = Filter.from_text(LIST)
    assert f.scan("oh heck").flagged
    assert not f.scan("darn tootin").flagged
    assert f.scan("このポンコツ").flagged
    assert not f.scan("ポンコツ車を買った").flagged
    assert f.scan("b l o w  o f f").flagged  # spaced letters, multi-word term
    assert f.scan("blow off").flagged


def test_from_text_with_base_extends_the_default():
    f = Filter.from_text("numpty = 1\nallow: shiitake log\n", base=Filter.default())
    assert f.scan("numpty").flagged and f.scan("fuck").flagged
    assert "shiitake log" in f.allow
    assert len(f.words) == len(Filter.default().words) + 1


def test_default_lists_export_and_reload_to_the_same_filter():
    default = Filter.default()
    again = Filter.from_text(default.to_text())
    assert dict(again.words) == dict(default.words) and again.allow == default.allow


def test_header_is_written_as_comments():
    text = Filter({"darn": 1}).to_text(header="Town of Example\nedited 2026-11-23")
    assert text.startswith("# Town of Example\n# edited 2026-11-23\n")
    assert parse(text) == ({"darn": 1}, [])
