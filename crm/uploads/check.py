"""The one check of a file's contents: for an upload (upload_accept, which renames the accepted file, and turns a HEIC
into the JPEG it stores) and for a file stored before the check refused it (upload_refusal,
crm.services.evidence_recheck, ADR 0047)."""

import uuid
from typing import BinaryIO

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from crm.uploads.heic import heic_to_jpeg
from crm.uploads.images import MAX_IMAGE_PIXELS, image_complete, image_pixels
from crm.uploads.kinds import HEIC, IMAGES_AND_PDF, PDF, UploadKind, upload_kind_of
from crm.uploads.pdfs import PDF_UNREADABLE, pdf_refusal
from crm.uploads.refusals import (
    HEIC_UNREADABLE,
    INCOMPLETE,
    TOO_MANY_FRAMES,
    TOO_MANY_PIXELS,
    WRONG_TYPE,
    UploadRefused,
    upload_refusal_text,
)


def _check(
    file: BinaryIO, kinds: tuple[UploadKind, ...], max_pdf_objects: int | None = None
) -> tuple[UploadKind | None, str | None]:
    """The kind the file's bytes are, and why the check refuses them (a code), or None: the one check of a file's
    contents, for an upload (upload_accept) and for a file stored before the check refused it (upload_refusal). A
    PDF of more than `max_pdf_objects` (MAX_PDF_OBJECTS unless given) is not read."""
    kind = upload_kind_of(file, kinds=kinds)
    if kind is None:
        return None, WRONG_TYPE
    if kind.decoder:
        pixels = image_pixels(file, kind)
        if pixels is None:  # a format's signature, then something its decoder cannot read
            return kind, HEIC_UNREADABLE if kind is HEIC else WRONG_TYPE
        if pixels.frame > MAX_IMAGE_PIXELS:
            return kind, TOO_MANY_PIXELS
        if pixels.total > MAX_IMAGE_PIXELS:  # an animation: the same bound over all its frames
            return kind, TOO_MANY_FRAMES
    return kind, pdf_refusal(file, max_objects=max_pdf_objects) if kind is PDF else None


def upload_refusal(
    file: BinaryIO, *, kinds: tuple[UploadKind, ...] = IMAGES_AND_PDF, max_pdf_objects: int | None = None
) -> str | None:
    """Why upload_accept would refuse this file's contents today, as a code, or None: `wrong_type`,
    `too_many_pixels`, `too_many_frames`, `heic_unreadable`, a PDF's (`script`, `xfa`, `other_pdf` ...,
    `unreadable`, `password`, `too_many`). For a file stored before the check refused it
    (crm.services.evidence_recheck), which may read a PDF of more objects than an upload may have
    (`max_pdf_objects`: the limit guards the web process). Its size is not read: the limit is the field's, and says
    nothing of what the file does once opened."""
    return _check(file, kinds, max_pdf_objects)[1]


def upload_accept(
    file: UploadedFile,
    *,
    field: str,
    max_bytes: int,
    label: str = "",
    kinds: tuple[UploadKind, ...] = IMAGES_AND_PDF,
) -> UploadedFile:
    """Check the file's size and bytes; answer the file to store, named `<random>.<ext>` from its kind: the upload
    itself, renamed, or for a HEIC the JPEG it is turned into (crm.uploads.heic; HEIC_UNREADABLE when libheif cannot
    decode it). Raises UploadRefused (400) naming `field` (the message names it by `label`, the form's label, when
    given). An image must also go on to its end (INCOMPLETE): checked here only, not by upload_refusal, as a stored
    one cut short harms nobody. The size limit is the upload's: the JPEG a HEIC becomes may be larger."""
    name = label or field
    if file.size > max_bytes:
        raise UploadRefused(
            # Not the file's own size: rounded, one just over the limit read "10.0 MB; at most 10.0 MB".
            _("%(field)s: the file is larger than %(limit)s, the most that is accepted.")
            % {"field": name, "limit": filesizeformat(max_bytes)},
            field=field,
        )
    kind, reason = _check(file, kinds)
    if reason is not None:
        # A PDF pypdf cannot read is, to the uploader, not a PDF.
        shown = WRONG_TYPE if reason == PDF_UNREADABLE else reason
        raise UploadRefused(upload_refusal_text(shown, field=name, kinds=kinds), field=field)
    if kind.decoder and not image_complete(file, kind):
        raise UploadRefused(upload_refusal_text(INCOMPLETE, field=name), field=field)
    if kind.stored_as is not None:  # a HEIC: stored as the JPEG it is turned into
        jpeg = heic_to_jpeg(file)
        if jpeg is None:
            raise UploadRefused(upload_refusal_text(HEIC_UNREADABLE, field=name), field=field)
        kind = kind.stored_as
        file = SimpleUploadedFile("converted", jpeg)
    file.name = f"{uuid.uuid4().hex}.{kind.extension}"
    file.content_type = kind.content_type
    return file
