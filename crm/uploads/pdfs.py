"""A PDF is read by pypdf, every object its cross-reference lists (those compressed in object streams too), and refused
when pypdf cannot read it, when a password keeps it from being read, when it has more objects than the check reads, or
when it carries anything that acts on its own: what a PDF reader would run (JavaScript, an XFA form, rich media: Flash
or 3D), do by itself (an action on opening, additional actions), start (a launch, a command of its menu other than
turning a page), play (a screen, a movie, a sound, a rendition, a 3D view), unpack (embedded files), send or load (a
form's submit or import action), change on the page (layers switched, annotations shown or hidden; layers set to show
one thing on screen and print another) or open besides it (a go-to into another PDF, remote or embedded, or an article
thread in another file; a link to a file, a network share or a program, whose address hands the share the Windows
user's credentials; a base address the catalog puts before every relative link). A link to a web page or an e-mail
address (/URI: http, https, mailto) or to a page or an article thread of the same PDF (/GoTo, /Thread) is accepted: it
acts only when clicked, and the reader asks first (ADR 0047).
"""

import re
from collections.abc import Iterator
from typing import BinaryIO

from django.utils.translation import gettext_lazy
from pypdf import PasswordType, PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject

# What a PDF may not carry, in the order a refusal names them (a PDF with several is refused for the first).
_PDF_SCRIPT, _PDF_LAUNCH, _PDF_AUTOMATIC, _PDF_EMBEDDED = "script", "launch", "automatic", "embedded"
_PDF_XFA, _PDF_SENDS_DATA, _PDF_MEDIA, _PDF_OTHER_PDF = "xfa", "sends_data", "media", "other_pdf"
_PDF_FILE_LINK, _PDF_NAMED, _PDF_SHOWS_HIDES, _PDF_LINK_BASE = "file_link", "named", "shows_hides", "link_base"
_PDF_SCREEN_AND_PRINT = "screen_and_print"
_PDF_FINDS = (
    _PDF_SCRIPT,
    _PDF_LAUNCH,
    _PDF_AUTOMATIC,
    _PDF_EMBEDDED,
    _PDF_XFA,
    _PDF_SENDS_DATA,
    _PDF_MEDIA,
    _PDF_OTHER_PDF,
    _PDF_FILE_LINK,
    _PDF_NAMED,
    _PDF_SHOWS_HIDES,
    _PDF_LINK_BASE,
    _PDF_SCREEN_AND_PRINT,
)
# Actions (/S) refused wherever they are (a link's or a button's /A, a /Next, an /OpenAction, a name tree's entry).
_PDF_ACTIONS = {
    "/JavaScript": _PDF_SCRIPT,
    "/Launch": _PDF_LAUNCH,
    "/SubmitForm": _PDF_SENDS_DATA,  # sends the form's fields (or the whole PDF) to an address
    "/ImportData": _PDF_SENDS_DATA,  # loads field values from another file
    "/RichMediaExecute": _PDF_MEDIA,  # a command to a rich media annotation's player
    "/GoToR": _PDF_OTHER_PDF,  # a PDF elsewhere: a share's address hands over the Windows user's credentials
    "/GoToE": _PDF_OTHER_PDF,  # a PDF embedded in this one (or in one it is embedded in)
    "/Rendition": _PDF_MEDIA,  # plays a screen annotation's media (or runs its /JS)
    "/Movie": _PDF_MEDIA,
    "/Sound": _PDF_MEDIA,
    "/GoTo3DView": _PDF_MEDIA,  # a command to a 3D annotation's player: the view it shows
    # Layers (optional content) switched on or off, annotations shown or hidden: the page then shows something else
    # than it did when opened (a total, a signature), and a reader prints what it shows.
    "/SetOCGState": _PDF_SHOWS_HIDES,
    "/Hide": _PDF_SHOWS_HIDES,
}
# Annotations (and their content) a reader plays with a player of its own: Flash, 3D (U3D, PRC, with 3D JavaScript),
# a screen's media clip (video, with its own player), a movie, a sound.
_PDF_MEDIA_SUBTYPES = {"/RichMedia", "/3D", "/Screen", "/Movie", "/Sound"}
# The only commands of the reader's menu (/Named actions) a link may run: turning a page, as the reader's own arrows
# do. The rest print, save, close, open files, search, or whatever else a reader names (Acrobat runs any menu item).
_PDF_PAGE_TURNS = {"/NextPage", "/PrevPage", "/FirstPage", "/LastPage"}
# The addresses a link (/URI) may open: a web page or an e-mail. Anything else is a file (file:, a share's
# \\server\share, //server/share, smb:) whose opening hands the share the Windows user's credentials (NTLM) as a
# /GoToR does, or a program registered for the scheme (ms-msdt:, search-ms: ...). Written as the reader reads it: its
# case ignored, white space and control characters anywhere left out.
_PDF_LINK_SCHEMES = re.compile(r"(?:https?://|mailto:)", re.IGNORECASE)
_PDF_LINK_IGNORED = re.compile(r"[\x00-\x20\x7f]+")
_PDF_PASSWORD, PDF_UNREADABLE, _PDF_TOO_MANY = "password", "unreadable", "too_many"
# Each object is parsed (about 0.1 ms): a receipt or a courier's report of a hundred pages has a few thousand, and 10
# MB of empty objects half a million, a minute of the web process.
MAX_PDF_OBJECTS = 20_000
_PDF_REFUSALS = {
    _PDF_TOO_MANY: gettext_lazy(
        "%(field)s: the PDF is made of more than %(limit)s objects, too many to check. Print it to a new PDF, or "
        "upload a photo of it."
    ),
    _PDF_PASSWORD: gettext_lazy(
        "%(field)s: the PDF is protected by a password, so its contents cannot be checked. Upload it without the "
        "password, or a photo of it."
    ),
    _PDF_SCRIPT: gettext_lazy(
        "%(field)s: the PDF contains JavaScript, which could run when it is opened; such a PDF is not accepted. "
        "Print it to a new PDF, or upload a photo of it."
    ),
    _PDF_LAUNCH: gettext_lazy(
        "%(field)s: the PDF can start a program or open another file; such a PDF is not accepted. Print it to a new "
        "PDF, or upload a photo of it."
    ),
    _PDF_AUTOMATIC: gettext_lazy(
        "%(field)s: the PDF carries an action that runs by itself when it is opened or read; such a PDF is not "
        "accepted. Print it to a new PDF, or upload a photo of it."
    ),
    _PDF_EMBEDDED: gettext_lazy(
        "%(field)s: the PDF carries files embedded in it; such a PDF is not accepted. Print it to a new PDF, or "
        "upload a photo of it."
    ),
    _PDF_XFA: gettext_lazy(
        "%(field)s: the PDF is an XFA form, which can run scripts and reach servers when it is opened; such a PDF "
        "is not accepted. Print it to a new PDF, or upload a photo of it."
    ),
    _PDF_SENDS_DATA: gettext_lazy(
        "%(field)s: the PDF carries a form action that sends what is in it to another place, or loads data from "
        "another file; such a PDF is not accepted. Print it to a new PDF, or upload a photo of it."
    ),
    _PDF_MEDIA: gettext_lazy(
        "%(field)s: the PDF carries media (Flash, 3D, a video or a sound) that the PDF reader would play; such a PDF "
        "is not accepted. Print it to a new PDF, or upload a photo of it."
    ),
    _PDF_OTHER_PDF: gettext_lazy(
        "%(field)s: the PDF has a link that opens another PDF, stored elsewhere or embedded in a file; such a PDF is "
        "not accepted. Print it to a new PDF, or upload a photo of it."
    ),
    _PDF_FILE_LINK: gettext_lazy(
        "%(field)s: the PDF has a link to a file, a network share or a program rather than to a web page or an "
        "e-mail address (such a link can hand over the reader's Windows sign-in); such a PDF is not accepted. Print it "
        "to a new PDF, or upload a photo of it."
    ),
    _PDF_NAMED: gettext_lazy(
        "%(field)s: the PDF has a link or a button that runs a command of the PDF reader (print, save, close ...); "
        "only one that turns to the next, previous, first or last page is accepted. Print it to a new PDF, or upload "
        "a photo of it."
    ),
    _PDF_SHOWS_HIDES: gettext_lazy(
        "%(field)s: the PDF has a link or a button that shows or hides parts of its pages, so what it shows can change "
        "once it is open; such a PDF is not accepted. Print it to a new PDF, or upload a photo of it."
    ),
    _PDF_LINK_BASE: gettext_lazy(
        "%(field)s: the PDF sets a base address for its links, which sends every link written without one to that "
        "address; such a PDF is not accepted. Print it to a new PDF, or upload a photo of it."
    ),
    _PDF_SCREEN_AND_PRINT: gettext_lazy(
        "%(field)s: the PDF has layers set to show one thing on screen and print another; such a PDF is not accepted. "
        "Print it to a new PDF, or upload a photo of it."
    ),
}


def _resolved(value: PdfObject | None) -> PdfObject | None:
    return value.get_object() if isinstance(value, IndirectObject) else value


def _pdf_link_to_the_web(address: PdfObject | None) -> bool:
    """Whether a link's /URI opens a web page or an e-mail (a link with no address opens nothing)."""
    if address is None:
        return True
    if isinstance(address, bytes):  # a byte string: the spec's URI is 7-bit ASCII
        address = address.decode("latin-1")
    if not isinstance(address, str):
        return False
    return bool(_PDF_LINK_SCHEMES.match(_PDF_LINK_IGNORED.sub("", address)))


def _pdf_dictionary_finds(entry: DictionaryObject) -> Iterator[str]:
    """What a dictionary of a PDF (an action, a page, an annotation, the catalog, a name tree ...) carries of what
    is refused. Its entries are read as written (dict's own methods: pypdf's [] would follow references)."""
    keys = dict.keys(entry)
    action = _resolved(dict.get(entry, "/S"))  # an action dictionary's type
    if isinstance(action, str) and action in _PDF_ACTIONS:
        yield _PDF_ACTIONS[action]
    if action == "/URI" and not _pdf_link_to_the_web(_resolved(dict.get(entry, "/URI"))):
        yield _PDF_FILE_LINK
    if action == "/Named" and _resolved(dict.get(entry, "/N")) not in _PDF_PAGE_TURNS:
        yield _PDF_NAMED
    if action == "/Thread" and "/F" in keys:  # an article thread in another file, which the reader opens
        yield _PDF_OTHER_PDF
    # The catalog's /URI dictionary: its /Base is put before the address of every link written without one.
    links = _resolved(dict.get(entry, "/URI"))
    if isinstance(links, DictionaryObject) and "/Base" in dict.keys(links):
        yield _PDF_LINK_BASE
    if "/JS" in keys or "/JavaScript" in keys:  # an action's script; the document's
        yield _PDF_SCRIPT
    # Additional actions (a page opened or closed, a field, the document printed); an action on opening (an
    # /OpenAction that is a destination, an array, only opens the PDF at a page).
    if "/AA" in keys or isinstance(_resolved(dict.get(entry, "/OpenAction")), DictionaryObject):
        yield _PDF_AUTOMATIC
    if "/EmbeddedFiles" in keys or "/EF" in keys or _resolved(dict.get(entry, "/Type")) == "/EmbeddedFile":
        yield _PDF_EMBEDDED
    if "/XFA" in keys:  # the AcroForm's XML form, which the reader runs instead of the PDF's own fields
        yield _PDF_XFA
    # A layer's usage for viewing or printing (an optional content group's /Usage), or a configuration's auto-states
    # (/AS, an array; an annotation's /AS is a name) that apply it when the page is shown or printed: the reader then
    # shows one thing on screen and prints another (a total, a signature). Refused whatever the states say: what the
    # reader shows follows the configuration's lists, its auto-states and the reader (ADR 0047).
    usage = _resolved(dict.get(entry, "/Usage"))
    if isinstance(usage, DictionaryObject) and ("/Print" in dict.keys(usage) or "/View" in dict.keys(usage)):
        yield _PDF_SCREEN_AND_PRINT
    auto_states = _resolved(dict.get(entry, "/AS"))
    if isinstance(auto_states, ArrayObject) and len(auto_states):
        yield _PDF_SCREEN_AND_PRINT
    subtype = _resolved(dict.get(entry, "/Subtype"))
    if "/RichMediaContent" in keys or (isinstance(subtype, str) and subtype in _PDF_MEDIA_SUBTYPES):
        yield _PDF_MEDIA


def _pdf_objects(reader: PdfReader) -> Iterator[PdfObject | None]:
    """The trailer and every object the cross-reference lists, those compressed in object streams too (pypdf
    decompresses them); a PDF whose cross-reference is broken has it rebuilt by pypdf from the objects in the file,
    as a reader rebuilds it. An object no cross-reference lists is not read: a reader does not find it either."""
    yield reader.trailer
    for generation, numbers in reader.xref.items():
        for number in numbers:
            yield reader.get_object(IndirectObject(number, generation, reader))
    for number in reader.xref_objStm:
        yield reader.get_object(IndirectObject(number, 0, reader))


def pdf_refusal(file: BinaryIO, *, max_objects: int | None = None) -> str | None:
    """Why the PDF is refused (a key of _PDF_REFUSALS, or PDF_UNREADABLE), or None; PDF_TOO_MANY when it has more
    than `max_objects` (MAX_PDF_OBJECTS unless given), none of them read. Every object is walked, and every dictionary
    and array inside it (a stack, not recursion: the nesting is the uploader's); a reference is not followed, its
    object being one of those walked."""
    file.seek(0)
    found: set[str] = set()
    try:
        reader = PdfReader(file)  # tries the empty password, which opens a PDF that only restricts printing or editing
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            return _PDF_PASSWORD
        if sum(map(len, reader.xref.values())) + len(reader.xref_objStm) > (max_objects or MAX_PDF_OBJECTS):
            return _PDF_TOO_MANY
        for top in _pdf_objects(reader):
            stack = [top]
            while stack:
                value = stack.pop()
                if isinstance(value, DictionaryObject):  # a stream's dictionary too
                    found.update(_pdf_dictionary_finds(value))
                    stack.extend(dict.values(value))
                elif isinstance(value, ArrayObject):
                    stack.extend(value)
    # The bytes are the uploader's: a parser may fail on them in any way (pypdf's own errors, a RecursionError on
    # deep nesting, a ValueError from a number). A PDF pypdf cannot read is refused, as an image its decoder cannot.
    except Exception:
        return PDF_UNREADABLE
    finally:
        file.seek(0)
    return next((reason for reason in _PDF_FINDS if reason in found), None)


# What the PDF check finds a PDF carries (the rest of its refusals: it cannot be read or checked).
PDF_ACTIVE_CONTENT = frozenset(_PDF_FINDS)
# A PDF of more objects than the check reads (MAX_PDF_OBJECTS, or the bound its caller gives).
PDF_TOO_MANY = _PDF_TOO_MANY
_PDF_UNREADABLE_TEXT = gettext_lazy(
    "%(field)s: the PDF cannot be read, so its contents cannot be checked. Print it to a new PDF, or upload a photo "
    "of it."
)


def pdf_refusal_text(reason: str, *, field: str) -> str:
    """The refusal of `reason` (a code pdf_refusal answered) in the reader's language, naming `field`."""
    text = _PDF_REFUSALS.get(reason, _PDF_UNREADABLE_TEXT)
    return text % {"field": field, "limit": MAX_PDF_OBJECTS}
