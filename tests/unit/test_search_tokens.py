"""The search tokenizer: English words, Japanese bigrams, and queries that can never be SQL syntax."""

import re

from hypothesis import given, strategies as st

from sns.search.snippets import excerpt
from sns.search.tokens import fts5_match, parse_query, tokens, tsquery, tsvector


def test_english_words_are_case_folded_and_split_on_punctuation():
    assert tokens("The TYPHOON's eye, 2026-09-01!") == ["the", "typhoon", "s", "eye", "2026", "09", "01"]


def test_japanese_runs_become_overlapping_bigrams_and_their_last_character():
    assert tokens("避難所") == ["避難", "難所", "所"]
    assert tokens("火事") == ["火事", "事"]
    assert tokens("雨") == ["雨"]


def test_two_character_words_are_found_inside_a_sentence():
    stored = set(tokens("近所で火事があり、避難しました"))
    for word in ("火事", "避難"):
        q = parse_query(word)
        assert q.exact == [word] and set(q.exact) <= stored


def test_a_longer_query_needs_all_its_bigrams_and_is_checked_as_written():
    q = parse_query("避難所")
    assert q.exact == ["避難", "難所"] and q.phrases == ["避難所"]


def test_one_character_is_a_prefix_search():
    q = parse_query("火")
    assert q.prefix == ["火"] and fts5_match(q) == '"火"*' and tsquery(q) == "'火':*"
    # every character of a stored run starts a token, so a prefix finds each of them
    assert all(any(t.startswith(ch) for t in tokens("大雨警報")) for ch in "大雨警報")


def test_mixed_text_and_full_width_letters():
    assert tokens("ＡＢＣ公園でBBQ") == ["abc", "公園", "園で", "で", "bbq"]
    assert parse_query("ＡＢＣ").exact == ["abc"]
    assert tokens("ｶﾀｶﾅ") == ["カタ", "タカ", "カナ", "ナ"]  # half-width katakana are normalized


def test_operators_and_odd_characters_are_never_syntax():
    q = parse_query('"火事" OR NEAR(a* ^b) -c title:d \\ \x00 \ud800 😀 ・')
    assert q.exact == ["火事", "or", "near", "a", "b", "c", "title", "d"]
    assert fts5_match(q) == '"火事" AND "or" AND "near" AND "a" AND "b" AND "c" AND "title" AND "d"'
    assert parse_query("!!! 😀 ・。").empty


@given(st.text(max_size=300))
def test_any_text_gives_quotable_tokens(text):
    for token in tokens(text) + parse_query(text).exact:
        assert token and not re.search(r"[\s\"'\\*:()^&|!<>_-]", token)
    assert "\x00" not in tsvector(text, text)


def test_excerpt_marks_words_in_the_original_text():
    e = excerpt("Fire drill at the ＡＥＤ point; before and after", ["aed", "for"])
    assert e.text[e.marks[0][0]:e.marks[0][1]] == "ＡＥＤ"
    assert len(e.marks) == 1  # "for" is not marked inside "before"
    assert str(e.html()).count("<mark>") == 1
