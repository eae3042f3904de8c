"""A care SMS whose send answer was lost, found by the reconciler at the provider already `failed` or `undelivered`
(with its error code; 21610: the number had opted out), has the consequences the status callback's report and the
refusal at the send have: it is `failed`, what was merged into it is covered again (ADR 0051), and a 21610 opts the
customer and the number out (ADR 0049). Once, whichever of the reconciler and the late callback comes first.

Through the wire formats: the twilio client lists the message from the local Twilio server, whose resource carries the
status and `error_code` as Twilio's JSON does; its signed callbacks reach the live test server.
"""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from callbacks.models import FollowUp, NumberOptOut
from callbacks.services.dispatch import CARE_SMS, sms_reconcile_stuck
from callbacks.telephony import get_backend
from tests.callbacks.merging import MORNING, SHANGHAI, deliver, fresh, live
from tests.factories import AgentFactory, CustomerFactory, StoreFactory

pytestmark = pytest.mark.django_db(transaction=True)
Status, Channel = FollowUp.Status, FollowUp.Channel
EVENING = (datetime(2026, 11, 23, 18, 0, tzinfo=SHANGHAI), datetime(2026, 11, 23, 19, 0, tzinfo=SHANGHAI))
BODY = "亲，您的包裹已签收，有任何问题请先告诉我们。"


@pytest.fixture(autouse=True)
def _morning():
    with time_machine.travel(MORNING):
        yield


@pytest.fixture
def store():
    return StoreFactory(timezone="Asia/Shanghai")


@pytest.fixture
def agent(store):
    return AgentFactory(stores=[store])


def _lost_answer(twilio, sms: FollowUp, status: str, code: str) -> str:
    """The care SMS was claimed and Twilio took it, but the answer never reached us (the worker died): the row stays
    `sending`, past the reconcile age. At Twilio the message then ended `status` with `code`, no callback reaching
    us."""
    FollowUp.objects.filter(pk=sms.pk).update(
        status=Status.SENDING, claimed_at=timezone.now() - timedelta(minutes=10), attempts=1,
        recipient=sms.customer.phone, message_body=BODY,
    )  # fmt: skip
    sid = get_backend().send_sms(to=sms.customer.phone, body=BODY, status_callback=CARE_SMS.status_url()(sms.pk)).sid
    twilio.settle_message(sid=sid, status=status, error_code=code)
    return sid


def _state(customer) -> list[tuple]:
    customer.refresh_from_db()
    return [
        customer.sms_opt_out,
        sorted(NumberOptOut.objects.filter(phone=customer.phone).values_list("phone", "opted_out")),
        *customer.followups.order_by("pk").values_list(
            "pk", "status", "channel", "merged_into_id", "window_start", "outcome", "provider_status", "error_code"
        ),
    ]


@pytest.mark.parametrize(
    ("status", "code", "outcome"),
    [("undelivered", "30003", "undelivered"), ("failed", "30008", "undelivered"), ("failed", "21610", "opted_out")],
)
def test_a_care_sms_the_reconciler_finds_failed_at_the_provider_gives_the_day_to_the_call_merged_into_it(
    twilio_live, store, agent, status, code, outcome
):
    twilio_live.configure(callbacks=False)
    customer = CustomerFactory(store=store)
    (sms,) = deliver(customer, "500.00")
    sid = _lost_answer(twilio_live, sms, status, code)
    call, other = deliver(customer, "1500.00", "400.00")
    assert (call.merged_into, other.merged_into) == (sms, sms)

    report = sms_reconcile_stuck(time_budget=5)

    sms, call, other = fresh(sms, call, other)
    assert report.reconciled_sent == 1
    assert (sms.status, sms.provider_id, sms.provider_status, sms.outcome, sms.error_code) == (
        Status.FAILED, sid, status, outcome, code,
    )  # fmt: skip
    if code == "21610":  # the customer and the number opted out, as the refusal at the send does: nothing planned
        customer.refresh_from_db()
        assert customer.sms_opt_out
        assert NumberOptOut.objects.filter(phone=customer.phone, opted_out=True).exists()
    else:
        assert live(customer) == [call]
        assert (call.status, call.channel, call.merged_into, (call.window_start, call.window_end)) == (
            Status.PLANNED, Channel.CALL, None, EVENING,
        )  # fmt: skip
        assert (sms.merged_into, other.merged_into) == (call, call)

    # The callback Twilio could not deliver then, delivered late (twice): nothing moves.
    before = _state(customer)
    for _ in range(2):
        answer, _ = twilio_live.report_message(sid=sid, status=status, error_code=code)
        assert answer == 204
    sms_reconcile_stuck(time_budget=5)
    assert _state(customer) == before


@pytest.mark.parametrize(("status", "code"), [("undelivered", "30005"), ("failed", "21610")])
def test_the_callback_first_then_the_reconciler_leaves_the_same_state(twilio_live, store, agent, status, code):
    # The same facts in the other order: the status callback reaches us before the reconciler looks.
    twilio_live.configure(callbacks=False)
    first, second = CustomerFactory(store=store), CustomerFactory(store=store, phone="+8613900000001")
    states = []
    for customer, callback_first in ((first, False), (second, True)):
        (sms,) = deliver(customer, "500.00")
        sid = _lost_answer(twilio_live, sms, status, code)
        deliver(customer, "1500.00")
        if callback_first:
            assert twilio_live.report_message(sid=sid, status=status, error_code=code)[0] == 204
        sms_reconcile_stuck(time_budget=5)
        if not callback_first:
            assert twilio_live.report_message(sid=sid, status=status, error_code=code)[0] == 204
        state = _state(customer)
        states.append((state[0], [opt[1:] for opt in state[1]], [row[1:3] + row[5:] for row in state[2:]]))
    assert states[0] == states[1]
