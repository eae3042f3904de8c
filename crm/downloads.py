"""Responses that hand a file to the browser under a safe name, for every app's downloads, and CSV files a
spreadsheet opens without running anything in them.

A name is often built from data we did not choose (a platform's review id, a customer's name): it may hold
quotes, CR/LF or path separators. `safe_filename` keeps letters (any script), digits and `.-_` and turns the
rest into `_`; Django's content_disposition_header then writes the Content-Disposition header (RFC 6266, with
`filename*=utf-8''` for non-ASCII names). Every download is sent with `X-Content-Type-Options: nosniff`, so
the browser uses the type we state and never guesses from the bytes.
"""

import csv
import re
from collections.abc import Iterable
from typing import Any, BinaryIO

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

_UNSAFE = re.compile(r"[^\w.\-]+")
MAX_NAME = 150
# A spreadsheet program reads a cell that starts with one of these as a formula ("CSV injection", OWASP): a
# customer's name, which the order system passes on as the customer typed it, could fetch a URL or run a command
# in the manager's spreadsheet when the export is opened. Excel in Chinese and Japanese reads the full-width forms a
# Chinese input method types (＝ ＋ － ＠, U+FF1D U+FF0B U+FF0D U+FF20) as formulas too (OWASP/www-community#1088).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_filename(name: str) -> str:
    """`name` with every run of characters outside letters, digits and `.-_` replaced by one `_`."""
    cleaned = _UNSAFE.sub("_", name).strip("._") or "download"
    return cleaned[-MAX_NAME:]


FILE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


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
    # A file is no page of ours: nothing in it may run or load anything (sandbox, default-src 'none'), while the
    # browser's own viewer of an image opened in its tab may style itself (its inline styles broke the site's policy).
    response["Content-Security-Policy"] = FILE_POLICY
    return response


def spreadsheet_cell(value: Any) -> Any:
    """`value` as a CSV cell: text that would start a formula gets an apostrophe in front, so the spreadsheet shows
    it as text; numbers (a negative one included) stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class SpreadsheetCsvWriter:
    """csv.writer whose every cell goes through spreadsheet_cell: the one way our CSV exports are written."""

    def __init__(self, stream) -> None:
        self._writer = csv.writer(stream)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([spreadsheet_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
