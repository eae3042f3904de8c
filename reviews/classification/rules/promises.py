"""What was promised, then what came, across two clauses ("说是真丝, 收到是涤纶"): the product differs from its page."""

from django.utils.translation import gettext_noop

from crm.models import CaseCause as Cause

from .. import lexicon as lx
from ..reading import Reading

NAME = gettext_noop("promised vs received")


def find_promised_vs_received(reading: Reading) -> None:
    if promised := lx.PROMISED_VS_RECEIVED.search(reading.text):
        reading.add(Cause.DESCRIPTION_MISMATCH, [promised.group(0)], by=NAME)
