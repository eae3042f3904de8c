"""Uploaded files are what they claim to be, and are stored under a name we choose. For every app's uploads.

A browser (or an attacker) states a file's type and name; neither is evidence. `upload_accept` reads the file's first
bytes and accepts only the formats we can show safely: JPEG, PNG, WebP and PDF, each recognised by the signature its
specification fixes (a few bytes at the start; a library that knows hundreds of formats would only widen what we must
reason about). An HTML page or an SVG declared as image/jpeg is refused with a message naming the field and the reason.
An image's header is then read by Pillow's decoder for that one format (only the header: nothing is decoded): one it
cannot read is not that format (a JPEG's three signature bytes followed by a page), and one whose header claims more
than MAX_IMAGE_PIXELS is refused, a decompression bomb (a hundred bytes saying 100,000 x 100,000 pixels, decoded whole
by the browser tab that opens it). A PDF is read by pypdf, every object its cross-reference lists (those compressed in
object streams too), and refused when pypdf cannot read it, when a password keeps it from being read, or when it carries
anything that acts on its own: what a PDF reader would run (JavaScript, an XFA form, rich media: Flash or 3D), do by
itself (an action on opening, additional actions), start (a launch, a command of its menu other than turning a page),
play (a screen, a movie, a sound, a rendition, a 3D view), unpack (embedded files), send or load (a form's submit or
import action), change on the page (layers switched, annotations shown or hidden) or open besides it (a go-to into
another PDF, remote or embedded, or an article thread in another file; a link to a file, a network share or a program,
whose address hands the share the Windows user's credentials; a base address the catalog puts before every relative
link). A link to a web page or an e-mail address (/URI: http, https, mailto) or to a page or an article thread of the
same PDF (/GoTo, /Thread) is accepted: it acts only when clicked, and the reader asks first. The
accepted file is renamed `<random>.<ext>` from the detected type, so a stored name never carries the uploader's text,
and `upload_kind_of` answers the type to serve it with (crm.downloads sends it with nosniff). `upload_refusal` answers
why the same check refuses a file stored before it did, as a code (crm.services.evidence_recheck, ADR 0047).

A file is written to storage by the write that records it (`upload_store`, inside that write's transaction) and
lives exactly as long as that write: when the transaction does not commit (a later check refuses the write, the
database refuses a row, a savepoint around it rolls back) the file is deleted again once the transaction is over
(`uploads_discard_uncommitted`, run at the end of every request), so storage holds no file no row names (ADR 0047).
A process that dies before its transaction ends cannot delete anything: `uploads_sweep` (beat, every hour) deletes
the files in the upload fields' folders that no row names once they are older than any write's transaction can be.
"""

import logging
import re
import uuid
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import BinaryIO

from asgiref.local import Local
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image
from pypdf import PasswordType, PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject

from crm.errors import InvalidInput


@dataclass(frozen=True)
class UploadKind:
    name: str  # shown to users
    extension: str
    content_type: str
    inline: bool  # safe to show in the browser; the rest download as attachments
    decoder: str = ""  # Pillow's name of the format, for an image: its header is read to know its size

    def matches(self, head: bytes) -> bool:
        if self.extension == "webp":  # RIFF <size> WEBP
            return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
        return head.startswith(_SIGNATURES[self.extension])


_SIGNATURES = {"jpg": b"\xff\xd8\xff", "png": b"\x89PNG\r\n\x1a\n", "pdf": b"%PDF-"}
JPEG = UploadKind("JPEG", "jpg", "image/jpeg", inline=True, decoder="JPEG")
PNG = UploadKind("PNG", "png", "image/png", inline=True, decoder="PNG")
WEBP = UploadKind("WebP", "webp", "image/webp", inline=True, decoder="WEBP")
# Inline PDFs run in the browser's PDF viewer, which has scripting of its own: always an attachment.
PDF = UploadKind("PDF", "pdf", "application/pdf", inline=False)
IMAGES_AND_PDF = (JPEG, PNG, WEBP, PDF)
HEAD_BYTES = 16
# 80 megapixels (320 MB decoded at 4 bytes a pixel): more than any photo within the 10 MB evidence limit (a phone's
# 50-megapixel photo is 8160 x 6120), and below Pillow's own decompression-bomb warning (89 megapixels).
MAX_IMAGE_PIXELS = 80_000_000


class UploadRefused(InvalidInput):
    code = "invalid_upload"
    default_message = gettext_lazy("The file was refused.")


def _head(file: BinaryIO) -> bytes:
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    return head


def upload_kind_of(file: BinaryIO, *, kinds: tuple[UploadKind, ...] = IMAGES_AND_PDF) -> UploadKind | None:
    """The accepted kind the file's bytes are, or None."""
    head = _head(file)
    return next((kind for kind in kinds if kind.matches(head)), None)


def _pixels(file: BinaryIO, kind: UploadKind) -> int | None:
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


# What a PDF may not carry, in the order a refusal names them (a PDF with several is refused for the first).
_PDF_SCRIPT, _PDF_LAUNCH, _PDF_AUTOMATIC, _PDF_EMBEDDED = "script", "launch", "automatic", "embedded"
_PDF_XFA, _PDF_SENDS_DATA, _PDF_MEDIA, _PDF_OTHER_PDF = "xfa", "sends_data", "media", "other_pdf"
_PDF_FILE_LINK, _PDF_NAMED, _PDF_SHOWS_HIDES, _PDF_LINK_BASE = "file_link", "named", "shows_hides", "link_base"
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
_PDF_PASSWORD, _PDF_UNREADABLE, _PDF_TOO_MANY = "password", "unreadable", "too_many"
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


def _pdf_refusal(file: BinaryIO, max_objects: int) -> str | None:
    """Why the PDF is refused (a key of _PDF_REFUSALS, or _PDF_UNREADABLE), or None; _PDF_TOO_MANY when it has more
    than `max_objects`, none of them read. Every object is walked, and every dictionary and array inside it (a stack,
    not recursion: the nesting is the uploader's); a reference is not followed, its object being one of those
    walked."""
    file.seek(0)
    found: set[str] = set()
    try:
        reader = PdfReader(file)  # tries the empty password, which opens a PDF that only restricts printing or editing
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            return _PDF_PASSWORD
        if sum(map(len, reader.xref.values())) + len(reader.xref_objStm) > max_objects:
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
        return _PDF_UNREADABLE
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
# The file's bytes are none of the accepted kinds (or only start like one); an image's header claims too many pixels.
WRONG_TYPE, TOO_MANY_PIXELS = "wrong_type", "too_many_pixels"
_WRONG_TYPE_TEXT = gettext_lazy(
    "%(field)s: the file's contents are not one of %(allowed)s (whatever its name or stated type)."
)
_TOO_MANY_PIXELS_TEXT = gettext_lazy(
    "%(field)s: the image is larger than %(limit)s megapixels, the most that is accepted."
)


def _check(
    file: BinaryIO, kinds: tuple[UploadKind, ...], max_pdf_objects: int | None = None
) -> tuple[UploadKind | None, str | None]:
    """The kind the file's bytes are, and why the check refuses them (a code), or None: the one check of a file's
    contents, for an upload (upload_accept) and for a file stored before the check refused it (upload_refusal). A
    PDF of more than `max_pdf_objects` (MAX_PDF_OBJECTS unless given) is not read."""
    kind = upload_kind_of(file, kinds=kinds)
    if kind is None:
        return None, WRONG_TYPE
    if kind.decoder:
        pixels = _pixels(file, kind)
        if pixels is None:  # a format's signature, then something its decoder cannot read
            return kind, WRONG_TYPE
        if pixels > MAX_IMAGE_PIXELS:
            return kind, TOO_MANY_PIXELS
    return kind, _pdf_refusal(file, max_pdf_objects or MAX_PDF_OBJECTS) if kind is PDF else None


def upload_refusal(
    file: BinaryIO, *, kinds: tuple[UploadKind, ...] = IMAGES_AND_PDF, max_pdf_objects: int | None = None
) -> str | None:
    """Why upload_accept would refuse this file's contents today, as a code, or None: `wrong_type`,
    `too_many_pixels`, a PDF's (`script`, `xfa`, `other_pdf` ..., `unreadable`, `password`, `too_many`). For a file
    stored before the check refused it (crm.services.evidence_recheck), which may read a PDF of more objects than an
    upload may have (`max_pdf_objects`: the limit guards the web process). Its size is not read: the limit is the
    field's, and says nothing of what the file does once opened."""
    return _check(file, kinds, max_pdf_objects)[1]


def upload_refusal_text(reason: str, *, field: str, kinds: tuple[UploadKind, ...] = IMAGES_AND_PDF) -> str:
    """The refusal of `reason` (a code upload_refusal answered) in the reader's language, naming `field`."""
    if reason == WRONG_TYPE:
        return _WRONG_TYPE_TEXT % {"field": field, "allowed": ", ".join(kind.name for kind in kinds)}
    if reason == TOO_MANY_PIXELS:
        return _TOO_MANY_PIXELS_TEXT % {"field": field, "limit": MAX_IMAGE_PIXELS // 1_000_000}
    text = _PDF_REFUSALS.get(reason, _PDF_UNREADABLE_TEXT)
    return text % {"field": field, "limit": MAX_PDF_OBJECTS}


def upload_accept(
    file: UploadedFile,
    *,
    field: str,
    max_bytes: int,
    label: str = "",
    kinds: tuple[UploadKind, ...] = IMAGES_AND_PDF,
) -> UploadKind:
    """Check the file's size and bytes; rename it `<random>.<ext>`. Raises UploadRefused (400) naming `field`
    (the message names it by `label`, the form's label, when given)."""
    name = label or field
    if file.size > max_bytes:
        raise UploadRefused(
            # Not the file's own size: rounded, one just over the limit read "10.0 MB; at most 10.0 MB".
            _("%(field)s: the file is larger than %(limit)s, the most that is accepted.")
            % {"field": name, "limit": filesizeformat(max_bytes)},
            field=field,
        )
    kind, reason = _check(file, kinds)
    if reason is not None:
        # A PDF pypdf cannot read is, to the uploader, not a PDF.
        shown = WRONG_TYPE if reason == _PDF_UNREADABLE else reason
        raise UploadRefused(upload_refusal_text(shown, field=name, kinds=kinds), field=field)
    file.name = f"{uuid.uuid4().hex}.{kind.extension}"
    file.content_type = kind.content_type
    return kind


# -- a stored file follows its write's transaction (ADR 0047) -----------------------------------------------------

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _UploadField:
    model: type[models.Model]
    field: str
    folder: str  # the fixed start of the field's upload_to: every file the field stores is under it


_upload_fields: list[_UploadField] = []


def upload_field_register(model: type[models.Model], field: str) -> None:
    """Declare that `model.field` stores uploads (through upload_store): its folder in storage is swept by
    uploads_sweep. Called by the app that owns the model, in its ready()."""
    upload_to = model._meta.get_field(field).upload_to
    folder = ""
    if isinstance(upload_to, str):  # the folders before the first strftime code ("evidence/%Y/%m/": evidence)
        fixed, code, _rest = upload_to.partition("%")
        folder = fixed.rpartition("/")[0] if code else fixed.rstrip("/")
    if not folder:  # the sweep would read the whole storage as this field's
        raise ImproperlyConfigured(f"{model.__name__}.{field}'s upload_to must start with a folder of its own.")
    entry = _UploadField(model=model, field=field, folder=folder)
    if entry not in _upload_fields:
        _upload_fields.append(entry)


@dataclass(frozen=True, eq=False)  # each stored file is its own entry, found by identity
class _StoredFile:
    storage: Storage
    name: str
    using: str


# Per connection, as Django's own connections are (an asgiref Local): the files written by writes whose transaction
# has not committed yet.
_uncommitted = Local()


def _uncommitted_files() -> set[_StoredFile]:
    if not hasattr(_uncommitted, "files"):
        _uncommitted.files = set()
    return _uncommitted.files


def upload_store(field_file: FieldFile, upload: UploadedFile, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Write `upload` (named by upload_accept) to storage as the unsaved row's `field_file`, inside the write's
    transaction on `using`. The file is kept when that transaction commits; when it does not, the file is deleted
    by uploads_discard_uncommitted once the transaction is over."""
    if not connections[using].in_atomic_block:
        # In autocommit the row's INSERT would be a transaction of its own, after the file is kept.
        raise transaction.TransactionManagementError("upload_store writes a file inside its row's transaction.")
    if not any(entry.model._meta.get_field(entry.field) is field_file.field for entry in _upload_fields):
        # The sweep would never look at its folder: a file a dead process left there would stay for good.
        raise ImproperlyConfigured(f"{field_file.field} stores uploads: register it with upload_field_register.")
    field_file.save(upload.name, upload, save=False)
    stored = _StoredFile(storage=field_file.storage, name=field_file.name, using=using)
    files = _uncommitted_files()
    files.add(stored)
    # Django runs this only if the transaction (and every savepoint the file was written in) commits.
    transaction.on_commit(lambda: files.discard(stored), using=using)


def uploads_discard_uncommitted(**_signal) -> None:
    """Delete the files whose write's transaction is over and did not commit (its on_commit never ran). A file whose
    transaction is still open stays until the next call. Run when a request finishes (crm.apps); anything else that
    stores uploads outside a request (a command, a task) calls it when its transaction is over."""
    files = _uncommitted_files()
    for stored in [stored for stored in files if not connections[stored.using].in_atomic_block]:
        files.discard(stored)
        try:
            stored.storage.delete(stored.name)
        except OSError:  # storage unreachable: an orphan left behind, never a failed request
            logger.exception("could not delete the uncommitted upload %s", stored.name)


# -- files no row names, left by a process that died inside its write (ADR 0047) ---------------------------------

# Older than any write's transaction can be: a request's ends with the request (gunicorn's timeout), the longest
# command's (the demo seed) within minutes. A younger file may belong to a write still open; it is left alone.
ORPHAN_MIN_AGE = timedelta(days=1)
# How many stored names one query asks about.
_SWEEP_BATCH = 500


def _stored_names(storage: Storage, folder: str) -> Iterator[str]:
    """Every file under `folder` in `storage`, through the Storage API (a bucket's storage lists its keys)."""
    folders = [folder]
    while folders:
        current = folders.pop()
        try:
            subfolders, files = storage.listdir(current)
        except FileNotFoundError:  # nothing stored there yet
            continue
        folders.extend(f"{current}/{name}" for name in subfolders)
        yield from (f"{current}/{name}" for name in files)


def _older_than(storage: Storage, name: str, cutoff: datetime) -> bool:
    try:
        return storage.get_modified_time(name) < cutoff
    except FileNotFoundError:  # deleted meanwhile (a sweep beside this one)
        return False


def uploads_sweep(*, now: datetime | None = None) -> int:
    """Delete the files under the upload fields' folders that no row of those fields names and that are older than
    ORPHAN_MIN_AGE: uploads whose write never committed and whose process died before uploads_discard_uncommitted
    could run (or whose delete failed). Answers how many it deleted; a second run finds none of them."""
    cutoff = (now or timezone.now()) - ORPHAN_MIN_AGE
    deleted = 0
    for storage, folder in {
        (entry.model._meta.get_field(entry.field).storage, entry.folder) for entry in _upload_fields
    }:
        names = [name for name in _stored_names(storage, folder) if _older_than(storage, name, cutoff)]
        for start in range(0, len(names), _SWEEP_BATCH):
            batch = names[start : start + _SWEEP_BATCH]
            named = {
                name
                for entry in _upload_fields
                for name in entry.model._default_manager.filter(**{f"{entry.field}__in": batch}).values_list(
                    entry.field, flat=True
                )
            }
            for name in batch:
                if name in named:
                    continue
                try:
                    storage.delete(name)
                except OSError:  # storage unreachable: the next sweep tries again
                    logger.exception("could not delete the orphaned upload %s", name)
                    continue
                deleted += 1
    if deleted:
        logger.info("deleted %d uploads no row names", deleted)
    return deleted
