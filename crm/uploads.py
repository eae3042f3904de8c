"""Uploaded files are what they claim to be, and are stored under a name we choose. For every app's uploads.

A browser (or an attacker) states a file's type and name; neither is evidence. `upload_accept` reads the
file's first bytes and accepts only the formats we can show safely: JPEG, PNG, WebP and PDF, each recognised by
the signature its specification fixes (a few bytes at the start; a library that knows hundreds of formats
would only widen what we must reason about). An HTML page or an SVG declared as image/jpeg is refused with a
message naming the field and the reason. The accepted file is renamed `<random>.<ext>` from the detected
type, so a stored name never carries the uploader's text, and `upload_kind_of` answers the type to serve it
with (crm.downloads sends it with nosniff).
"""

import uuid
from dataclasses import dataclass
from typing import BinaryIO

from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.errors import InvalidInput


@dataclass(frozen=True)
class UploadKind:
    name: str  # shown to users
    extension: str
    content_type: str
    inline: bool  # safe to show in the browser; the rest download as attachments

    def matches(self, head: bytes) -> bool:
        if self.extension == "webp":  # RIFF <size> WEBP
            return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
        return head.startswith(_SIGNATURES[self.extension])


_SIGNATURES = {"jpg": b"\xff\xd8\xff", "png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-"}
JPEG = UploadKind("JPEG", "jpg", "image/jpeg", inline=True)
PNG = UploadKind("PNG", "png", "image/png", inline=True)
WEBP = UploadKind("WebP", "webp", "image/webp", inline=True)
# Inline PDFs run in the browser's PDF viewer, which has scripting of its own: always an attachment.
PDF = UploadKind("PDF", "pdf", "application/pdf", inline=False)
IMAGES_AND_PDF = (JPEG, PNG, WEBP, PDF)
HEAD_BYTES = 16


class UploadRefused(InvalidInput):
    code = "invalid_upload"
    default_message = gettext_lazy("The file was refused.")


def _head(file: BinaryIO) -> bytes:
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    return head


def upload_kind_of(file: BinaryIO, *, kinds: tuple[UploadKind, ...] = IMAGES_AND_PDF) -> UploadKind | None:
    """The accepted kind the file's bytes are, or None."""
    head = _head(file)
    return next((kind for kind in kinds if kind.matches(head)), None)


def upload_accept(
    file: UploadedFile,
    *,
    field: str,
    max_bytes: int,
    label: str = "",
    kinds: tuple[UploadKind, ...] = IMAGES_AND_PDF,
) -> UploadKind:
    """Check the file's size and bytes; rename it `<random>.<ext>`. Raises UploadRefused (400) naming `field`
    (the message names it by `label`, the form's label, when given)."""
    name = label or field
    allowed = ", ".join(kind.name for kind in kinds)
    if file.size > max_bytes:
        raise UploadRefused(
            # Not the file's own size: rounded, one just over the limit read "10.0 MB; at most 10.0 MB".
            _("%(field)s: the file is larger than %(limit)s, the most that is accepted.")
            % {"field": name, "limit": filesizeformat(max_bytes)},
            field=field,
        )
    kind = upload_kind_of(file, kinds=kinds)
    if kind is None:
        raise UploadRefused(
            _("%(field)s: the file's contents are not one of %(allowed)s (whatever its name or stated type).")
            % {"field": name, "allowed": allowed},
            field=field,
        )
    file.name = f"{uuid.uuid4().hex}.{kind.extension}"
    file.content_type = kind.content_type
    return kind
