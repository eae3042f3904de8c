"""What a case's evidence file removed by the recheck of stored files is said to be (ADR 0047): on the case page, its
410 page, the evidence pack and the case history. Kept apart from crm.services.evidence_recheck, which writes the
removal, so the readers (crm.readable among them) import words, not services.

A removal's reason is a code of the upload check (crm.uploads: `script`, `too_many_pixels`, `wrong_type` ...), or
HELD_FOR_REVIEW for a PDF of more objects than the recheck reads: nothing of it was read, so it is neither passed
nor refused, and an operator looks at it.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.errors import EvidenceHeld, EvidenceRemoved
from crm.uploads import PDF_ACTIVE_CONTENT, TOO_MANY_FRAMES, TOO_MANY_PIXELS, WRONG_TYPE, upload_refusal_text

# Five times an upload's MAX_PDF_OBJECTS: 120,000 objects read in about 6 s and 150 MB by the recheck's one process, a
# delivery note of any length within it; 200,000 took 35 s and 250 MB. The bound is the file's object count, not its
# size, as objects in an object stream are compressed (ADR 0047).
RECHECK_MAX_PDF_OBJECTS = 100_000
HELD_FOR_REVIEW = "held_for_review"
_HELD_TEXT = gettext_lazy(
    "%(field)s: the PDF is made of more than %(limit)s objects, too many for the recheck to read; it is kept, and an "
    "operator gives it back to the case once they have looked at it."
)


def evidence_removed_label(reason: str) -> str:
    """What became of the file, in a few words ("Removed: active content.")."""
    if reason == HELD_FOR_REVIEW:
        return _("Held for an operator's review: too large to check here.")
    if reason in PDF_ACTIVE_CONTENT:
        return _("Removed: active content.")
    if reason in (TOO_MANY_PIXELS, TOO_MANY_FRAMES):
        return _("Removed: the image is too large to open.")
    if reason == WRONG_TYPE:
        return _("Removed: not a photo or a PDF.")
    return _("Removed: its contents cannot be checked.")


def evidence_removal_text(reason: str, *, field: str) -> str:
    """Why the file was removed from its case (or held from it), in the reader's language, naming `field`."""
    if reason == HELD_FOR_REVIEW:
        return _HELD_TEXT % {"field": field, "limit": RECHECK_MAX_PDF_OBJECTS}
    return upload_refusal_text(reason, field=field)


def evidence_removed_error(reason: str, *, field: str, case_id: int) -> EvidenceRemoved:
    """The 410 its download answers (the error page, crm.middleware): a held file's says it is held, not removed."""
    error = EvidenceHeld if reason == HELD_FOR_REVIEW else EvidenceRemoved
    return error(evidence_removal_text(reason, field=field), case_id=case_id)
