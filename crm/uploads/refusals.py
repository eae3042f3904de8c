"""What the upload check says when it refuses a file: one error (UploadRefused, 400, the field named) and one sentence
per reason, in the reader's language, naming the field, for an upload and for a file stored before the check refused
it (crm.evidence_removal)."""

from django.utils.translation import gettext_lazy

from crm.errors import InvalidInput
from crm.punctuation import listed
from crm.uploads.images import MAX_IMAGE_PIXELS
from crm.uploads.kinds import IMAGES_AND_PDF, UploadKind
from crm.uploads.pdfs import pdf_refusal_text


class UploadRefused(InvalidInput):
    code = "invalid_upload"
    default_message = gettext_lazy("The file was refused.")


# The file's bytes are none of the accepted kinds (or only start like one); an image's header claims too many pixels.
WRONG_TYPE, TOO_MANY_PIXELS = "wrong_type", "too_many_pixels"
# An animation whose frames, each within the limit, add up to more pixels than it (crm.uploads.images).
TOO_MANY_FRAMES = "too_many_frames"
# An image whose body stops short of its end: refused at upload only (upload_accept), while the uploader still has
# the whole file; a stored one harms nobody, so the recheck leaves it.
INCOMPLETE = "incomplete"
# A HEIC (by its first box) that libheif cannot read or decode: cut short, garbage after its first box, a sequence
# with no still image. Said apart from WRONG_TYPE: the agent has the right photo, and can export it as a JPEG.
HEIC_UNREADABLE = "heic_unreadable"
_WRONG_TYPE_TEXT = gettext_lazy(
    "%(field)s: the file's contents are not one of %(allowed)s (whatever its name or stated type)."
)
_TOO_MANY_PIXELS_TEXT = gettext_lazy(
    "%(field)s: the image is larger than %(limit)s megapixels, the most that is accepted."
)
_TOO_MANY_FRAMES_TEXT = gettext_lazy(
    "%(field)s: the animation's frames add up to more than %(limit)s megapixels, the most that is accepted: send a "
    "still photo."
)
_INCOMPLETE_TEXT = gettext_lazy("%(field)s: the image is incomplete or damaged: send the whole file again.")
_HEIC_UNREADABLE_TEXT = gettext_lazy(
    "%(field)s: the HEIC photo cannot be read (damaged or incomplete). Send the whole file again, or export it from "
    "the phone as JPEG."
)


def upload_refusal_text(reason: str, *, field: str, kinds: tuple[UploadKind, ...] = IMAGES_AND_PDF) -> str:
    """The refusal of `reason` (a code upload_refusal answered) in the reader's language, naming `field`."""
    if reason == WRONG_TYPE:
        allowed = listed(kind.name for kind in kinds)  # "JPEG、PNG"
        return _WRONG_TYPE_TEXT % {"field": field, "allowed": allowed}
    if reason == INCOMPLETE:
        return _INCOMPLETE_TEXT % {"field": field}
    if reason == HEIC_UNREADABLE:
        return _HEIC_UNREADABLE_TEXT % {"field": field}
    if reason == TOO_MANY_PIXELS:
        return _TOO_MANY_PIXELS_TEXT % {"field": field, "limit": MAX_IMAGE_PIXELS // 1_000_000}
    if reason == TOO_MANY_FRAMES:
        return _TOO_MANY_FRAMES_TEXT % {"field": field, "limit": MAX_IMAGE_PIXELS // 1_000_000}
    return pdf_refusal_text(reason, field=field)
