"""crm.api.json_keys: its quick proof that a body names no key twice never clears one that does (the exact second
parse is the reference), and the exact parse finds each repeat's path."""

import json

import orjson
from hypothesis import given
from hypothesis import strategies as st

from crm.api.json_keys import _exact, _surely_unique, duplicate_keys

# Few keys, so objects repeat them often; quotes, colons and backslashes, which the quick proof counts around.
keys = st.sampled_from(["a", "b", ":", '":', '"', "\\", " :", "a\\"]) | st.text(max_size=3)
spaces = st.sampled_from(["", " ", "\n", "\t ", "\r\n"])
scalars = st.none() | st.booleans() | st.integers() | st.text(alphabet='ab": \\\n', max_size=6).map(json.dumps)


def _text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


@st.composite
def json_texts(draw, depth: int = 3) -> tuple[str, bool]:
    """(JSON text, whether some object in it names a key twice), written by hand with any spacing."""
    if depth == 0 or draw(st.booleans()):
        return _text(draw(scalars)), False
    children = draw(st.lists(json_texts(depth=depth - 1), max_size=4))
    if draw(st.booleans()):
        return "[" + ",".join(text for text, _ in children) + "]", any(repeats for _, repeats in children)
    names = draw(st.lists(keys, min_size=len(children), max_size=len(children)))
    members = [
        f"{json.dumps(name, ensure_ascii=draw(st.booleans()))}{draw(spaces)}:{draw(spaces)}{text}"
        for name, (text, _) in zip(names, children, strict=True)
    ]
    repeats = len(set(names)) < len(names) or any(repeats for _, repeats in children)
    return "{" + ",".join(members) + "}", repeats


@given(json_texts())
def test_the_quick_proof_never_clears_a_body_that_repeats_a_key(case):
    text, repeats = case
    raw = text.encode()
    data = orjson.loads(raw)

    assert bool(_exact(raw)) == repeats
    if _surely_unique(raw, data):
        assert not repeats
    assert bool(duplicate_keys(raw, data)) == repeats


def test_an_ordinary_batch_is_cleared_without_a_second_parse():
    from tests.crm.api.helpers import orders_payload

    for raw in (orjson.dumps(orders_payload(50)), json.dumps(orders_payload(50), indent=2).encode()):
        assert _surely_unique(raw, orjson.loads(raw))


def test_each_repeat_is_named_by_its_path():
    raw = b'{"a": 1, "b": [{"c": 1, "c": 2, "d": {"e": 1, "e": 2, "e": 3}}], "a": 2}'

    assert sorted(_exact(raw)) == [("a",), ("b", "0", "c"), ("b", "0", "d", "e")]
