"""HTML to PDF in a worker process. No Django here: a spawned worker imports only this and WeasyPrint."""

import logging


def render(html: str, base_url: str) -> bytes:
    import weasyprint

    # Per page and per font, WeasyPrint and fontTools log at INFO: thousands of lines for a day's batch.
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return weasyprint.HTML(string=html, base_url=base_url).write_pdf()
