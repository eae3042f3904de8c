"""Real image files for upload tests, made with Pillow: a few bytes each, and a decoder reads them (crm.uploads reads
an image's header). `claiming` makes one whose header states other dimensions than it holds: a decompression bomb,
small to send and enormous once a browser decodes it."""

import io
import struct
import zlib

from PIL import Image


def image_bytes(format: str, *, size: tuple[int, int] = (2, 2)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=format)
    return buffer.getvalue()


PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")
WEBP = image_bytes("WEBP")


def claiming(format: str, width: int, height: int) -> bytes:
    """A small image of `format` whose header says it is `width` x `height` pixels."""
    content = bytearray(image_bytes(format))
    if format == "PNG":  # IHDR is the first chunk; its CRC covers its type and data
        content[16:24] = struct.pack(">II", width, height)
        content[29:33] = struct.pack(">I", zlib.crc32(bytes(content[12:29])))
    elif format == "JPEG":  # the baseline frame header (SOF0): FF C0, length, precision, height, width
        sof = content.index(b"\xff\xc0")
        content[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    elif format == "WEBP":  # lossy (VP8): after the start code 9D 01 2A, 14-bit width and height
        start = content.index(b"\x9d\x01\x2a")
        content[start + 3 : start + 7] = struct.pack("<HH", width, height)
    return bytes(content)
