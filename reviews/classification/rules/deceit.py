"""Deceit told of someone other than the seller is no mismatch: a mismatch is the goods differing from their page,
blurb or title, so a customer misled by other buyers' reviews ("被评论误导了", "网上评论言过其实"), or a book said to
mislead its readers ("误导大众", "容易误导他们", "希望大家不要被误导"), names no description the goods fall short of.

Read in the clause of each deceit word the mismatch went by: the others' word (opinions.OTHERS_WORD) before it, or
the third party (opinions.THIRD_PARTY) just after it or just before it as the one misled. When every word the
mismatch went by is such, it is dropped; a deceit word beside a claim of the page ("介绍…误导") or read by another
rule is kept (ADR 0007)."""

from django.utils.translation import gettext_noop

from crm.models import CaseCause as Cause

from .. import opinions
from ..reading import Reading

NAME = gettext_noop("misled by others, not by the page")


def _told_of_others(reading: Reading, word: str) -> bool:
    deceit = opinions.DECEIT.search(word)
    start = reading.position(word)
    if deceit is None or start == -1:
        return False
    start, end = start + deceit.start(), start + deceit.end()
    clause = reading.spans.clause_of(start, end)
    if clause is None:
        return False
    before, after = reading.text[clause[0] : start], reading.text[end : clause[1]]
    return bool(
        opinions.OTHERS_WORD.search(before)
        or opinions.THIRD_PARTY_AFTER.match(after)
        or opinions.THIRD_PARTY_BEFORE.search(before)
    )


def drop_deceit_told_of_others(reading: Reading) -> None:
    words = reading.evidence.get(Cause.DESCRIPTION_MISMATCH)
    if words and all(_told_of_others(reading, w) for w in words):
        reading.drop(Cause.DESCRIPTION_MISMATCH, by=NAME)
