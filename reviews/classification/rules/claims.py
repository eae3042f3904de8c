"""What the page, blurb or title claimed, beside a letdown measured against it: the goods differ from their
description ("电池充满并不是介绍中的9.5小时", "书名起得吸引人，故我上当了", "摄像头只有30w，不是号称的130w").

A claim (opinions.CLAIMS) counts when a word of letdown or deceit (opinions.LETDOWN) stands in its clause or the
next one, un-negated; a claim read with praise only ("介绍得很详细") is no complaint. What fell short may also be a
quality complaint (poor content), which other rules find; this rule adds only the mismatch (ADR 0007)."""

from django.utils.translation import gettext_noop

from crm.models import CaseCause as Cause

from .. import opinions
from ..negation import negated_before
from ..reading import Reading
from ..words import as_words

NAME = gettext_noop("claim vs what came")


def _letdown_near(reading: Reading, start: int, end: int):
    """The first un-negated letdown word in the claim's clause or the next one, as (start, end) in the text."""
    spans = reading.spans
    reach = spans.with_next(start, end)
    if reach is None:
        return None
    for letdown in opinions.LETDOWN.finditer(reading.text, *reach):
        if not negated_before(reading.text[spans.start_of(letdown.start()) : letdown.start()]):
            return letdown.span()
    return None


def find_claims_not_met(reading: Reading) -> None:
    # A good review that nowhere says something is wrong holds no letdown either.
    if Cause.DESCRIPTION_MISMATCH in reading.evidence or reading.quiet_good:
        return
    for claim in opinions.CLAIMS.finditer(reading.text):
        if letdown := _letdown_near(reading, *claim.span()):
            words = as_words(reading.text, sorted([claim.span(), letdown]))
            if words:
                reading.add(Cause.DESCRIPTION_MISMATCH, words, by=NAME)
                return
