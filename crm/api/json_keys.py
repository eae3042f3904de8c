"""Objects that name a key twice ({"phone": "138...", "phone": "139..."}): refused, as no one can say which is meant.

orjson, like most parsers, keeps the last value without a word, while the sender (or a proxy, a log, another
parser) may read the first. Finding them exactly takes a second parse with the standard library (`_exact`, about
3x orjson's time for a batch of 1,000 orders), so a batch first gets a proof that it has none (`_surely_unique`:
two scans of the bytes and a walk over the objects, about 1 ms for 1,000 orders), and only a body it cannot clear
is parsed again. tests/crm/api/test_json_keys.py holds
the two to the same answers.
"""

import json
import re
from typing import Any

# A key's closing quote, JSON whitespace, then the colon: `"name" : 1`.
_SPACE_BEFORE_COLON = re.compile(rb'"[ \t\r\n]+:')


def duplicate_keys(raw: bytes, data: Any) -> list[tuple[str, ...]]:
    """The path of every key named a second time in its object (the body's own keys first), given the body and what
    orjson made of it; [] when there is none."""
    if _surely_unique(raw, data):
        return []
    return _exact(raw)


def _surely_unique(raw: bytes, data: Any) -> bool:
    """True only when no object of `raw` names a key twice; False when it cannot tell.

    Every key of the text ends with its closing quote, and, when no whitespace comes before its colon, adds one `":`
    to the text; other `":` pairs come only from inside strings. So with no `" :` anywhere the text holds at least as
    many `":` as keys, and at least as many keys as the parsed objects hold (fewer if a key repeated): equal counts
    prove every key was kept."""
    if _SPACE_BEFORE_COLON.search(raw):
        return False
    return raw.count(b'":') == _kept_keys(data)


def _kept_keys(data: Any) -> int:
    """Plain loops over the containers only: about as long as crm.api.ingestion's depth check (~1 ms for 1,000
    orders); generator expressions here took three times as long."""
    count, stack = 0, [data]
    while stack:
        node = stack.pop()
        if type(node) is dict:
            count += len(node)
            children = node.values()
        elif type(node) is list:
            children = node
        else:
            continue
        for child in children:
            if type(child) is dict or type(child) is list:
                stack.append(child)
    return count


class _Repeated(dict):
    """An object parsed from pairs, remembering the keys it named more than once."""

    repeated: tuple[str, ...] = ()

    @classmethod
    def from_pairs(cls, pairs: list[tuple[str, Any]]) -> dict:
        made = cls(pairs)
        if len(made) != len(pairs):
            seen: set[str] = set()
            repeated: dict[str, None] = {}
            for key, _value in pairs:
                if key in seen:
                    repeated[key] = None
                seen.add(key)
            made.repeated = tuple(repeated)
        return made


def _exact(raw: bytes) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    stack: list[tuple[Any, tuple[str, ...]]] = [(json.loads(raw, object_pairs_hook=_Repeated.from_pairs), ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            found.extend((*path, key) for key in node.repeated)
            stack.extend((child, (*path, key)) for key, child in node.items())
        elif isinstance(node, list):
            stack.extend((child, (*path, str(position))) for position, child in enumerate(node))
    return found
