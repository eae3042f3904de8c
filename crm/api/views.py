"""The order-system API: orders, delivery events. Thin: read the batch, validate, call one service."""

import re
from base64 import b64decode
from datetime import timedelta
from typing import Any

from django import forms
from django.db.models import prefetch_related_objects
from django.utils.dateparse import parse_datetime
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.pagination import CursorPagination

from crm.api.auth import HasStoreToken, StoreTokenAuthentication, TokenPrincipal
from crm.api.errors import AmbiguousStore
from crm.api.ingestion import AcceptHeaderNegotiation, Batch, IngestionView, raise_if_invalid
from crm.api.order_rows import read_deliveries, read_orders
from crm.api.rows import InvalidDatetime, RowErrors, parse_aware_datetime
from crm.api.sections import order_sections
from crm.api.serializers import (
    DeliveryIn,
    DeliveryResultsOut,
    ErrorOut,
    OrderDetailOut,
    OrderIn,
    OrderOut,
    OrderResultsOut,
    one_or_many,
)
from crm.api.throttle import TokenRateThrottle
from crm.errors import NotFound
from crm.models import Order
from crm.selectors import orders_for_stores
from crm.services.ingestion.deliveries import DeliveryResult, deliveries_record
from crm.services.ingestion.orders import orders_upsert
from crm.validators import is_ascii_number

_ERRORS = {
    status: OpenApiResponse(ErrorOut, description=description)
    for status, description in {
        400: "Invalid batch (every row error listed), malformed JSON, too many rows.",
        401: "No valid token.",
        404: "Not found within the token's stores.",
        413: "Body larger than the limit.",
        415: "Body not application/json.",
        422: "Idempotency-Key reused with another request.",
        429: "Too many requests for this token; see Retry-After.",
    }.items()
}
_IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="Replays the first successful answer for 24 h; the same key with another body is refused (422).",
)


def _store_codes(principal: TokenPrincipal) -> dict[int, str]:
    return {store.id: code for code, store in principal.scope.stores.items()}


def _delivery_row(result: DeliveryResult, codes: dict[int, str]) -> dict[str, Any]:
    row = {
        "order": result.order.external_id,
        "store": codes[result.order.store_id],
        "id": result.order.pk,
        "result": "delivered" if result.newly_delivered else "already_delivered",
        "delivered_at": result.order.delivered_at,
    }
    if result.warnings:  # only when there is something to say: most rows have nothing
        row["warnings"] = [{"code": w.code, "field": w.field, "message": w.message} for w in result.warnings]
    return row


class DeliveriesView(IngestionView):
    @extend_schema(
        operation_id="deliveries_record",
        summary='Record "signed for" events (one object or up to 1,000)',
        request=one_or_many("DeliveryBatch", DeliveryIn),
        parameters=[_IDEMPOTENCY_KEY],
        responses={200: DeliveryResultsOut, **_ERRORS},
    )
    def post(self, request):
        return self.handle(request)

    def ingest(self, *, batch: Batch, principal: TokenPrincipal) -> tuple[int, dict[str, Any]]:
        errors = RowErrors()
        deliveries = read_deliveries(errors, batch.rows(errors), principal.scope)
        raise_if_invalid(errors)
        codes = _store_codes(principal)
        results = deliveries_record(deliveries=deliveries, token=principal.token)
        return 200, {"results": [_delivery_row(r, codes) for r in results]}


# "...T10:00:00 08:00": a +08:00 offset typed into a query string unencoded, where a bare + reads as a space.
_UNENCODED_PLUS = re.compile(r"T[0-9:.]+ [0-9]{2}(:?[0-9]{2})?")


class AwareDateTimeField(forms.Field):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_aware_datetime(value)
        except InvalidDatetime as exc:
            message = exc.message
            if _UNENCODED_PLUS.search(value):
                # Doubled: django-filter %-formats every message of a filter's error.
                message += " In a query string a + reads as a space: write the offset's + as %%2B, or use Z."
            raise forms.ValidationError(message, code=exc.code) from None


class AwareDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = AwareDateTimeField


_OFFSET = "ISO 8601 with a UTC offset (Z, or +08:00 written %2B08:00)"
_AT_OR_AFTER, _BEFORE = f"At or after this time; {_OFFSET}.", f"Before this time; {_OFFSET}."


class OrderFilter(filters.FilterSet):
    store = filters.CharFilter(field_name="store__code", help_text="A store code (for multi-store tokens).")
    status = filters.MultipleChoiceFilter(choices=Order.Status.choices)
    placed_after = AwareDateTimeFilter(field_name="placed_at", lookup_expr="gte", help_text=_AT_OR_AFTER)
    placed_before = AwareDateTimeFilter(field_name="placed_at", lookup_expr="lt", help_text=_BEFORE)
    delivered_after = AwareDateTimeFilter(field_name="delivered_at", lookup_expr="gte", help_text=_AT_OR_AFTER)
    delivered_before = AwareDateTimeFilter(field_name="delivered_at", lookup_expr="lt", help_text=_BEFORE)

    class Meta:
        model = Order
        fields = ["store", "status", "placed_after", "placed_before", "delivered_after", "delivered_before"]


# Filters that take several values (status=placed&status=shipped); every other parameter is given once.
_REPEATABLE = frozenset({"status"})


class OrderCursorPagination(CursorPagination):
    ordering = ("-placed_at", "-id")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request) -> int:
        # DRF falls back to the default on a bad page_size; a client should hear that it asked wrongly.
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        # ASCII digits only, as every number the API reads: int() would also take "١٢" and "１２".
        if len(values) > 1 or not is_ascii_number(values[0]) or not 1 <= int(values[0]) <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [f"An integer from 1 to {self.max_page_size}."]})
        return int(values[0])

    def decode_cursor(self, request):
        # DRF's decoding skips what is not base64, so a cursor of other characters read as the first page; it is a
        # cursor we never issued, answered as DRF answers one (404).
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is not None:
            try:
                b64decode(encoded.encode("ascii"), validate=True)
            except ValueError:  # binascii.Error and UnicodeEncodeError are ValueErrors
                raise NotFound(str(self.invalid_cursor_message)) from None
        cursor = super().decode_cursor(request)
        # DRF takes the position as it comes and filters placed_at by it: one that is not a time was a 500.
        if cursor is not None and cursor.position is not None and not _is_aware_datetime(cursor.position):
            raise NotFound(str(self.invalid_cursor_message))
        return cursor


def _is_aware_datetime(text: str) -> bool:
    """A position as we issue them: placed_at's text, in UTC (as the database answers it). Any other offset is a
    cursor we never issued, and one beyond ±15:59 (Python takes up to a day) PostgreSQL refuses with an error."""
    try:
        moment = parse_datetime(text)
    except ValueError:  # well formed, out of range (a 25th hour, an offset of a day)
        return False
    return moment is not None and moment.utcoffset() == timedelta(0)


def check_query_parameters(request, known: set[str], *, repeatable: frozenset[str] = frozenset()) -> None:
    """A misspelt filter must not silently widen the answer; empty values and NUL are refused too, and a second value
    of a parameter that takes one (django-filter and DRF would answer for the last one given)."""
    errors = {}
    for name, values in request.query_params.lists():
        if name not in known:
            errors[name or "(empty)"] = ["Unknown query parameter."]
        elif any(value == "" or "\x00" in value for value in values):
            errors[name] = ["May not be empty or hold NUL characters."]
        elif len(values) > 1 and name not in repeatable:
            errors[name] = [ErrorDetail("Give this parameter once.", code="repeated")]
    if errors:
        raise ValidationError(errors)


class _TokenReadView:
    authentication_classes = [StoreTokenAuthentication]
    permission_classes = [HasStoreToken]
    throttle_classes = [TokenRateThrottle]
    content_negotiation_class = AcceptHeaderNegotiation
    serializer_class = OrderOut

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no token
            return Order.objects.none()
        return orders_for_stores(store_ids=self.request.user.scope.ids)


class OrdersView(_TokenReadView, IngestionView, ListAPIView):
    """GET lists the token's orders; POST upserts a batch."""

    filterset_class = OrderFilter
    pagination_class = OrderCursorPagination

    @extend_schema(
        operation_id="orders_list",
        summary="List orders, newest first, with filters and cursor pagination",
        responses={
            200: OrderOut(many=True),
            400: _ERRORS[400],
            401: _ERRORS[401],
            404: _ERRORS[404],
            429: _ERRORS[429],
        },
    )
    def get(self, request, *args, **kwargs):
        check_query_parameters(request, {*OrderFilter.base_filters, "cursor", "page_size"}, repeatable=_REPEATABLE)
        # A store the token does not cover answered an empty list, as if the store had no orders: the same refusal
        # as a write naming it (whether or not the store exists elsewhere).
        code = request.query_params.get("store")
        if code is not None and code not in request.user.scope.stores:
            message = ErrorDetail("No store with this code is covered by this token.", code="unknown_store")
            raise ValidationError({"store": [message]})
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="orders_upsert",
        summary="Create or update orders and their customers (one object or up to 1,000)",
        request=one_or_many("OrderBatch", OrderIn),
        parameters=[_IDEMPOTENCY_KEY],
        responses={200: OrderResultsOut, **{s: r for s, r in _ERRORS.items() if s != 404}},
    )
    def post(self, request):
        return self.handle(request)

    def ingest(self, *, batch: Batch, principal: TokenPrincipal) -> tuple[int, dict[str, Any]]:
        errors = RowErrors()
        orders = read_orders(errors, batch.rows(errors), principal.scope)
        raise_if_invalid(errors)
        codes = _store_codes(principal)
        results = orders_upsert(orders=orders, token=principal.token)
        return 200, {
            "results": [
                {
                    "external_id": r.external_id,
                    "store": codes[r.store_id],
                    "id": r.id,
                    "result": "created" if r.created else "updated",
                }
                for r in results
            ]
        }


@extend_schema(
    summary="One order with its customer, items, delivery and follow-ups",
    parameters=[OpenApiParameter("store", str, description="The store's code, when the token covers several.")],
    responses={200: OrderDetailOut, 400: _ERRORS[400], 401: _ERRORS[401], 404: _ERRORS[404], 429: _ERRORS[429]},
)
class OrderDetailView(_TokenReadView, RetrieveAPIView):
    serializer_class = OrderDetailOut

    def get(self, request, *args, **kwargs):
        check_query_parameters(request, {"store"})
        return super().get(request, *args, **kwargs)

    def get_object(self) -> Order:
        external_id = self.kwargs["external_id"]
        if "\x00" in external_id:  # no order has one, and PostgreSQL cannot even compare it
            raise NotFound("No such order.")
        orders = self.get_queryset().filter(external_id=external_id)
        if code := self.request.query_params.get("store"):
            orders = orders.filter(store__code=code)
        found = list(orders[:2])
        if len(found) > 1:
            raise AmbiguousStore(field="store")
        if not found:
            raise NotFound("No such order.")
        # After the lookup, so a section costs one query for this one order (crm.api.sections).
        prefetch_related_objects(found, *(section.prefetch for section in order_sections()))
        return found[0]
