"""Ordinary community posts in English and Japanese are never flagged."""

from pathlib import Path

import pytest

import moderation

HERE = Path(__file__).parent


def _posts(name):
    lines = (HERE / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("name", ["corpus_ok_en.txt", "corpus_ok_ja.txt"])
def test_corpus_is_large_enough(name):
    assert len(_posts(name)) >= 60


@pytest.mark.parametrize("post", _posts("corpus_ok_en.txt") + _posts("corpus_ok_ja.txt"))
def test_ordinary_post_is_not_flagged(post):
    verdict = moderation.scan(post)
    assert not verdict.flagged, [(m.term, post[m.start:m.end]) for m in verdict.matches]
    assert verdict.score == 0
    assert moderation.censor(post) == post


def test_whole_corpus_as_one_text_is_not_flagged():
    text = "\n".join(_posts("corpus_ok_en.txt") + _posts("corpus_ok_ja.txt"))
    assert not moderation.scan(text).flagged
