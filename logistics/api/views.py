"""POST /api/v1/shipments: the order API's front door (auth, scope, batches, idempotency) for parcels."""

from typing import Any

from drf_spectacular.utils import extend_schema

from crm.api.auth import TokenPrincipal
from crm.api.ingestion import Batch, IngestionView, raise_if_invalid
from crm.api.rows import RowErrors
from crm.api.serializers import one_or_many
from crm.api.views import _ERRORS, _IDEMPOTENCY_KEY
from logistics.services.shipments import shipments_record

from .rows import read_shipments
from .serializers import ShipmentIn, ShipmentResultsOut


class ShipmentsView(IngestionView):
    @extend_schema(
        operation_id="shipments_record",
        summary="Report parcels sent (one object or up to 1,000): each is tracked until it is signed for",
        request=one_or_many("ShipmentBatch", ShipmentIn),
        parameters=[_IDEMPOTENCY_KEY],
        responses={200: ShipmentResultsOut, **_ERRORS},
    )
    def post(self, request):
        return self.handle(request)

    def ingest(self, *, batch: Batch, principal: TokenPrincipal) -> tuple[int, dict[str, Any]]:
        errors = RowErrors()
        rows = list(batch.rows(errors))
        shipments = read_shipments(errors, rows, principal.scope)
        raise_if_invalid(errors)  # so every row is a shipment, in the order sent
        codes = {store.id: code for code, store in principal.scope.stores.items()}
        results = shipments_record(shipments=shipments, payloads=[row for _index, row in rows], token=principal.token)
        return 200, {
            "results": [
                {
                    "order": item.order_external_id,
                    "store": codes[item.store_id],
                    "courier": item.courier,
                    "tracking_number": item.tracking_number,
                    "id": r.id,
                    "result": r.result,
                    "state": r.state,
                }
                for item, r in zip(shipments, results, strict=True)
            ]
        }
