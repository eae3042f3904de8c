from hypothesis import given, settings
from hypothesis import strategies as st

from reviews.classification.model import _grams


def _plain_grams(part, prefix):
    found = set()
    for chunk in part.split() if " " in part else (part,):
        grams = [
            *chunk,
            *[chunk[i : i + 2] for i in range(len(chunk) - 1)],
            *[chunk[i : i + 3] for i in range(len(chunk) - 2)],
        ]
        found.update(prefix + g for g in grams)
    return found


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="质量差好 ab\t3", max_size=12), st.sampled_from(["", "~"]))
def test_character_grams_are_every_one_to_three_character_slice_of_each_chunk(part, prefix):
    found = set()
    _grams(part, prefix, found)
    assert {g for g in found if ":" not in g} == _plain_grams(part, prefix)
