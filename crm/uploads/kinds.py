"""The kinds of file an upload may be, each recognised by the signature its specification fixes: a few bytes at the
start (a library that knows hundreds of formats would only widen what we must reason about)."""

from dataclasses import dataclass
from typing import BinaryIO


@dataclass(frozen=True)
class UploadKind:
    name: str  # shown to users
    extension: str
    content_type: str
    inline: bool  # safe to show in the browser; the rest download as attachments
    decoder: str = ""  # Pillow's name of the format, for an image: its header is read to know its size

    def matches(self, head: bytes) -> bool:
        if self.extension == "webp":  # RIFF <size> WEBP
            return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
        return head.startswith(_SIGNATURES[self.extension])


_SIGNATURES = {"jpg": b"\xff\xd8\xff", "png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-"}
JPEG = UploadKind("JPEG", "jpg", "image/jpeg", inline=True, decoder="JPEG")
PNG = UploadKind("PNG", "png", "image/png", inline=True, decoder="PNG")
WEBP = UploadKind("WebP", "webp", "image/webp", inline=True, decoder="WEBP")
# Inline PDFs run in the browser's PDF viewer, which has scripting of its own: always an attachment.
PDF = UploadKind("PDF", "pdf", "application/pdf", inline=False)
IMAGES_AND_PDF = (JPEG, PNG, WEBP, PDF)
HEAD_BYTES = 16


def _head(file: BinaryIO) -> bytes:
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    return head


def upload_kind_of(file: BinaryIO, *, kinds: tuple[UploadKind, ...] = IMAGES_AND_PDF) -> UploadKind | None:
    """The accepted kind the file's bytes are, or None."""
    head = _head(file)
    return next((kind for kind in kinds if kind.matches(head)), None)
