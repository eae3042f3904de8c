"""A HEIC (an iPhone's photo, and many an Android phone's) is read by pillow-heif (libheif and its HEVC decoder,
shipped in its wheel) and stored as a JPEG: no browser but Safari shows a HEIC, and the agent, the manager and the
platform's staff who open the evidence pack must all see the photo.

`heic_pixels` reads the boxes that describe the file's primary image (the one a viewer shows; a burst, an edit or a
sequence keeps others beside it) and decodes nothing: the pixels its coded image has, for the same decompression-bomb
limit as any image (crm.uploads.images). `heic_to_jpeg` then decodes that primary image only, as libheif shows it:
turned by the rotation and mirror the file records (irot, imir: an iPhone writes there the orientation its EXIF
states, and HEIF's readers follow the box, not the EXIF tag) and cropped (clap). The JPEG keeps the photo's EXIF (the
time and place it was taken, the camera: evidence too) without the orientation tag, which is applied, and its colour
profile. A file libheif cannot decode (cut short, garbage after its first box, a sequence with no still image) answers
None, and is refused as a HEIC that cannot be read."""

import io
from typing import BinaryIO

import pillow_heif
from PIL import ExifTags, Image

JPEG_QUALITY = 90
# The most a JPEG's APP1 segment holds (its two length bytes count themselves): a longer EXIF is not kept.
_MAX_EXIF_BYTES = 65533


def _primary(file: BinaryIO) -> pillow_heif.HeifImage:
    file.seek(0)
    heif = pillow_heif.open_heif(file, convert_hdr_to_8bit=True)  # reads the boxes; decodes nothing yet
    return heif[heif.primary_index]


def _coded_pixels(image: pillow_heif.HeifImage) -> int:
    """The most pixels decoding the image allocates: its size as shown, the coded size a crop (clap) cuts it from
    (a small shown size can hide a huge coded one), and the tiles of a grid (an iPhone's photo is 512 x 512 tiles)."""
    width, height = image.size
    sizes = [width * height]
    # (clap, left, top, right, bottom, coded width, coded height), as pillow-heif's own plugin reads them.
    for transformation in getattr(getattr(image, "_c_image", None), "transformations", ()):
        if transformation[0] == "clap":
            sizes.append(transformation[-2] * transformation[-1])
    tiling = image.info.get("tiling")
    if tiling:
        columns, rows = tiling["num_columns"], tiling["num_rows"]
        sizes.append(columns * rows * tiling["tile_width"] * tiling["tile_height"])
    return max(sizes)


def heic_pixels(file: BinaryIO) -> int | None:
    """How many pixels the HEIC's primary image is coded with, from its boxes (nothing is decoded), or None when
    libheif cannot read them."""
    try:
        return _coded_pixels(_primary(file))
    # The bytes are the uploader's: libheif's parser may fail on them in any way (ValueError for most).
    except Exception:
        return None
    finally:
        file.seek(0)


def _exif_without_orientation(exif: bytes | None) -> bytes | None:
    """The photo's EXIF less its orientation tag (the pixels are turned already). pillow-heif has set the tag to 1
    (as shown) in the bytes it hands over; when Pillow cannot rewrite them, those are kept: a tag saying "as shown"
    turns nothing, and the time and place are not lost."""
    if not exif:
        return None
    try:
        parsed = Image.Exif()
        parsed.load(exif)
        for ifd in (ExifTags.IFD.Exif, ExifTags.IFD.GPSInfo):  # read, so that they are written back
            parsed.get_ifd(ifd)
        parsed.pop(ExifTags.Base.Orientation, None)
        rewritten = parsed.tobytes()
    except Exception:
        rewritten = exif
    return rewritten if len(rewritten) <= _MAX_EXIF_BYTES else None


def heic_to_jpeg(file: BinaryIO) -> bytes | None:
    """The HEIC's primary image as a JPEG (RGB, quality JPEG_QUALITY, its EXIF less the orientation, its colour
    profile), or None when libheif cannot decode it. Call it once heic_pixels has passed the image: it decodes."""
    try:
        image = _primary(file).to_pillow()  # decoded, turned and cropped as the file says
    except Exception:
        return None
    finally:
        file.seek(0)
    if "A" in image.getbands():  # a transparent part shows white, not the colour hidden under it
        image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image.convert("RGBA"))
    options = {"format": "JPEG", "quality": JPEG_QUALITY}
    if exif := _exif_without_orientation(image.info.get("exif")):
        options["exif"] = exif
    if icc_profile := image.info.get("icc_profile"):
        options["icc_profile"] = icc_profile
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, **options)
    return buffer.getvalue()
