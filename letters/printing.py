"""The print batch as a PDF: Django templates rendered to HTML, laid out and printed by WeasyPrint.

WeasyPrint embeds (a subset of) every font it uses, so the Chinese prints the same on any printer; the page
CSS asks for Noto CJK, which devtools/ensure_print.sh installs (docs/decisions/0016-letters-pdf-weasyprint.md).

Layout costs WeasyPrint some milliseconds a page on one core, so a big batch is cut into chunks of
CHUNK_LETTERS letters laid out by a pool of processes (one per core) and joined in order with pypdf; a batch
of one chunk is rendered in this process. Both give the same pages (tests/letters/test_printing.py).
"""

import io
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from django.conf import settings
from django.template.loader import render_to_string

from crm.models import Store

from . import pdf_worker
from .models import Letter

CHUNK_LETTERS = 250


def letters_html(*, store: Store, letters: list[Letter], cue_cards: bool = False) -> str:
    """One page per letter (its inserts below it, to cut out), or one cue card per letter for handwriting."""
    template = "letters/print/cue_cards.html" if cue_cards else "letters/print/letters.html"
    # Each letter's own language (its customer's, ADR 0052) for its few printed labels ("Order", "cut here", a cue
    # card's "Signed by"), whatever the user's is: the templates switch to it letter by letter ({% language %}).
    return render_to_string(template, {"store": store, "letters": letters})


def html_to_pdf(html: str) -> bytes:
    return pdf_worker.render(html, str(settings.BASE_DIR))


def letters_pdf(*, store: Store, letters: list[Letter], cue_cards: bool = False, chunk: int = CHUNK_LETTERS) -> bytes:
    chunks = [letters[start : start + chunk] for start in range(0, len(letters), chunk)]
    htmls = [letters_html(store=store, letters=part, cue_cards=cue_cards) for part in chunks] or [
        letters_html(store=store, letters=[], cue_cards=cue_cards)
    ]
    if len(htmls) == 1:
        return html_to_pdf(htmls[0])
    workers = min(len(htmls), settings.LETTERS_PDF_WORKERS or os.cpu_count() or 1)
    # spawn, not fork: a forked web or Celery worker would copy its database connections and threads.
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        parts = list(pool.map(pdf_worker.render, htmls, [str(settings.BASE_DIR)] * len(htmls)))
    return _join(parts)


def _join(parts: list[bytes]) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
