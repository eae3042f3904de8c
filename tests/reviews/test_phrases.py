import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviews.classification import lexicon as lx
from reviews.classification import opinions
from reviews.classification.dictionaries import ASPECTS, COMPLAINTS
from reviews.classification.scanner import compile_alternatives
from reviews.evaluation import load_eval_set

DICTIONARIES = {
    **{f"phrases:{cause}": patterns for cause, patterns in lx.PHRASES.items()},
    **{f"aspects:{cause}": patterns for cause, patterns in lx.ASPECTS.items()},
    "opinions": lx.OPINIONS,
}


WORD_CLASSES = {
    f"{module.__name__.rsplit('.', 1)[-1]}.{name}": value
    for module in (lx, opinions)
    for name, value in vars(module).items()
    if isinstance(value, re.Pattern)
}


def _without_lookahead(pattern: re.Pattern) -> re.Pattern:
    """The word class as plain `re` compiles it: the scanner's `(?=[...])` taken off (its characters are escaped,
    so the first `])` ends it)."""
    source = pattern.pattern
    if source.startswith("(?=["):
        source = source[source.index("])", len("(?=[")) + len("])") :]
    return re.compile(source, pattern.flags)


@pytest.mark.parametrize("name", list(WORD_CLASSES))
def test_a_word_class_matches_exactly_where_its_plain_pattern_does(name):
    fast = WORD_CLASSES[name]
    plain = _without_lookahead(fast)
    texts = [row["text"] for row in load_eval_set()] + ["但是quality差", "价格太贵, but OK", "", "以后万一坏了"]
    for text in texts:
        assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)], text
    for text in texts[:200]:  # the rules also match at a position (a clause's start, just after a phrase)
        assert [bool(fast.match(text, i)) for i in range(len(text))] == [
            bool(plain.match(text, i)) for i in range(len(text))
        ], text


@pytest.mark.parametrize("name", list(DICTIONARIES))
def test_prefiltered_dictionary_finds_exactly_what_the_plain_alternation_finds(name):
    texts = [row["text"] for row in load_eval_set()] + ["3天才到,色差", "２天才到", "", "broken, BAD colour"]
    for flags, patterns in [(0, [p for p in DICTIONARIES[name] if not p.isascii()]), (re.I, DICTIONARIES[name])]:
        if not patterns:
            continue
        plain = re.compile("|".join(f"(?:{p})" for p in patterns), flags)
        fast = compile_alternatives(patterns, flags)
        for text in texts:
            assert [(m.span(), m.group(0)) for m in fast.finditer(text)] == [
                (m.span(), m.group(0)) for m in plain.finditer(text)
            ], text


def test_first_characters_become_a_lookahead_including_every_unicode_digit():
    fast = compile_alternatives([r"(?<!不)色差", r"(?:\d+|[一二])天才到", r"\bbroken\b"])
    assert fast.pattern.startswith("(?=[")
    assert fast.search("等了３天才到")  # a full-width digit is a \d too
    assert not fast.search("没有问题")


def test_patterns_that_can_start_anywhere_are_left_as_they_are():
    assert compile_alternatives([r".*差", r"好"]).pattern == "(?:.*差)|(?:好)"
    assert compile_alternatives([r"差?"]).pattern == "(?:差?)"


_FRAGMENTS = [
    *{text[i : i + 4] for text in [row["text"] for row in load_eval_set()[:200]] for i in range(0, len(text), 4)},
    "色差", "质量差", "物流慢", "3天才到", "没有", "，", "。", "不好意思",
    " but ", " colour ", " broken ", " size ", " poor quality ", " arrived late ", " too small ", " rude ",
]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(sorted(_FRAGMENTS)), max_size=12).map("".join))
def test_a_scan_of_every_dictionary_at_once_finds_where_the_first_phrase_of_any_starts(text):
    # Intake starts each cause's scan there, and skips a clause's aspects where none is found (classification).
    for book in (COMPLAINTS, ASPECTS):
        union, per_cause = book.union, book.matchers
        starts = [m.start() for matcher in per_cause.values() for m in matcher.finditer(text)]
        assert union.leftmost(text) == min(starts, default=-1)
        assert union.search(text) == bool(starts)


def test_phrases_are_tried_in_runs_in_their_order():
    # More phrases than one run holds: the first phrase that matches at a position is still the first in the list.
    patterns = [f"甲{n}" for n in range(40)] + ["色", "色差", "质量差"] + [f"乙{n}" for n in range(40)] + ["色差太大"]
    fast = compile_alternatives(patterns)
    plain = re.compile("|".join(f"(?:{p})" for p in patterns))
    for text in ["色差太大", "质量差,色差", "甲39乙3甲1", "乙39色", "没有问题", ""]:
        assert [m.group(0) for m in fast.finditer(text)] == [m.group(0) for m in plain.finditer(text)]
    assert fast.search("甲1色差").group(0) == "甲1"
    assert fast.search("有色差").group(0) == "色"


def test_a_lookahead_names_digits_as_a_class_not_one_by_one():
    fast = compile_alternatives([r"\d+天才到", r"色差"])
    assert fast.pattern.startswith(r"(?=[色\d])")
    assert fast.search("等了𝟑天才到")  # a digit beyond U+FFFF (mathematical bold three) is a \d too


def test_without_the_private_pattern_parser_a_dictionary_is_the_plain_alternation(monkeypatch):
    from reviews.classification import scanner

    monkeypatch.setattr(scanner, "sre_parse", None)
    patterns = [r"(?<!不)色差", r"\d+天才到", r"质量差"]
    fast = compile_alternatives(patterns)
    assert fast.pattern == "(?:(?<!不)色差)|(?:\\d+天才到)|(?:质量差)"
    assert fast.search("等了3天才到，质量差").group() == "3天才到"
