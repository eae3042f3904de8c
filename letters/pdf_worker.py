"""HTML to PDF in a worker process. No Django here: a spawned worker imports only this and WeasyPrint.

A character no installed font has (an emoji in a customer's name on a machine without an emoji font) is left out:
WeasyPrint would draw it as an empty box and, to draw that box, re-encode the font of the text around it, so the
page's text no longer reads back (a PDF reader's search, copy and our tests see garbage). WeasyPrint names each such
character in a warning while it draws; the page is then laid out again without them.
"""

import logging

_NOTDEF_WARNING = ".notdef glyph rendered"


class _MissingCharacters(logging.Handler):
    """Collects the characters WeasyPrint drew as .notdef (its warning's first argument)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.characters: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if str(record.msg).startswith(_NOTDEF_WARNING) and record.args:
            self.characters.add(str(record.args[0]))


def render(html: str, base_url: str) -> bytes:
    import weasyprint

    # Per page and per font, WeasyPrint and fontTools log at INFO: thousands of lines for a day's batch.
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.WARNING)
    missing = _MissingCharacters()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(missing)
    try:
        pdf = weasyprint.HTML(string=html, base_url=base_url).write_pdf()
        if not missing.characters:
            return pdf
        html = html.translate({ord(character): None for character in missing.characters if len(character) == 1})
        return weasyprint.HTML(string=html, base_url=base_url).write_pdf()
    finally:
        logger.removeHandler(missing)
