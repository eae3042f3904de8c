from typing import Any

from django.utils import timezone

from crm.models import AuditLog, Store


def audit_record(
    *, actor, action: str, store: Store | None = None, target: str = "", data: dict[str, Any] | None = None
) -> AuditLog:
    return AuditLog.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        store=store,
        action=action,
        target=target,
        data=data or {},
        at=timezone.now(),
    )
