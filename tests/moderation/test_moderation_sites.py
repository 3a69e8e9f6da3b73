"""Directed cases for the gates' edges: gaps of exactly `latin.MAX_GAP` characters, Japanese runs
at the text's start and after a character the look-behind reads, Latin and Japanese in one text
(read whole), each compared with the exact matchers run over the whole text."""

import pytest

from moderation.latin import MAX_GAP

from test_moderation_fast_path import CUSTOM, FILTER, reference_scan

WORDS = ["fuck", "shit", "blow job", "kill yourself", "cum laude", "ass"]
GAPS = [" " * n for n in range(1, MAX_GAP + 2)] + ["、" * n for n in range(1, MAX_GAP + 2)] + [
    " ・ ", "·" * MAX_GAP, "·" * (MAX_GAP + 1), "? ?", "?", "\u200b \u200b", "é", "\n", " \n "]


@pytest.mark.parametrize("gap", GAPS)
def test_spaced_and_multi_word_terms_across_every_gap(gap):
    for word in WORDS:
        spelt = gap.join(word)
        for text in [spelt, word.replace(" ", gap), "a " + spelt + " b", "x?" + spelt + "?y"]:
            for f in (FILTER, CUSTOM):
                assert f.scan(text) == reference_scan(f, text), text


JAPANESE = [
    "しね", "しねばかり", "ばかりしね", "お前 し ね", "〜しました ね", "「し ね」", "漢し ね",
    "ばか、ばかり。ばか", "シネマに行ったらしね", "ぽんこつ車とぽんこつ", "fuck ばかり", "ばかり fuck",
    "maine coon しね", "summa cum laude ばかり", "ﾊﾞｶ", "ば\u3099か", "し・ね・ばかり", "死ねない死ね",
    "楽しね楽しいね",
]


@pytest.mark.parametrize("text", JAPANESE)
def test_japanese_runs_read_alone_give_the_whole_texts_verdict(text):
    for f in (FILTER, CUSTOM):
        for t in (text, " " + text, text + " x", "\n".join([text, text])):
            for lang in (None, "ja"):
                assert f.scan(t, lang=lang) == reference_scan(f, t, lang), t
