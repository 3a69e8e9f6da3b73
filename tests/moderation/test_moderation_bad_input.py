"""Bad input: no crash, sensible answers, work that grows linearly with the text."""

import pytest

import moderation
from moderation import latin


@pytest.mark.parametrize("text", [
    None, "", " ", "\x00", "\ud800", "fu\udc00ck", "\udfff\ud800", "🙂" * 50, "\u200b" * 100,
    "̈" * 100, "*" * 1000, "@" * 1000, "!" * 1000, "f" * 10000, "f u " * 2000, "ﷺ" * 10,
    "ｆｕｃｋ" + "\u0301" * 500, "ﾊﾞ" * 1000, "ー" * 1000, "\n" * 1000, "a.b-c_d" * 500,
])
def test_odd_input_does_not_crash(text):
    verdict = moderation.scan(text)
    assert isinstance(verdict.flagged, bool)
    censored = moderation.censor(text)
    assert len(censored) == len(text or "")


def test_lone_surrogates_between_letters_are_invisible():
    assert moderation.scan("fu\ud800ck").flagged
    assert moderation.censor("fu\ud800ck") == "*****"


def test_non_strings_are_scanned_as_text():
    assert not moderation.scan(12345).flagged
    assert moderation.scan(b"fuck".decode()).flagged


def test_mixed_scripts():
    text = "Привет! こんにちは 你好 안녕하세요 مرحبا fuck שלום"
    verdict = moderation.scan(text)
    assert [text[m.start:m.end] for m in verdict.matches] == ["fuck"]


def test_work_grows_linearly(monkeypatch):
    """Count the exact checks (`fits`) and dictionary lookups: ten times the text, ten times the work."""
    calls = {"fits": 0, "lookup": 0}
    real_fits, real_lookup = latin.fits, latin.LatinMatcher._lookup

    def counting_fits(*args):
        calls["fits"] += 1
        return real_fits(*args)

    def counting_lookup(self, *args, **kwargs):
        calls["lookup"] += 1
        return real_lookup(self, *args, **kwargs)

    monkeypatch.setattr(latin, "fits", counting_fits)
    monkeypatch.setattr(latin.LatinMatcher, "_lookup", counting_lookup)
    post = "Shiitake day! f u c k, s.h.i.t and @ss at the cocktail party; シネ 楽しね. "
    counts = []
    for n in (100, 1000):
        f = moderation.Filter(moderation.default_filter().words, moderation.default_filter().allow)
        calls.update(fits=0, lookup=0)
        verdict = f.scan(post * n)
        counts.append(dict(calls))
        assert len([m for m in verdict.matches if m.severity >= 1]) == 5 * n
    assert counts[1]["fits"] <= 10 * counts[0]["fits"] + 50
    assert counts[1]["lookup"] <= 10 * counts[0]["lookup"] + 50


def test_a_megabyte_is_scanned():
    text = ("The festival is on Saturday. f.u.c.k シネ " * 30000)[:1_000_000]
    verdict = moderation.scan(text)
    assert verdict.flagged and len(verdict.matches) > 10000
