from celery import shared_task

from crm.services.heartbeat import heartbeat_record
from crm.services.idempotency import idempotency_purge
from crm.services.sla import cases_escalate_breached
from crm.services.submissions import submissions_purge
from crm.services.waiting import cases_resume_waits_due
from crm.uploads import uploads_sweep


@shared_task(name="crm.heartbeat")
def heartbeat() -> None:
    heartbeat_record(name="worker")


@shared_task(name="crm.idempotency_purge")
def idempotency_purge_expired() -> None:
    idempotency_purge()


@shared_task(name="crm.submissions_purge")
def submissions_purge_expired() -> None:
    submissions_purge()


@shared_task(name="crm.escalate_breaches")
def escalate_breaches() -> None:
    cases_escalate_breached()


@shared_task(name="crm.resume_waiting_cases")
def resume_waiting_cases() -> None:
    cases_resume_waits_due()


@shared_task(name="crm.uploads_sweep")
def uploads_sweep_orphans() -> None:
    uploads_sweep()
