import re

import pytest

from reviews.classification import lexicon as lx
from reviews.classification.scanner import compile_alternatives
from reviews.evaluation import load_eval_set

DICTIONARIES = {
    **{f"phrases:{cause}": patterns for cause, patterns in lx.PHRASES.items()},
    **{f"aspects:{cause}": patterns for cause, patterns in lx.ASPECTS.items()},
    "opinions": lx.OPINIONS,
}


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
