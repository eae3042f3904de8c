"""The shared reading of one review that every rule works on, and the record of what each rule did.

A rule is a small function `rule(reading) -> None` (rules/); it reads the text through the reading's helpers and
changes the causes only through `add` and `drop`, which record the rule's name and the words it went by. The
pipeline (pipeline.py) lists the rules in order.
"""

from bisect import bisect_right
from dataclasses import dataclass, field

from . import lexicon as lx
from .dictionaries import COMPLAINT_SIGNAL, NEGATED_PRAISE
from .model import CauseModel, features


class _once:
    """A property computed on first use and then kept on the instance, like functools.cached_property without the
    lock that one takes on every first use in Python 3.11 (3.12 dropped it): a reading is one review's, in one
    thread, and three of them are first used for every review classified."""

    def __init__(self, compute) -> None:
        self.compute, self.name, self.__doc__ = compute, compute.__name__, compute.__doc__

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.compute(instance)
        return value


class Clauses:
    """A text and its clause spans: each matcher scans the whole text once (one scan instead of one per
    clause), and a hit is then judged inside its own clause; a hit spanning two clauses does not count."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts, self.ends = [0], []
        for separator in lx.CLAUSE_SPLIT.finditer(text):
            self.ends.append(separator.start())
            self.starts.append(separator.end())
        self.ends.append(len(text))

    def clause_of(self, start: int, end: int) -> tuple[int, int] | None:
        index = bisect_right(self.starts, start) - 1
        return (self.starts[index], self.ends[index]) if end <= self.ends[index] else None

    def with_next(self, start: int, end: int) -> tuple[int, int] | None:
        """(start, end) of the clause holding [start, end) and the next clause with text, or None across clauses."""
        clause = self.clause_of(start, end)
        if clause is None:
            return None
        following = next(((s, e) for s, e in self if s > clause[1]), None)
        return clause[0], following[1] if following else clause[1]

    def start_of(self, position: int) -> int:
        return self.starts[bisect_right(self.starts, position) - 1]

    def __iter__(self):
        """(start, end) of each clause with any text in it."""
        for start, end in zip(self.starts, self.ends, strict=True):
            if self.text[start:end].strip():
                yield start, end


@dataclass(frozen=True)
class Step:
    """What one rule did: the cause it added words to or dropped, and the words or the reason."""

    rule: str
    cause: str
    action: str  # "added", "dropped", or "narrowed" (the words it took away from the cause)
    words: tuple[str, ...] = ()


@dataclass(eq=False)
class Reading:
    text: str
    rating: int
    model: CauseModel
    store_model: CauseModel | None = None  # the store's own, learned from its agents' corrections
    evidence: dict[str, list[str]] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    # Set by the "other" kinds rule, read by later ones: the spans its phrases cover, whether goods were resold.
    covered: list[tuple[int, int]] = field(default_factory=list)
    resold: bool = False

    @_once
    def spans(self) -> Clauses:
        return Clauses(self.text)

    @_once
    def features(self) -> set[str]:
        return features(self.text, self.rating)

    @property
    def good(self) -> bool:
        return self.rating >= 4

    @_once
    def quiet_good(self) -> bool:
        """A 4-5 star review that nowhere says something is wrong: no cause a model or a letdown finds could pass
        the polarity check. Read once per review, first asked after the text is settled (worries runs first)."""
        return self.good and not (COMPLAINT_SIGNAL.search(self.text) or NEGATED_PRAISE.search(self.text))

    def add(self, cause: str, words: list[str], *, by: str) -> None:
        bucket = self.evidence.setdefault(cause, [])
        new = []
        for word in words:
            if word not in bucket:
                bucket.append(word)
                new.append(word)
        if new:
            self.steps.append(Step(by, cause, "added", tuple(new)))

    def drop(self, cause: str, *, by: str) -> None:
        if self.evidence.pop(cause, None) is not None:
            self.steps.append(Step(by, cause, "dropped"))

    def position(self, word: str) -> int:
        return self.text.find(word)
