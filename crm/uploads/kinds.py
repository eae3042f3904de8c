"""The kinds of file an upload may be, each recognised by the signature its specification fixes: a few bytes at the
start (a library that knows hundreds of formats would only widen what we must reason about).

A HEIC (an iPhone's photo) is an ISO base media file: its first box, `ftyp`, names the brands the file follows, and a
HEIC's include one of HEIF's still-image (or image-sequence) brands; an MP4 or a QuickTime movie names others, and an
AVIF (HEIF's container with AV1 inside, which we cannot decode) names its own beside HEIF's generic ones. A HEIC is not
stored as it came: it is stored as the JPEG it is turned into (`stored_as`, crm.uploads.heic)."""

from dataclasses import dataclass
from typing import BinaryIO, Optional


@dataclass(frozen=True)
class UploadKind:
    name: str  # shown to users
    extension: str
    content_type: str
    inline: bool  # safe to show in the browser; the rest download as attachments
    decoder: str = ""  # the format's name to its decoder, for an image: its header is read to know its size
    stored_as: Optional["UploadKind"] = None  # the kind it is turned into at upload; None: stored as it came

    def matches(self, head: bytes) -> bool:
        if self.extension == "webp":  # RIFF <size> WEBP
            return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
        if self.extension == "heic":
            return _is_heif(head)
        return head.startswith(_SIGNATURES[self.extension])


_SIGNATURES = {"jpg": b"\xff\xd8\xff", "png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-"}
# HEIF's brands for HEVC-coded images and sequences (heic, heix, hevc) and their layered kinds (heim, heis), and its
# generic image (mif1) and sequence (msf1) brands: an iPhone writes heic first, some Android phones mif1.
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"}
# AVIF's brands: a file with one is an AVIF, whatever HEIF brands it lists beside them.
_AVIF_BRANDS = {b"avif", b"avis"}


def _is_heif(head: bytes) -> bool:
    """An ftyp box first (size, "ftyp", major brand, minor version, compatible brands), whose brands (the major one
    and the compatible ones within the head read) include a HEIF image brand and no AVIF brand."""
    if head[4:8] != b"ftyp":
        return False
    size = int.from_bytes(head[:4], "big")
    if size < 16:  # not even a major brand and a minor version
        return False
    brands = {head[8:12], *(head[start : start + 4] for start in range(16, min(size, len(head)) - 3, 4))}
    return bool(brands & _HEIF_BRANDS) and not brands & _AVIF_BRANDS


JPEG = UploadKind("JPEG", "jpg", "image/jpeg", inline=True, decoder="JPEG")
PNG = UploadKind("PNG", "png", "image/png", inline=True, decoder="PNG")
WEBP = UploadKind("WebP", "webp", "image/webp", inline=True, decoder="WEBP")
# Decoded by pillow-heif (libheif), not by Pillow: no browser but Safari shows a HEIC, so it is stored as a JPEG.
HEIC = UploadKind("HEIC", "heic", "image/heic", inline=False, decoder="HEIF", stored_as=JPEG)
# Inline PDFs run in the browser's PDF viewer, which has scripting of its own: always an attachment.
PDF = UploadKind("PDF", "pdf", "application/pdf", inline=False)
IMAGES_AND_PDF = (JPEG, PNG, WEBP, HEIC, PDF)
# Enough for a HEIC's ftyp box and its first compatible brands (an iPhone's is 24 to 32 bytes).
HEAD_BYTES = 64


def _head(file: BinaryIO) -> bytes:
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    return head


def upload_kind_of(file: BinaryIO, *, kinds: tuple[UploadKind, ...] = IMAGES_AND_PDF) -> UploadKind | None:
    """The accepted kind the file's bytes are, or None."""
    head = _head(file)
    return next((kind for kind in kinds if kind.matches(head)), None)
