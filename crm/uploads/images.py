"""An image's header, read by Pillow's decoder for its one format (only the header: nothing is decoded): one it cannot
read is not that format (a JPEG's three signature bytes followed by a page), and one whose header claims more than
MAX_IMAGE_PIXELS is a decompression bomb (a hundred bytes saying 100,000 x 100,000 pixels, decoded whole by the
browser tab that opens it)."""

import warnings
from typing import BinaryIO

from PIL import Image

from crm.uploads.kinds import UploadKind

# 80 megapixels (320 MB decoded at 4 bytes a pixel): more than any photo within the 10 MB evidence limit (a phone's
# 50-megapixel photo is 8160 x 6120), and below Pillow's own decompression-bomb warning (89 megapixels).
MAX_IMAGE_PIXELS = 80_000_000


def image_pixels(file: BinaryIO, kind: UploadKind) -> int | None:
    """How many pixels the image's header says it has (more than MAX_IMAGE_PIXELS when Pillow calls it a bomb), or
    None when the header is not one of `kind`'s."""
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file, formats=[kind.decoder]) as image:  # reads the header only
                width, height = image.size
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        return MAX_IMAGE_PIXELS + 1
    except (
        OSError,
        ValueError,
        SyntaxError,
        EOFError,
    ):  # Pillow's ways of saying "not this format" (UnidentifiedImageError)
        return None
    finally:
        file.seek(0)
    return width * height
