"""Logging filters used by settings.LOGGING (config: no domain code)."""

import logging


class NoTracebackBelow500(logging.Filter):
    """Django logs every 4xx with the exception that caused it (a PermissionDenied on a 403): for an ordinary
    403 or 404 the one line says all there is, and a traceback makes it look like a crash. 5xx keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info, record.exc_text = None, None
        return True
