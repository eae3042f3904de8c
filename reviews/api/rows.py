"""Reading review rows of a batch into intake inputs, with crm's fast row readers and error contract."""

import re
from typing import Any
from urllib.parse import urlsplit

from crm.api.auth import StoreScope
from crm.api.rows import RowErrors, RowReader
from crm.models import Store
from reviews.models import PlatformStatus
from reviews.services.intake import ReviewIn

MAX_IMAGES = 20
MAX_TEXT = 5000
MAX_LIKES = 10_000_000
MAX_URL = 500
STATUSES = frozenset(PlatformStatus.values)
# An http(s) address whose host part is plain ASCII (no brackets, spaces or controls) up to the first / ? # or
# the end: urlsplit would read exactly that host, and accept it. Anything else (upper-case schemes, IPv6 hosts,
# leading spaces, tabs ...) goes through urlsplit, which decides; this only saves its ~10 µs on ordinary rows.
_PLAIN_HTTP_URL = re.compile(r"https?://[A-Za-z0-9\-._~%!$&'()*+,;=:@]+(?:[/?#]|\Z)")


def _optional_integer(reader: RowReader, name: str, *, maximum: int) -> int | None:
    """The number, or None when absent (or bad: the reader records why)."""
    if reader.data.get(name) is None:
        return None
    return reader.integer(name, minimum=0, maximum=maximum)


def _images(reader: RowReader) -> list[str] | None:
    """The addresses, or None when absent (or bad: the reader records why)."""
    value = reader.data.get("images")
    if value is None:
        return None
    if not isinstance(value, list):
        reader.error("images", "invalid_type", "Expected a list of image addresses.")
        return None
    if len(value) > MAX_IMAGES:
        reader.error("images", "too_many_items", f"At most {MAX_IMAGES} images.")
        return None
    images = []
    for position, url in enumerate(value):
        if not _is_http_url(url):
            reader.error(f"images.{position}", "invalid_url", "Expected an http(s) address of at most 500 characters.")
            return None
        images.append(url)
    return images


def _is_http_url(url: Any) -> bool:
    if not isinstance(url, str) or len(url) > MAX_URL:
        return False
    if _PLAIN_HTTP_URL.match(url):
        return True
    try:
        parts = urlsplit(url)
    except ValueError:  # a malformed bracketed (IPv6) host: urlsplit refuses it rather than read it
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def read_review(errors: RowErrors, index: int, row: dict[str, Any], scope: StoreScope) -> tuple[Store, ReviewIn] | None:
    """(store, ReviewIn), or None with the reasons recorded in `errors`. An optional field left out is None in the
    ReviewIn: a stored review keeps what it has (a connector may send only what changed)."""
    known_errors = len(errors.errors)
    reader = RowReader(errors, index, row)
    store = reader.store(scope)
    external_id = reader.text("external_id", max_length=100)
    rating = reader.integer("rating", minimum=1, maximum=5)
    posted_at = reader.event_time("posted_at", what="The review time")
    text = reader.text("text", max_length=MAX_TEXT, required=False, allow_blank=True)
    order = reader.text("order", max_length=100, required=False, allow_blank=True)
    product = reader.text("product", max_length=200, required=False, allow_blank=True)
    sku = reader.text("sku", max_length=100, required=False, allow_blank=True)
    buyer = reader.text("buyer", max_length=100, required=False, allow_blank=True)
    appended_text = reader.text("appended_text", max_length=MAX_TEXT, required=False, allow_blank=True)
    appended_at = reader.event_time("appended_at", what="The appended review's time", required=False)
    updated_at = reader.event_time("updated_at", what="The review's change time", required=False)
    if updated_at is not None and posted_at is not None and updated_at < posted_at:
        reader.error("updated_at", "before_posted", "The review's change time is before it was posted.")
        updated_at = None
    likes = _optional_integer(reader, "likes", maximum=MAX_LIKES)
    status = reader.choice("status", STATUSES, default="")
    images = _images(reader)
    if store is None or len(errors.errors) != known_errors:
        return None
    return store, ReviewIn(
        external_id=external_id,
        rating=rating,
        posted_at=posted_at,
        text=text,
        order=order,
        product=product,
        sku=sku,
        images=images,
        likes=likes,
        buyer=buyer,
        appended_text=appended_text or "",
        appended_at=appended_at,
        updated_at=updated_at,
        status=status,
        payload=row,
    )
