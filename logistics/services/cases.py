"""Exceptions open a logistics case in crm's case workspace, with the courier's checkpoints as evidence."""

from django.utils.translation import gettext as _

from crm.models import Case, CaseEvent, Store
from crm.services.cases import CaseRequest, case_add_event, cases_open
from logistics.models import Checkpoint, ShipmentDelay, ShipmentState


def _checkpoints_evidence(shipment_ids: list[int]) -> dict[int, list[dict[str, str]]]:
    found: dict[int, list[dict[str, str]]] = {pk: [] for pk in shipment_ids}
    for c in Checkpoint.objects.filter(shipment_id__in=shipment_ids).order_by("shipment_id", "-at", "-id"):
        found[c.shipment_id].append({"at": c.at.isoformat(), "text": c.text, "location": c.location})
    return found


def delay_cases_open(*, store: Store, delays: list[ShipmentDelay]) -> int:
    """One case per exception (joined to the customer's open case on the order, if any); returns the new ones."""
    if not delays:
        return 0
    shipments = [d.shipment for d in delays]
    requests = [
        CaseRequest(
            customer=s.order.customer,
            source=Case.Source.LOGISTICS,
            order=s.order,
            cause=Case.Cause.LOGISTICS,
            summary=_("Parcel %(courier)s %(number)s: %(state)s — %(last)s")
            % {
                "courier": s.courier,
                "number": s.tracking_number,
                "state": ShipmentState(s.state).label,
                "last": s.last_event_text or _("no checkpoint yet"),
            },
        )
        for s in shipments
    ]
    opened = cases_open(store=store, requests=requests)
    evidence = _checkpoints_evidence([s.pk for s in shipments])
    for delay, shipment, (case, _created) in zip(delays, shipments, opened, strict=True):
        delay.case_id = case.pk
        case_add_event(
            case=case,
            kind=CaseEvent.Kind.EVIDENCE,
            message=_("The courier's checkpoints for %(courier)s %(number)s")
            % {"courier": shipment.courier, "number": shipment.tracking_number},
            data={"shipment_id": shipment.pk, "checkpoints": evidence[shipment.pk]},
        )
    ShipmentDelay.objects.bulk_update(delays, ["case_id"])
    return sum(1 for _case, created in opened if created)
