"""Real PDF files for upload tests: written by pypdf's writer (a page, and whatever active content a test adds), or,
for a PDF whose objects are compressed inside an object stream (which pypdf's writer does not write), laid out here
byte by byte as PDF 1.5 describes it: the objects in a FlateDecode /ObjStm, found through a cross-reference stream."""

import io
import struct
import zlib
from collections.abc import Callable

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    PdfObject,
    TextStringObject,
)


def pdf_bytes(change: Callable[[PdfWriter], None] | None = None) -> bytes:
    """A one-page PDF from pypdf's writer, after `change(writer)`."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if change is not None:
        change(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def action(kind: str, **entries: str | PdfObject) -> DictionaryObject:
    """An action dictionary: /S `kind` and its entries (/JS, /F ...), text given as a str."""
    return DictionaryObject(
        {NameObject("/S"): NameObject(kind)}
        | {
            NameObject(f"/{key}"): TextStringObject(value) if isinstance(value, str) else value
            for key, value in entries.items()
        }
    )


def annotation(writer: PdfWriter, subtype: str, **entries: PdfObject) -> None:
    """An annotation of `subtype` over the whole page, with `entries` (an /A action ...)."""
    annot = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject(subtype),
            NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(200), NumberObject(200)]),
        }
        | {NameObject(f"/{key}"): value for key, value in entries.items()}
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annot)])


def link(to: DictionaryObject) -> Callable[[PdfWriter], None]:
    """A change that puts a link over the page running the action `to` when clicked."""
    return lambda writer: annotation(writer, "/Link", A=to)


def launch_link(writer: PdfWriter) -> None:
    """A link over the page that starts a program when clicked."""
    link(action("/Launch", F="cmd.exe"))(writer)


def layer(usage: DictionaryObject | None = None, auto_state: str = "") -> Callable[[PdfWriter], None]:
    """A change that draws a square on the page in an optional content group (a layer, "Total") the catalog's
    /OCProperties lists: with the group's /Usage when given (its /Print, /View ... settings), and, given an event
    (`auto_state`: "/Print", "/View"), an /AS entry in the default configuration applying that event's usage to it."""

    def change(writer: PdfWriter) -> None:
        group = DictionaryObject(
            {NameObject("/Type"): NameObject("/OCG"), NameObject("/Name"): TextStringObject("Total")}
        )
        if usage is not None:
            group[NameObject("/Usage")] = usage
        reference = writer._add_object(group)
        default = DictionaryObject({NameObject("/Order"): ArrayObject([reference])})
        if auto_state:
            default[NameObject("/AS")] = ArrayObject(
                [
                    DictionaryObject(
                        {
                            NameObject("/Event"): NameObject(auto_state),
                            NameObject("/OCGs"): ArrayObject([reference]),
                            NameObject("/Category"): ArrayObject([NameObject(auto_state)]),
                        }
                    )
                ]
            )
        writer.root_object[NameObject("/OCProperties")] = DictionaryObject(
            {NameObject("/OCGs"): ArrayObject([reference]), NameObject("/D"): default}
        )
        page = writer.pages[0]
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Properties"): DictionaryObject({NameObject("/Total"): reference})}
        )
        content = DecodedStreamObject()
        content.set_data(b"/OC /Total BDC 20 20 160 160 re f EMC")
        page[NameObject("/Contents")] = writer._add_object(content)

    return change


def pdf_with_object_stream(catalog_entries: bytes = b"", page_entries: bytes = b"") -> bytes:
    """A one-page PDF whose catalog, pages and page are compressed in an object stream (object 4), with
    `catalog_entries` (raw PDF, e.g. an /OpenAction) in the catalog and `page_entries` (e.g. /Annots) in the page:
    nothing of them can be read in the file's bytes."""
    objects = [
        b"<</Type/Catalog/Pages 2 0 R" + catalog_entries + b">>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]" + page_entries + b">>",
    ]
    index, body = b"", b""
    for number, content in enumerate(objects, start=1):
        index += b"%d %d " % (number, len(body))
        body += content + b"\n"
    packed = zlib.compress(index + body)
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    stream_at = len(out)
    out += b"4 0 obj\n<</Type/ObjStm/N %d/First %d/Filter/FlateDecode/Length %d>>\nstream\n" % (
        len(objects),
        len(index),
        len(packed),
    )
    out += packed + b"\nendstream\nendobj\n"
    xref_at = len(out)
    # Type 2 rows: in object stream 4 at its index; type 1: at an offset in the file.
    rows = [(0, 0, 65535), (2, 4, 0), (2, 4, 1), (2, 4, 2), (1, stream_at, 0), (1, xref_at, 0)]
    table = b"".join(struct.pack(">BIH", *row) for row in rows)
    out += b"5 0 obj\n<</Type/XRef/Size 6/W[1 4 2]/Root 1 0 R/Length %d>>\nstream\n" % len(table)
    out += table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


PDF = pdf_bytes()
