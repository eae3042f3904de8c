"""One case workspace for every source: a complaint from a call worked through its four steps to a close,
joining rules (same order joins, another order opens its own; causes kept; the call is the first response), a
threat review joining a case makes it difficult, fulfilment only after approval, and the audit trail."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine

from callbacks.services.outcomes import followup_log_outcome
from crm.errors import InvalidInput, InvalidTransition, PermissionDenied, StepNotReady
from crm.models import AuditLog, Case, CaseEvent, Remedy
from crm.services.cases import case_close, case_open, remedy_approve, remedy_propose
from crm.services.casework import remedy_fulfil
from crm.services.complaint import complaint_assess, complaint_confirm, complaint_follow_up, complaint_negotiate
from crm.services.escalation import case_manager_decide, case_negotiation_fail
from reviews.models import Review
from reviews.services.cases import reviews_open_cases
from reviews.services.intake import ReviewIn, reviews_ingest
from tests.factories import AgentFactory, FollowUpFactory, ManagerFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 23, 10, 10, tzinfo=UTC)  # 18:10 in Shanghai, inside the evening window


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def store():
    return StoreFactory(agent_remedy_limit=Decimal("60"))


@pytest.fixture
def agent(store):
    return AgentFactory(stores=[store])


@pytest.fixture
def manager(store):
    return ManagerFactory(stores=[store])


def _dissatisfied(agent, order, cause="logistics", note="盒子压坏了") -> Case:
    followup = FollowUpFactory(order=order, assignee=agent)
    attempt = followup_log_outcome(
        followup=followup, agent=agent, outcome="dissatisfied", expected_seq=1, cause=cause, note=note
    )
    return attempt.case


def test_a_complaint_from_a_call_is_worked_through_the_four_steps_to_a_close(store, agent, manager):
    case = _dissatisfied(agent, OrderFactory(store=store, customer__store=store))
    assert (case.source, case.cause, case.first_response_at) == ("call", "logistics", NOW)

    with pytest.raises(StepNotReady):  # steps come in order
        complaint_assess(case=case, actor=agent.user, severity="serious")
    complaint_confirm(case=case, actor=agent.user, customer_asks="换一个新的", causes=["quality"])
    complaint_assess(case=case, actor=agent.user, severity="serious", asked_amount=Decimal("50"))
    with pytest.raises(InvalidInput):  # one option is not a negotiation
        complaint_negotiate(
            case=case, actor=agent.user, agent=agent, offered=["logistics:coupon"], chosen="logistics:coupon"
        )
    complaint_negotiate(
        case=case,
        actor=agent.user,
        agent=agent,
        offered=["logistics:apology", "logistics:coupon", "quality:exchange"],
        chosen="logistics:coupon",
    )
    remedy = case.remedies.get()
    assert (remedy.kind, remedy.cost, remedy.status) == ("coupon", Decimal("30.00"), "agreed")
    with pytest.raises(StepNotReady):  # not carried out yet
        complaint_follow_up(case=case, actor=agent.user, via="call")
    remedy_fulfil(remedy=remedy, agent=agent, reference="COUPON-8841")
    complaint_follow_up(case=case, actor=agent.user, via="sms", note="客户回短信说收到了")
    case = case_close(case=case, root_cause="courier", actor=agent.user)

    assert case.status == "closed"
    assert list(case.steps.values_list("step", flat=True)) == ["confirm", "assess", "negotiate", "follow_up"]
    remedy.refresh_from_db()
    assert (remedy.status, remedy.fulfilment_reference, remedy.confirmed_via) == ("confirmed", "COUPON-8841", "sms")
    assert case.causes == ["logistics", "quality"]
    assert case.steps.get(step="negotiate").data["offered"][2] == "quality:exchange"
    assert set(AuditLog.objects.values_list("action", flat=True)) == {"remedy_fulfilled", "case_closed"}


def test_a_second_dissatisfied_call_about_another_order_opens_its_own_case(store, agent):
    first_order = OrderFactory(store=store, customer__store=store)
    first = _dissatisfied(agent, first_order, cause="quality")
    second = _dissatisfied(agent, OrderFactory(store=store, customer=first_order.customer), cause="logistics")
    assert first.pk != second.pk
    assert (first.cause, second.cause) == ("quality", "logistics")
    # The same order again joins the first: its cause is added, never lost.
    again = _dissatisfied(agent, first_order, cause="price")
    again.refresh_from_db()
    assert again.pk == first.pk and again.causes == ["quality", "price"]


def test_a_call_joining_a_review_case_keeps_its_cause_and_counts_as_the_first_response(store, agent):
    order = OrderFactory(store=store, customer__store=store)
    review_case, _ = case_open(store=store, customer=order.customer, order=order, source="review", cause="price")
    assert review_case.first_response_at is None
    joined = _dissatisfied(agent, order, cause="logistics")
    joined.refresh_from_db()
    assert joined.pk == review_case.pk
    assert (joined.cause, joined.causes, joined.first_response_at) == ("price", ["price", "logistics"], NOW)
    assert joined.events.filter(kind=CaseEvent.Kind.NOTE, data__joined=True).exists()


def test_a_threat_review_joining_a_normal_case_makes_it_a_difficult_dispute(store, agent, manager, client):
    order = OrderFactory(store=store, customer__store=store)
    case = _dissatisfied(agent, order, cause="quality")
    assert case.triage_group == "normal"
    normal_due = case.resolution_due
    reviews_ingest(
        store=store,
        rows=[
            ReviewIn(
                external_id="R9", rating=1, posted_at=NOW, text="质量太差,我要投诉到12315", order=order.external_id
            )
        ],
    )
    reviews_open_cases()
    case.refresh_from_db()
    assert Review.objects.get().case_id == case.pk
    assert case.triage_group == "difficult" and "threat" in case.triage_reasons
    assert case.resolution_due < normal_due  # a difficult dispute has the tighter clock
    assert case.events.filter(kind=CaseEvent.Kind.TRIAGE_CHANGED).exists()
    client.force_login(manager.user)
    board = client.get("/manager/escalations/").content.decode()
    assert f"/cases/{case.pk}/" in board.split('data-testid="difficult"')[1].split("</section>")[0]


def test_fulfilment_cannot_be_recorded_before_approval(store, agent, manager):
    case = _dissatisfied(agent, OrderFactory(store=store, customer__store=store))
    remedy = remedy_propose(case=case, agent=agent, kind=Remedy.Kind.PARTIAL_REFUND, cost=Decimal("300"))
    assert remedy.status == "awaiting_approval"
    with pytest.raises(InvalidTransition):
        remedy_fulfil(remedy=remedy, agent=agent, reference="RF-1")
    with pytest.raises(PermissionDenied):  # an agent cannot approve
        remedy_approve(remedy=remedy, manager=agent)
    remedy_approve(remedy=remedy, manager=manager)
    with pytest.raises(InvalidInput):
        remedy_fulfil(remedy=remedy, agent=agent, reference="  ")
    remedy = remedy_fulfil(remedy=remedy, agent=agent, reference="RF-1")
    assert remedy.status == "fulfilled"
    assert list(AuditLog.objects.order_by("id").values_list("action", flat=True)) == [
        "remedy_approved",
        "remedy_fulfilled",
    ]


def test_a_failed_negotiation_waits_for_the_managers_decision_which_is_recorded(store, agent, manager, client):
    case = _dissatisfied(agent, OrderFactory(store=store, customer__store=store))
    case_negotiation_fail(
        case=case, actor=agent.user, offered=["logistics:apology", "logistics:coupon"], note="要全额退款"
    )
    client.force_login(manager.user)
    board = client.get("/manager/escalations/").content.decode()
    section = board.split('data-testid="negotiation-failed"')[1].split("</section>")[0]
    assert f"/cases/{case.pk}/" in section and "Coupon" in section
    with pytest.raises(PermissionDenied):
        case_manager_decide(case=case, manager=agent, decision="refund")
    case_manager_decide(case=case, manager=manager, decision="refund", cost=Decimal("1500"), note="全额退款")
    case.refresh_from_db()
    assert (case.manager_decision, case.manager_decided_by) == ("refund", manager)
    refund = case.remedies.get()
    assert (refund.kind, refund.status, refund.cost) == ("refund", "approved", Decimal("1500.00"))
    assert AuditLog.objects.filter(action="case_manager_decision").exists()
    board = client.get("/manager/escalations/").content.decode()
    assert f"/cases/{case.pk}/" not in board.split('data-testid="negotiation-failed"')[1].split("</section>")[0]


def test_the_customer_confirming_a_remedy_is_recorded_from_the_case_page(store, agent, client):
    order = OrderFactory(store=store, customer__store=store)
    case, _ = case_open(store=store, customer=order.customer, order=order, source=Case.Source.REVIEW, assignee=agent)
    remedy = remedy_propose(case=case, agent=agent, kind=Remedy.Kind.COUPON, cost=Decimal("30"))
    remedy_fulfil(remedy=remedy, agent=agent, reference="CP-1")
    client.force_login(agent.user)
    assert client.post(f"/cases/{case.pk}/remedies/{remedy.pk}/confirm", {"via": "bogus"}).status_code == 302
    assert Remedy.objects.get(pk=remedy.pk).status == "fulfilled"
    response = client.post(f"/cases/{case.pk}/remedies/{remedy.pk}/confirm", {"via": "call"})
    assert response.status_code == 302
    remedy.refresh_from_db()
    assert (remedy.status, remedy.confirmed_via) == ("confirmed", "call")


def test_a_second_manager_deciding_a_failed_negotiation_is_told_who_decided_first(store, agent, manager, client):
    case = _dissatisfied(agent, OrderFactory(store=store, customer__store=store))
    case_negotiation_fail(case=case, actor=agent.user, offered=[], note="要全额退款")
    colleague = ManagerFactory(stores=[store], user__first_name="Wei")
    client.force_login(colleague.user)
    page = client.get(f"/cases/{case.pk}/")  # the colleague opens the decision form ...
    assert 'data-testid="decision-form"' in page.content.decode()
    case_manager_decide(case=case, manager=manager, decision="platform_dispute", note="平台介入")  # ... and meanwhile
    answer = client.post(
        f"/cases/{case.pk}/decision", {"decision": "refund", "kind": "refund", "cost": "1500"}, follow=True
    )
    [said] = [str(m) for m in answer.context["messages"]]
    assert said == f"{manager} already decided: The platform's dispute process."
    case.refresh_from_db()
    assert (case.manager_decision, case.manager_decided_by) == ("platform_dispute", manager)
    assert not case.remedies.exists()


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [
        ("zh-hans", "凭证号：&lt;b&gt;CP-1&lt;/b&gt;", "凭证号: "),
        ("en", "Reference: &lt;b&gt;CP-1&lt;/b&gt;", "Reference："),
    ],
)
def test_a_label_is_parted_from_its_value_as_the_readers_language_writes_it(
    store, agent, client, language, shown, not_shown
):
    """A Chinese reader saw "凭证号: CP-1" beside the catalogue's full-width "，" and "：". The remedy's line and the
    timeline's both part the label from the value the language's way; the value a user typed stays escaped."""
    order = OrderFactory(store=store, customer__store=store)
    case, _ = case_open(store=store, customer=order.customer, order=order, source=Case.Source.REVIEW, assignee=agent)
    remedy = remedy_propose(case=case, agent=agent, kind=Remedy.Kind.COUPON, cost=Decimal("30"))
    remedy_fulfil(remedy=remedy, agent=agent, reference="<b>CP-1</b>")
    client.force_login(agent.user)
    page = client.get(f"/cases/{case.pk}/", headers={"accept-language": language}).content.decode()
    remedies = page.split('data-testid="remedies"')[1].split('data-testid="timeline"')[0]
    timeline = page.split('data-testid="timeline"')[1]
    assert shown in remedies and shown in timeline
    assert not_shown not in page and "<b>CP-1" not in page
