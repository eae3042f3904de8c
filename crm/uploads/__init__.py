"""Uploaded files are what they claim to be, and are stored under a name we choose. For every app's uploads.

A browser (or an attacker) states a file's type and name; neither is evidence. `upload_accept` reads the file's first
bytes and accepts only the formats we can show safely: JPEG, PNG, WebP, HEIC and PDF, each recognised by its signature
(`kinds`; a HEIC by its ftyp box's brands). An HTML page or an SVG declared as image/jpeg is refused with a message
naming the field and the reason (`refusals`). An image's header is then read by Pillow's decoder for that one format
(a HEIC's by pillow-heif; `images`: a header it cannot read, or one claiming more than MAX_IMAGE_PIXELS, or an
animation claiming more over all its frames, is refused, and so is one that stops short of its end: its end marker,
or its chunks, read without decoding anything); a PDF is read by pypdf, every object of it, and refused when it
cannot be read or checked, or carries anything that acts on its own (`pdfs`). A HEIC, which no browser but Safari
shows, is then decoded (its primary image only), turned upright and stored as a JPEG with its EXIF less the
orientation (`heic`); one libheif cannot decode is refused as such. The accepted file is renamed `<random>.<ext>` from
the type stored, so a stored name never carries the uploader's text, and `upload_kind_of` answers the type to serve
it with (crm.downloads sends it with nosniff). `upload_refusal` answers why the same check (`check`) refuses a file
stored before it did, as a code (crm.services.evidence_recheck, ADR 0047).

A file is written to storage by the write that records it, and lives exactly as long as that write (`storage`:
`upload_store`, `uploads_discard_uncommitted`, `uploads_sweep`; ADR 0047).
"""

from crm.uploads.check import upload_accept, upload_refusal
from crm.uploads.images import MAX_IMAGE_PIXELS
from crm.uploads.kinds import HEAD_BYTES, HEIC, IMAGES_AND_PDF, JPEG, PDF, PNG, WEBP, UploadKind, upload_kind_of
from crm.uploads.pdfs import MAX_PDF_OBJECTS, PDF_ACTIVE_CONTENT, PDF_TOO_MANY
from crm.uploads.refusals import (
    HEIC_UNREADABLE,
    INCOMPLETE,
    TOO_MANY_FRAMES,
    TOO_MANY_PIXELS,
    WRONG_TYPE,
    UploadRefused,
    upload_refusal_text,
)
from crm.uploads.storage import (
    ORPHAN_MIN_AGE,
    upload_field_register,
    upload_store,
    uploads_discard_uncommitted,
    uploads_sweep,
)

__all__ = [
    "HEAD_BYTES",
    "HEIC",
    "HEIC_UNREADABLE",
    "IMAGES_AND_PDF",
    "INCOMPLETE",
    "JPEG",
    "MAX_IMAGE_PIXELS",
    "MAX_PDF_OBJECTS",
    "ORPHAN_MIN_AGE",
    "PDF",
    "PDF_ACTIVE_CONTENT",
    "PDF_TOO_MANY",
    "PNG",
    "TOO_MANY_FRAMES",
    "TOO_MANY_PIXELS",
    "WEBP",
    "WRONG_TYPE",
    "UploadKind",
    "UploadRefused",
    "upload_accept",
    "upload_field_register",
    "upload_kind_of",
    "upload_refusal",
    "upload_refusal_text",
    "upload_store",
    "uploads_discard_uncommitted",
    "uploads_sweep",
]
