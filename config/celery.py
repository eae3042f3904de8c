"""The Celery app. The beat schedule lives here, in code, next to the tasks it names."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.embedded")

app = Celery("crm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _warm_up_worker_process(**_kwargs) -> None:
    from config.warmup import warm_up_and_freeze

    warm_up_and_freeze()


@app.on_after_finalize.connect
def _schedule_periodic_tasks(sender: Celery, **_kwargs) -> None:
    from django.conf import settings

    sender.add_periodic_task(settings.HEARTBEAT_INTERVAL_SECONDS, sender.signature("crm.heartbeat"), name="heartbeat")
    sender.add_periodic_task(3600.0, sender.signature("crm.idempotency_purge"), name="idempotency purge")
    sender.add_periodic_task(3600.0, sender.signature("crm.submissions_purge"), name="form tokens purge")
    # Uploads left in storage by a process that died inside its write (ADR 0047).
    sender.add_periodic_task(3600.0, sender.signature("crm.uploads_sweep"), name="uploads no row names")
    sender.add_periodic_task(60.0, sender.signature("crm.escalate_breaches"), name="escalate SLA breaches")
    sender.add_periodic_task(
        60.0, sender.signature("crm.resume_waiting_cases"), name="resume cases waiting on the customer too long"
    )
    sender.add_periodic_task(
        settings.REVIEW_CASE_SWEEP_INTERVAL_SECONDS, sender.signature("reviews.open_cases"), name="review cases"
    )
    # Reviews that came before their order, linked within a minute of the order (nothing on the order path, ADR 0010).
    sender.add_periodic_task(60.0, sender.signature("reviews.link_waiting"), name="reviews waiting for their order")
    sender.add_periodic_task(
        settings.SMS_SWEEP_INTERVAL_SECONDS, sender.signature("callbacks.dispatch_sms"), name="sms"
    )
    sender.add_periodic_task(
        settings.SMS_SWEEP_INTERVAL_SECONDS, sender.signature("callbacks.reconcile_calls"), name="calls placing"
    )
    sender.add_periodic_task(60.0, sender.signature("callbacks.close_missed_calls"), name="missed calls")
    sender.add_periodic_task(
        settings.LOGISTICS_SWEEP_INTERVAL_SECONDS, sender.signature("logistics.sweep"), name="parcel delays"
    )
    # Campaign and birthday SMS are swept by callbacks.dispatch_sms with the care SMS (retention registers its queue).
    # Segments' attributes (ages, days since the last order) move on at each store's midnight, in its own zone.
    sender.add_periodic_task(3600.0, sender.signature("retention.refresh_stale"), name="segments")
    sender.add_periodic_task(3600.0, sender.signature("retention.plan_birthdays"), name="birthdays and gifts")
    sender.add_periodic_task(60.0, sender.signature("retention.create_call_tasks"), name="return-visit call tasks")
    sender.add_periodic_task(300.0, sender.signature("reports.refresh_stores", args=(True,)), name="roll-ups, recent")
    sender.add_periodic_task(86_400.0, sender.signature("reports.refresh_stores", args=(False,)), name="roll-ups, all")
    sender.add_periodic_task(86_400.0, sender.signature("reviews.train_store_models"), name="store cause models")
    sender.add_periodic_task(
        86_400.0, sender.signature("reviews.compute_classifier_figures"), name="classifier figures"
    )
