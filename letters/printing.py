"""The print batch as a PDF: Django templates rendered to HTML, laid out and printed by WeasyPrint.

WeasyPrint embeds (a subset of) every font it uses, so the Chinese prints the same on any printer; the page
CSS asks for Noto CJK, which devtools/ensure_browser.sh installs (docs/decisions/0014-letters-pdf-weasyprint.md).
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from crm.models import Store

from .models import Letter


def letters_html(*, store: Store, letters: list[Letter], cue_cards: bool = False) -> str:
    """One page per letter (its inserts below it, to cut out), or one cue card per letter for handwriting."""
    template = "letters/print/cue_cards.html" if cue_cards else "letters/print/letters.html"
    language = letters[0].language if letters else "zh-hans"
    # The letter's own language for the few printed labels ("Order", "cut here"), whatever the user's is.
    with translation.override(language):
        return render_to_string(template, {"store": store, "letters": letters})


def html_to_pdf(html: str) -> bytes:
    import weasyprint  # imported here: loading pango takes a moment that pages without a PDF should not pay

    return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def letters_pdf(*, store: Store, letters: list[Letter], cue_cards: bool = False) -> bytes:
    return html_to_pdf(letters_html(store=store, letters=letters, cue_cards=cue_cards))
