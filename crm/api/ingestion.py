"""The reusable front door for batch writes from order systems (orders, deliveries, reviews ...).

Subclass `IngestionView`, set `event_kind`, and implement `ingest(batch, principal) -> (status, body)`:

    class ReviewsView(IngestionView):
        @extend_schema(request=ReviewIn(many=True), responses={200: ReviewResultsOut})
        def post(self, request):
            return self.handle(request)

        def ingest(self, *, batch: Batch, principal: TokenPrincipal) -> tuple[int, dict]:
            errors = RowErrors()
            rows = [read_review(RowReader(errors, i, row), principal.scope) for i, row in batch.rows()]
            reject_duplicates(errors, ...)
            raise_if_invalid(errors)
            return 200, {"results": reviews_upsert(rows=rows, token=principal.token)}

What the base does, in order, so every endpoint keeps one contract (docs/api.md):
1. authenticates `Authorization: Token <key>` (401 without a valid key) and throttles per key (429 with
   Retry-After);
2. reads the body itself, fast: application/json in UTF-8 only (415), at most API_MAX_BODY_BYTES (413), valid JSON
   (400 malformed_json), one object or an array of 1 to 1,000 objects (400 too_many_rows / empty_batch), no key
   twice in one object (400, duplicate_key);
3. with an Idempotency-Key header, replays the first successful answer to the same request for 24 h, and
   refuses the key with another body (422 idempotency_key_reused);
4. runs `ingest` in one transaction: any raised DomainError (BatchInvalid from `raise_if_invalid`) rolls
   back everything and becomes the error body through crm.api.errors.
"""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import orjson
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.utils.http import parse_header_parameters
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from crm.api.auth import HasStoreToken, StoreTokenAuthentication, TokenPrincipal
from crm.api.errors import (
    EmptyBatch,
    IdempotencyKeyReused,
    InvalidIdempotencyKey,
    MalformedJson,
    PayloadTooLarge,
    TooDeep,
    TooManyRows,
    UnsupportedMediaType,
)
from crm.api.json_keys import duplicate_keys
from crm.api.rows import RowErrors
from crm.api.throttle import TokenRateThrottle
from crm.errors import BatchInvalid, BatchRowsNotFound
from crm.middleware import declared_length
from crm.services.idempotency import idempotency_claim, idempotency_save

MAX_ROWS = 1000
# How deeply objects and arrays may nest, the body's own array counting as one level. Our bodies nest four
# levels (array > order > items > item); order systems' own extra fields get room to spare. Deeper bodies are
# refused at the door: the payload is stored as JSON and serialisers recurse (orjson stops at 255 levels,
# the standard library at Python's recursion limit), so a 950-level body must not get past parsing.
MAX_DEPTH = 32
UTF_8 = frozenset({"utf-8", "utf8"})
IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"


@dataclass(frozen=True)
class Batch:
    raw: bytes
    items: list[Any]
    single: bool  # the body was one object, not an array

    def rows(self, errors: RowErrors) -> Iterator[tuple[int, dict[str, Any]]]:
        """(index, row) for each object; anything else in the array is recorded as a row error."""
        for index, row in enumerate(self.items):
            if isinstance(row, dict):
                yield index, row
            else:
                errors.add(index, "", "invalid_type", "Expected an object.")


def read_batch(request, *, max_rows: int = MAX_ROWS) -> Batch:
    content_type, parameters = parse_header_parameters(request.META.get("CONTENT_TYPE", ""))
    if content_type != "application/json":
        raise UnsupportedMediaType(field="Content-Type")
    if parameters.get("charset", "utf-8").lower() not in UTF_8:
        # JSON between systems is UTF-8 (RFC 8259) and is read as such: GBK bytes that happen to be valid UTF-8
        # would be stored as other characters.
        raise UnsupportedMediaType(
            f"The body is read as UTF-8: send charset=utf-8 or no charset, not {parameters['charset']}.",
            field="Content-Type",
        )
    limit = settings.API_MAX_BODY_BYTES
    if declared_length(request) > limit:
        raise PayloadTooLarge(f"The body may be at most {limit} bytes.")
    stream = request.stream  # DRF's view of the body; None when it is empty
    raw = stream.read(limit + 1) if stream is not None else b""
    if len(raw) > limit:
        raise PayloadTooLarge(f"The body may be at most {limit} bytes.")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise MalformedJson(f"The body is not valid JSON: {exc}.") from exc
    if isinstance(data, dict):
        items, single = [data], True
    elif isinstance(data, list):
        items, single = data, False
    else:
        raise MalformedJson("Send one object or an array of objects.")
    if _nests_deeper_than(data, MAX_DEPTH):
        raise TooDeep(
            f"Objects and arrays may nest at most {MAX_DEPTH} levels deep.", field=_too_deep_path(data, MAX_DEPTH)
        )
    if not items:
        raise EmptyBatch()
    if len(items) > max_rows:
        raise TooManyRows(f"A batch holds at most {max_rows} rows; this one has {len(items)}.")
    if b"\\u0000" in raw:
        # PostgreSQL text and jsonb cannot hold NUL; refuse it here, wherever it is, rather than fail later.
        _reject_nul(items)
    if repeated := duplicate_keys(raw, data):
        _reject_duplicate_keys(repeated, single=single)
    return Batch(raw=raw, items=items, single=single)


def _reject_duplicate_keys(paths: list[tuple[str, ...]], *, single: bool) -> None:
    errors = RowErrors()
    for path in paths:
        index, field = (0, path) if single else (int(path[0]), path[1:])
        errors.add(index, ".".join(field), "duplicate_key", "This key appears more than once in its object.")
    raise_if_invalid(errors)


def _nests_deeper_than(value: Any, limit: int) -> bool:
    """Iterative, so the check itself cannot hit the recursion limit; it visits containers only (~1 ms for
    1,000 orders)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        for child in node.values() if type(node) is dict else node:
            if type(child) is dict or type(child) is list:
                stack.append((child, depth + 1))
    return False


def _too_deep_path(value: Any, limit: int) -> str:
    """The dotted path (row index first) where nesting first passes the limit: for the error, so it is rare."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        if len(path) >= limit:
            return ".".join(path)
        pairs = node.items() if type(node) is dict else enumerate(node)
        stack.extend((child, (*path, str(key))) for key, child in pairs if type(child) in (dict, list))
    return ""


def _reject_nul(items: list[Any]) -> None:
    errors = RowErrors()

    def walk(index: int, value: Any, path: str) -> None:
        if isinstance(value, str):
            if "\x00" in value:
                errors.add(index, path, "invalid_character", "NUL characters are not allowed.")
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(index, key, path)
                walk(index, item, f"{path}.{key}" if path else key)
        elif isinstance(value, list):
            for position, item in enumerate(value):
                walk(index, item, f"{path}.{position}" if path else str(position))

    for index, item in enumerate(items):
        walk(index, item, "")
    raise_if_invalid(errors)


def raise_if_invalid(errors: RowErrors) -> None:
    """Reject the batch with every row error; 404 when every error is an object outside the token's stores."""
    if not errors:
        return
    ordered = sorted(errors.errors, key=lambda error: error["index"])
    if all(error["code"] == "not_found" for error in ordered):
        raise BatchRowsNotFound(ordered)
    raise BatchInvalid(ordered)


def reject_duplicates(errors: RowErrors, keys: list[tuple[int, Any]], *, field: str) -> None:
    """Flag every repeat of a key within the batch (the first occurrence stands): (index, key) pairs."""
    seen: set[Any] = set()
    for index, key in keys:
        if key in seen:
            errors.add(index, field, "duplicate", "The same object appears earlier in this batch.")
        seen.add(key)


class AcceptHeaderNegotiation(DefaultContentNegotiation):
    """The answer's format comes from the Accept header alone. DRF also reads ?format= (URL_FORMAT_OVERRIDE): with
    only JSON to render, ?format=xml answered 404 "Not found." on an address that exists. Here `format` is a query
    parameter like any other: a read refuses it as unknown (400), a write ignores it, as it ignores every other."""

    settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)


class OrjsonRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return b"" if data is None else orjson.dumps(data, option=orjson.OPT_UTC_Z)


def json_response(body: bytes, status: int, *, replayed: bool = False) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="application/json")
    if replayed:
        response[REPLAYED_HEADER] = "true"
    return response


class IngestionView(APIView):
    """Base for POST endpoints taking one object or a batch; see the module docstring."""

    authentication_classes = [StoreTokenAuthentication]
    permission_classes = [HasStoreToken]
    throttle_classes = [TokenRateThrottle]
    # Declared for the schema and DRF's content negotiation; the body is read by read_batch, not DRF.
    parser_classes = [JSONParser]
    renderer_classes = [OrjsonRenderer]
    content_negotiation_class = AcceptHeaderNegotiation

    def ingest(self, *, batch: Batch, principal: TokenPrincipal) -> tuple[int, dict[str, Any]]:
        raise NotImplementedError

    def handle(self, request) -> HttpResponse:
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is not None and not (0 < len(key) <= 255 and key.isascii() and key.isprintable()):
            raise InvalidIdempotencyKey(field=IDEMPOTENCY_HEADER)
        batch = read_batch(request)
        principal: TokenPrincipal = request.user
        fingerprint = hashlib.sha256(b"%s %s\n%s" % (request.method.encode(), request.path.encode(), batch.raw))
        with transaction.atomic():
            if key is not None:
                record = idempotency_claim(token=principal.token, key=key)
                if record is not None:
                    if record.fingerprint != fingerprint.hexdigest():
                        raise IdempotencyKeyReused(field=IDEMPOTENCY_HEADER)
                    return json_response(bytes(record.response_body), record.status_code, replayed=True)
            status, body = self.ingest(batch=batch, principal=principal)
            content = orjson.dumps(body, option=orjson.OPT_UTC_Z)
            if key is not None:
                idempotency_save(
                    token=principal.token,
                    key=key,
                    fingerprint=fingerprint.hexdigest(),
                    status_code=status,
                    body=content,
                )
        return json_response(content, status)
