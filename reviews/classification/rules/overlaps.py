"""A cause whose every word lies inside a longer phrase of another cause was read from that phrase's words:
"做工也太敷衍" is about the work, not service (敷衍); "盒子都变形" is the parcel, not the goods (变形)."""

from django.utils.translation import gettext_noop

from ..reading import Reading

NAME = gettext_noop("inside another cause's phrase")


def drop_causes_read_twice(reading: Reading) -> None:
    evidence, text = reading.evidence, reading.text
    if len(evidence) < 2:
        return
    spans = {
        cause: [(start, start + len(w)) for w in words if (start := text.find(w)) != -1]
        for cause, words in evidence.items()
    }
    for cause, own in spans.items():
        others = [span for other, found in spans.items() if other != cause for span in found]
        if own and all(any(b <= s and e <= f and f - b > e - s for b, f in others) for s, e in own):
            reading.drop(cause, by=NAME)


def inside(text: str, words: list[str], covered: list[tuple[int, int]]) -> bool:
    """Whether every one of the words found in the text overlaps one of the covered spans."""
    starts = [(text.find(word), len(word)) for word in words]
    return all(any(s < e and s + n > b for b, e in covered) for s, n in starts if s != -1)
