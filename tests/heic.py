"""Real HEIC files for upload tests, written by pillow-heif's own encoder (libheif and x265, shipped in its wheel), so
every file a test sends is made as the test runs: no binary fixture. `claiming_heic` makes one whose header states
other dimensions than it holds (a decompression bomb's header: the image's `ispe` property)."""

import io
import struct

import pillow_heif
from PIL import ExifTags, Image


def heic_bytes(*images: Image.Image, exif: Image.Exif | None = None, primary: int = 0, quality: int = 90) -> bytes:
    """A HEIC of `images` (one, or several: a multi-image HEIF), `primary` the one a viewer shows; `exif` the
    primary's EXIF. pillow-heif writes an EXIF orientation as the container's rotation and mirror (irot, imir), as
    an iPhone does, and keeps the tag in the EXIF."""
    heif = pillow_heif.from_pillow(images[0])
    for image in images[1:]:
        heif.add_from_pillow(image)
    if exif is not None:
        heif[0].info["exif"] = exif.tobytes()
    buffer = io.BytesIO()
    heif.save(buffer, quality=quality, primary_index=primary)
    return buffer.getvalue()


def camera_exif(*, orientation: int = 1) -> Image.Exif:
    """A phone's EXIF: the camera's make, the time the photo was taken and where (GPS)."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Apple"
    exif[ExifTags.Base.Orientation] = orientation
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2026:03:14 18:25:07"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = "N", (31.0, 13.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef], gps[ExifTags.GPS.GPSLongitude] = "E", (121.0, 28.0, 15.0)
    return exif


def claiming_heic(width: int, height: int, *, size: tuple[int, int] = (64, 64)) -> bytes:
    """A small HEIC whose image's `ispe` property (its coded width and height) says `width` x `height`. At 64 x 64
    the encoder writes no crop (clap), so a reader takes the claim as the image's size; at another size it crops
    the claimed image back to `size`, so the claim hides behind a small displayed size."""
    content = bytearray(heic_bytes(Image.new("RGB", size, (90, 140, 200))))
    ispe = content.index(b"ispe")  # the property's box: size, "ispe", version and flags, width, height
    content[ispe + 8 : ispe + 16] = struct.pack(">II", width, height)
    return bytes(content)


def without_what_follows_ftyp(content: bytes) -> bytes:
    """The HEIC's first box (ftyp: "this is a HEIC") and garbage after it: a HEIC by its first bytes only."""
    ftyp = struct.unpack(">I", content[:4])[0]
    return content[:ftyp] + b"\x00\x00\x00\x10junk" + bytes(range(256)) * 4
