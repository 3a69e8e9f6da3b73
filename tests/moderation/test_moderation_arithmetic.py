"""Digits joined by '*' are arithmetic, not leet: a wildcard alone does not make a number a word."""

import pytest

import moderation


@pytest.mark.parametrize("text", ["{{ 7*7 }}", "4*5 = 20", "a 2*3 m room", "1*1*1"])
def test_products_of_numbers_are_not_words(text):
    assert not moderation.scan(text).flagged


@pytest.mark.parametrize("text", ["f*ck", "sh*t", "f**k", "a55", "$h1t"])
def test_wildcards_inside_words_still_count(text):
    assert moderation.scan(text).flagged
