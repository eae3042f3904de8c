"""The apology-call step follows the case's timeline: a call that reached the customer ticks it, whoever logged it
(the call panel lives in callbacks, which reviews does not import; crm's case_event_added carries the news)."""

from datetime import UTC, datetime

import pytest

from crm.models import Case, CaseEvent, CaseStep
from crm.services.cases import case_add_event, case_open
from reviews.models import Review
from reviews.services.bad_review import Step, case_had_contact
from reviews.services.bad_review import bad_review_step_mark as case_step_mark
from reviews.services.cases import reviews_open_cases
from reviews.services.intake import ReviewIn, reviews_ingest
from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db


def _review_case(store, rating=1) -> Case:
    order = OrderFactory(store=store, customer__store=store)
    reviews_ingest(
        store=store,
        rows=[
            ReviewIn(
                external_id=f"R-{order.pk}",
                rating=rating,
                posted_at=datetime(2026, 11, 22, tzinfo=UTC),
                text="颜色和图片不一样",
                order=order.external_id,
            )
        ],
    )
    reviews_open_cases()
    return Review.objects.get(external_id=f"R-{order.pk}").case


def _call(case, agent, kind=CaseEvent.Kind.CALL, note="已致歉"):
    return case_add_event(case=case, kind=kind, actor=agent.user, message=note, data={"outcome": "reached"})


@pytest.mark.parametrize("rating", [1, 3])
def test_a_reached_call_on_the_case_ticks_the_apology_step_once(store, agent, rating):
    case = _review_case(store, rating=rating)
    event = _call(case, agent)
    _call(case, agent, note="again")
    step = CaseStep.objects.get(case=case)
    assert (step.step, step.done_by, step.note) == (Step.APOLOGY_CALL, agent.user, "已致歉")
    assert (step.done_at, step.data) == (event.at, {"event": event.pk})
    assert case_had_contact(case=case)


def test_an_unanswered_call_or_a_note_ticks_nothing(store, agent):
    case = _review_case(store)
    _call(case, agent, kind=CaseEvent.Kind.CALL_ATTEMPT)
    _call(case, agent, kind=CaseEvent.Kind.NOTE)
    assert not CaseStep.objects.exists()


def test_cases_without_a_mid_or_bad_review_have_no_checklist_to_tick(store, agent):
    order = OrderFactory(store=store, customer__store=store)
    case, _created = case_open(store=store, customer=order.customer, order=order, source=Case.Source.CALL)
    _call(case, agent)
    assert not CaseStep.objects.exists()


def test_a_closed_case_is_not_ticked_and_a_manual_tick_is_not_doubled(store, agent):
    case = _review_case(store)
    case_step_mark(case=case, step=Step.APOLOGY_CALL, actor=agent.user, note="用自己的电话打的")
    assert CaseStep.objects.get().note == "用自己的电话打的"
    assert case.events.filter(kind=CaseEvent.Kind.CALL).count() == 1
    other = _review_case(store)
    Case.objects.filter(pk=other.pk).update(status=Case.Status.CLOSED, root_cause="other", closed_at=other.opened_at)
    other.refresh_from_db()
    _call(other, agent)
    assert not CaseStep.objects.filter(case=other).exists()


def test_the_review_page_offers_the_call_panel_for_the_apology_step(client, store, agent):
    case = _review_case(store)
    review = case.reviews.get()
    client.force_login(agent.user)
    page = client.get(f"/reviews/{review.pk}/", headers={"accept-language": "zh-hans"}).text
    assert f'action="/calls/cases/{case.pk}/call"' in page and "致电顾客" in page
    assert f'name="next" value="/reviews/{review.pk}/"' in page
    _call(case, agent)
    page = client.get(f"/reviews/{review.pk}/").text
    assert 'data-testid="call-customer"' not in page  # the step is done


def test_the_evidence_pack_lists_unanswered_calls_among_the_contacts(client, store, agent):
    import io
    import json
    import zipfile

    case = _review_case(store)
    _call(case, agent, kind=CaseEvent.Kind.CALL_ATTEMPT, note="无人接听")
    _call(case, agent, kind=CaseEvent.Kind.NOTE, note="内部备注")
    client.force_login(agent.user)
    response = client.post(f"/reviews/{case.reviews.get().pk}/evidence-pack")
    pack = json.loads(zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).read("evidence.json"))
    assert [(c["kind"], c["message"]) for c in pack["contacts"]] == [("call_attempt", "无人接听")]
