import socket

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from crm.models import WorkerHeartbeat


@transaction.atomic
def heartbeat_record(*, name: str = "worker") -> WorkerHeartbeat:
    now = timezone.now()
    beat, created = WorkerHeartbeat.objects.get_or_create(
        name=name, defaults={"last_run_at": now, "runs": 1, "hostname": socket.gethostname()}
    )
    if not created:
        WorkerHeartbeat.objects.filter(pk=name).update(
            last_run_at=now, runs=F("runs") + 1, hostname=socket.gethostname()
        )
        beat.refresh_from_db()
    return beat
