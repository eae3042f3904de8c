"""POST /api/v1/reviews: the order API's front door (auth, scope, batches, idempotency) for reviews."""

from collections import defaultdict
from typing import Any

from drf_spectacular.utils import extend_schema

from crm.api.auth import TokenPrincipal
from crm.api.ingestion import Batch, IngestionView, raise_if_invalid, reject_duplicates
from crm.api.rows import RowErrors
from crm.api.serializers import one_or_many
from crm.api.views import _ERRORS, _IDEMPOTENCY_KEY
from reviews.services.intake import reviews_ingest

from .rows import read_review
from .serializers import ReviewIn, ReviewResultsOut


class ReviewsView(IngestionView):
    @extend_schema(
        operation_id="reviews_upsert",
        summary="Upsert reviews (one object or up to 1,000): classified, triaged, worked as cases",
        request=one_or_many("ReviewBatch", ReviewIn),
        parameters=[_IDEMPOTENCY_KEY],
        responses={200: ReviewResultsOut, **_ERRORS},
    )
    def post(self, request):
        return self.handle(request)

    def ingest(self, *, batch: Batch, principal: TokenPrincipal) -> tuple[int, dict[str, Any]]:
        errors = RowErrors()
        read = []
        for index, row in batch.rows(errors):
            if (parsed := read_review(errors, index, row, principal.scope)) is not None:
                read.append((index, *parsed))
        reject_duplicates(errors, [(i, (store.id, r.external_id)) for i, store, r in read], field="external_id")
        raise_if_invalid(errors)
        by_store = defaultdict(list)
        for index, store, review in read:
            by_store[store].append((index, review))
        answers: dict[int, dict[str, Any]] = {}
        for store, rows in by_store.items():
            results = reviews_ingest(store=store, rows=[r for _, r in rows], token=principal.token)
            for (index, _), result in zip(rows, results, strict=True):
                answers[index] = {**result, "store": store.code}
        return 200, {"results": [answers[index] for index in sorted(answers)]}
