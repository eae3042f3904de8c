from hypothesis import given, settings
from hypothesis import strategies as st

from reviews.classification.words import _RUN, _bounds_near, token_spans


def _plain_bounds_near(text, start, end):
    """The run around a span found character by character."""
    if start >= end or not _RUN.fullmatch(text, start, end):
        return token_spans(text)
    left, right = start, end
    while left > 0 and _RUN.match(text, left - 1, left):
        left -= 1
    while right < len(text) and _RUN.match(text, right, right + 1):
        right += 1
    return [(left + s, left + e) for s, e in token_spans(text[left:right])]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["质量", "太差", "了", "，", "3", "天才到", " ", "good", "!", "还没收到货", "#"]), max_size=10
    ),
    st.data(),
)
def test_the_words_around_a_span_are_those_a_character_by_character_search_finds(parts, data):
    text = "".join(parts)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert _bounds_near(text, start, end) == _plain_bounds_near(text, start, end)
