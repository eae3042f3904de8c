"""An image's header, read by Pillow's decoder for its one format (a HEIC's by pillow-heif, crm.uploads.heic; only the
header: nothing is decoded): one it cannot read is not that format (a JPEG's three signature bytes followed by a
page), and one whose header claims more than MAX_IMAGE_PIXELS is a decompression bomb (a hundred bytes saying
100,000 x 100,000 pixels, decoded whole by the browser tab that opens it). An animation (a PNG's or a WebP's) is
bounded by the same pixels over all its frames, counted from its headers (a PNG's acTL chunk, a WebP's ANMF chunks):
thousands of frames each within the limit are as many pixels for the browser to decode, again as it plays.

`image_complete` reads on to the image's end, still decoding nothing: a JPEG or a PNG whose header is whole and whose
body stops short (an upload cut off, a file half copied) shows grey from where it stops. A WebP cut short is no WebP
to its decoder already."""

import warnings
from typing import BinaryIO, NamedTuple

from PIL import Image

from crm.uploads.heic import heic_pixels
from crm.uploads.kinds import UploadKind

# 80 megapixels (320 MB decoded at 4 bytes a pixel): more than any photo within the 10 MB evidence limit (a phone's
# 50-megapixel photo is 8160 x 6120), and below Pillow's own decompression-bomb warning (89 megapixels).
MAX_IMAGE_PIXELS = 80_000_000


class ImagePixels(NamedTuple):
    frame: int  # the pixels of one frame (of a still image: of the image)
    frames: int  # 1 for a still image

    @property
    def total(self) -> int:
        return self.frame * self.frames


def image_pixels(file: BinaryIO, kind: UploadKind) -> ImagePixels | None:
    """How many pixels the image's header says a frame has (more than MAX_IMAGE_PIXELS when Pillow calls it a bomb),
    and how many frames it has, or None when the header is not one of `kind`'s."""
    if kind.decoder == "HEIF":  # its primary image only is ever decoded (crm.uploads.heic)
        pixels = heic_pixels(file)
        return None if pixels is None else ImagePixels(frame=pixels, frames=1)
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file, formats=[kind.decoder]) as image:  # reads the headers only
                width, height = image.size
                frames = getattr(image, "n_frames", 1)  # a PNG's acTL, a WebP's demuxed ANMF chunks
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        return ImagePixels(frame=MAX_IMAGE_PIXELS + 1, frames=1)
    except (
        OSError,
        ValueError,
        SyntaxError,
        EOFError,
    ):  # Pillow's ways of saying "not this format" (UnidentifiedImageError)
        return None
    finally:
        file.seek(0)
    return ImagePixels(frame=width * height, frames=max(frames, 1))


def image_complete(file: BinaryIO, kind: UploadKind) -> bool:
    """Whether the image goes on to its end: a JPEG's end marker after its first scan, a PNG's chunks whole (each one's
    checksum read) up to its end chunk. What follows the end (a phone's appended data) is not read. A HEIC's end is
    found by decoding it, when it is turned into a JPEG (crm.uploads.heic)."""
    file.seek(0)
    try:
        if kind.decoder == "JPEG":
            return _jpeg_complete(file)
        if kind.decoder == "PNG":
            try:
                with Image.open(file, formats=["PNG"]) as image:
                    image.verify()  # every chunk's CRC up to IEND; nothing is decompressed
            except (OSError, ValueError, SyntaxError, EOFError):
                return False
        return True
    finally:
        file.seek(0)


_CHUNK = 1 << 20
# Markers without a length: TEM and the restart markers.
_STANDALONE = {0x01, *range(0xD0, 0xD8)}


def _jpeg_complete(file: BinaryIO) -> bool:
    """The segments after SOI, each skipped by its length, up to the first scan (SOS); then an EOI marker in what
    follows. The scans' data never holds FF D9 (an FF in it is followed by 00 or a restart marker), nor do the tables
    between a progressive JPEG's scans."""
    file.seek(2)
    while True:
        if file.read(1) != b"\xff":
            return False
        code = file.read(1)
        while code == b"\xff":  # fill bytes before a marker
            code = file.read(1)
        if not code or code == b"\xd9":  # the end, or an end before any scan
            return False
        if code[0] in _STANDALONE:
            continue
        length = file.read(2)
        if len(length) < 2 or int.from_bytes(length, "big") < 2:
            return False
        file.seek(int.from_bytes(length, "big") - 2, 1)
        if code == b"\xda":
            break
    before = b""
    while chunk := file.read(_CHUNK):
        if b"\xff\xd9" in before + chunk:
            return True
        before = chunk[-1:]
    return False
