"""Responses that hand a file to the browser under a safe name, for every app's downloads.

A name is often built from data we did not choose (a platform's review id, a customer's name): it may hold
quotes, CR/LF or path separators. `safe_filename` keeps letters (any script), digits and `.-_` and turns the
rest into `_`; Django's content_disposition_header then writes the Content-Disposition header (RFC 6266, with
`filename*=utf-8''` for non-ASCII names). Every download is sent with `X-Content-Type-Options: nosniff`, so
the browser uses the type we state and never guesses from the bytes.
"""

import re
from typing import BinaryIO

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

_UNSAFE = re.compile(r"[^\w.\-]+")
MAX_NAME = 150


def safe_filename(name: str) -> str:
    """`name` with every run of characters outside letters, digits and `.-_` replaced by one `_`."""
    cleaned = _UNSAFE.sub("_", name).strip("._") or "download"
    return cleaned[-MAX_NAME:]


def file_response(
    content: bytes | BinaryIO, *, filename: str, content_type: str, as_attachment: bool = True
) -> HttpResponse:
    """A download (or, with as_attachment=False, a file shown in the page) under a safe name and stated type.

    Bytes are answered whole; an open file is streamed (FileResponse).
    """
    name = safe_filename(filename)
    if isinstance(content, bytes):
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(as_attachment, name)
    else:
        response = FileResponse(content, as_attachment=as_attachment, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
