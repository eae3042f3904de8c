"""Idempotency-Key records: the first successful answer to a keyed request, replayed for 24 hours."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from crm.models import ApiToken, IdempotencyRecord

from .locks import advisory_lock

RETENTION = timedelta(hours=24)


def idempotency_claim(*, token: ApiToken, key: str) -> IdempotencyRecord | None:
    """Serialise requests with the same key and return the live record of an earlier one, if any.

    Must run inside the transaction that will save the answer: the advisory lock is held until it ends,
    so a second request with the same key waits and then sees the first one's record.
    """
    advisory_lock([f"{token.pk}:{key}"])
    return IdempotencyRecord.objects.filter(token=token, key=key, created_at__gt=timezone.now() - RETENTION).first()


@transaction.atomic
def idempotency_save(*, token: ApiToken, key: str, fingerprint: str, status_code: int, body: bytes) -> None:
    # update_or_create: an expired record with the same key is replaced, not duplicated.
    IdempotencyRecord.objects.update_or_create(
        token=token,
        key=key,
        defaults={
            "fingerprint": fingerprint,
            "status_code": status_code,
            "response_body": body,
            "created_at": timezone.now(),
        },
    )


def idempotency_purge(*, now: datetime | None = None) -> int:
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lte=(now or timezone.now()) - RETENTION).delete()
    return deleted
