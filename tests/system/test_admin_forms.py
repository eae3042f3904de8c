"""A setting saved in the admin is checked as its page's service checks it: what the service refuses (a placeholder
nothing fills, a reward for a review, a phone that is no number, another store's agent) is an error next to the
field, not a row that breaks the sending, planning or printing that reads it."""

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.forms import SplitDateTimeWidget
from django.test import RequestFactory

from callbacks.models import FollowUpPolicy
from crm.models import Agent, AuditLog, Case, CasePolicy, Customer, StoreClosure
from crm.services.cases import case_open
from letters.models import LetterRule, LetterTemplate, ParcelInsert
from retention.models import Gift, GiftTask, Segment
from reviews.models import ReviewPolicy
from tests.admin_agents import memberships_form
from tests.factories import AgentFactory, CustomerFactory, StoreFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _form_data(model, obj=None, **changes) -> dict:
    """What the admin's form for `model` posts as it stands (a new row's defaults, or `obj`), with `changes`."""
    request = RequestFactory().get("/admin/")
    request.user = get_user_model()(is_superuser=True, is_staff=True, is_active=True)
    model_admin = admin.site._registry[model]
    form = model_admin.get_form(request, obj, change=obj is not None)(instance=obj)
    data = {}
    for field in form:
        value = field.value()
        if isinstance(field.field.widget, SplitDateTimeWidget):
            data |= {f"{field.html_name}_0": "", f"{field.html_name}_1": ""}
        elif isinstance(value, bool):
            if value:
                data[field.html_name] = "on"
        elif value is not None:
            data[field.html_name] = value
    if model is Agent:  # the stores served are an inline (tests.admin_agents)
        data |= memberships_form(obj)
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value
    return data


def _url(model, obj=None) -> str:
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    return f"{base}{obj.pk}/change/" if obj else f"{base}add/"


def _refused(admin_client, model, field: str, obj=None, **changes) -> str:
    answer = admin_client.post(_url(model, obj), _form_data(model, obj, **changes))
    assert answer.status_code == 200, f"saved: {changes}"
    errors = answer.context["adminform"].form.errors
    assert field in errors, errors
    return " ".join(errors[field])


@pytest.fixture
def store():
    return StoreFactory(code="silk")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sms_template_zh", "{nmae}您好，您的{product}已签收", "Unknown placeholder nmae"),
        ("sms_template_en", "Hi {name:>99999999}", "Write a placeholder plainly"),
        ("sms_template_zh", "{name}您好，给五星好评返现10元", "forbid offering money"),
        ("tiers", [{"min_amount": "lots", "channel": "call"}], "decimal amount"),
        ("tiers", {"call": 1000}, "Tiers must be a list"),
        ("sms_opt_out_zh", "谢谢", "must name the word to reply"),
        ("call_days", [7], "Choose at least one call day"),
        # JSON that is no object of rates: null failed the save on the column's NOT NULL, a number or a list on
        # reading its rates (a 500 either way).
        ("exchange_rates", "null", "currency code and its rate"),
        ("exchange_rates", "7.8", "currency code and its rate"),
        ("exchange_rates", ["EUR", "7.80"], "currency code and its rate"),
    ],
)
def test_a_follow_up_policy_the_policy_page_would_refuse_is_refused(admin_client, store, field, value, message):
    # Saved as typed, a care SMS template with a misspelt placeholder failed every care SMS of the store, and tiers
    # that are no list of amounts failed the planning of every delivery.
    assert message in _refused(admin_client, FollowUpPolicy, field, store=store.pk, **{field: value})
    assert not FollowUpPolicy.objects.exists()


def test_a_follow_up_policy_that_passes_the_page_s_checks_is_saved(admin_client, store):
    answer = admin_client.post(_url(FollowUpPolicy), _form_data(FollowUpPolicy, store=store.pk, max_call_attempts=2))
    assert answer.status_code == 302
    assert FollowUpPolicy.objects.get(store=store).max_call_attempts == 2


PARTS = {
    "openings": "{customer}您好",
    "bodies": "感谢您选购{product}",
    "closings": "有问题请联系我们",
    "signoffs": "丝韵",
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("bodies", "感谢您选购{prodcut}", "Unknown placeholder {prodcut}"),
        ("openings", "｛customer｝您好", "full-width braces"),
        ("closings", "晒图好评返现20元", "forbid offering money"),
        ("signoffs", "{agent}", "choose who signs the letters"),
        ("max_amount", "100", "upper bound must be above"),
    ],
)
def test_a_letter_template_the_templates_page_would_refuse_is_refused(admin_client, store, field, value, message):
    data = {"store": store.pk, "name": "感谢信", "language": "zh-hans", "min_amount": "500", **PARTS, field: value}
    assert message in _refused(admin_client, LetterTemplate, field, **data)
    assert not LetterTemplate.objects.exists()


def test_a_parcel_insert_offering_a_reward_for_a_review_is_refused(admin_client, store):
    data = {"store": store.pk, "kind": "care", "title": "保养说明", "body": "五星好评返5元红包"}
    assert "forbid offering money" in _refused(admin_client, ParcelInsert, "body", **data)


@pytest.mark.parametrize(
    ("value", "saved"),
    [("138 0013 8000", "+8613800138000"), ("+86-139-0000-0001", "+8613900000001"), ("", "")],
)
def test_an_agent_s_bridging_phone_is_kept_as_a_number_calls_can_dial(admin_client, store, value, saved):
    agent = AgentFactory(stores=[store])
    answer = admin_client.post(_url(Agent, agent), _form_data(Agent, agent, phone=value))
    assert answer.status_code == 302
    agent.refresh_from_db()
    assert agent.phone == saved


@pytest.mark.parametrize("value", ["call me", "12345", "+86 138 0013 800O"])
def test_an_agent_s_phone_that_is_no_number_is_refused(admin_client, store, value):
    # Saved as typed, every click to call of the agent was refused by the provider: its bridge leg had no number.
    agent = AgentFactory(stores=[store])
    _refused(admin_client, Agent, "phone", agent, phone=value)
    agent.refresh_from_db()
    assert agent.phone == "+8613900000001"


def test_an_agent_s_evening_capacity_is_bounded_as_on_the_policy_page(admin_client, store):
    agent = AgentFactory(stores=[store])
    data = _form_data(Agent, agent) | memberships_form(agent, shifts={store.pk: {"evening_capacity": 2000}})

    answer = admin_client.post(_url(Agent, agent), data)

    assert answer.status_code == 200
    (memberships,) = answer.context["inline_admin_formsets"]
    assert "between 0 and 200" in " ".join(memberships.formset.errors[0]["evening_capacity"])
    assert agent.memberships.get().evening_capacity == 20


def test_a_row_of_a_store_names_only_that_store_s_agents_and_segments(admin_client, store):
    other = StoreFactory(code="jade")
    stranger = AgentFactory(stores=[other])
    customer = CustomerFactory(store=store)
    task = GiftTask.objects.create(store=store, customer=customer, occasion_date="2027-03-01")
    their_segment = Segment.objects.create(store=other, name="常客")

    _refused(admin_client, Customer, "dedicated_owner", customer, dedicated_owner=stranger.pk)
    _refused(admin_client, GiftTask, "assignee", task, assignee=stranger.pk)
    _refused(admin_client, LetterRule, "signing_agent", store=store.pk, signing_agent=stranger.pk)
    _refused(admin_client, Gift, "segments", store=store.pk, name="丝巾", segments=[their_segment.pk])

    customer.refresh_from_db()
    task.refresh_from_db()
    assert (customer.dedicated_owner, task.assignee) == (None, None)
    assert not LetterRule.objects.exists() and not Gift.objects.exists()
    ours = AgentFactory(stores=[store])
    assert admin_client.post(_url(GiftTask, task), _form_data(GiftTask, task, assignee=ours.pk)).status_code == 302


def test_a_letter_rule_names_one_of_the_store_s_segments(admin_client, store):
    other_segment = Segment.objects.create(store=StoreFactory(code="jade"), name="常客")
    _refused(admin_client, LetterRule, "segment", store=store.pk, segment=str(other_segment.pk))


def test_a_gift_suits_genders_from_the_list(admin_client, store):
    _refused(admin_client, Gift, "genders", store=store.pk, name="丝巾", genders=["robot"])


@pytest.mark.parametrize("field", ["main_skus", "competitor_markers"])
@pytest.mark.parametrize("value", ['"别家"', "5", '["别家", 5]'])
def test_a_review_policy_s_word_lists_are_lists_of_words(admin_client, store, field, value):
    # Markers saved as one JSON string ("别家") were read character by character: every review with 家 in it was
    # taken for a competitor's; a number failed the triage of every review of the store.
    _refused(admin_client, ReviewPolicy, field, store=store.pk, **{field: value})
    answer = admin_client.post(_url(ReviewPolicy), _form_data(ReviewPolicy, store=store.pk, **{field: ["别家"]}))
    assert answer.status_code == 302


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        (FollowUpPolicy, "opt_out_words", ["退订\x00"]),
        (ReviewPolicy, "main_skus", ["SKU-1", "\x00"]),
        (ReviewPolicy, "competitor_markers", ["别家\x00"]),
    ],
)
def test_a_json_value_holding_a_nul_character_is_refused_on_its_field(admin_client, store, model, field, value):
    # PostgreSQL's jsonb cannot hold \u0000: a word list with one passed the list's check and failed the save (500).
    assert "Null characters are not allowed" in _refused(admin_client, model, field, store=store.pk, **{field: value})
    assert not model.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [([0, 1, 2, 3, 4, 5, 6], "at least one day a week"), ([9], "Monday to Sunday"), ('"日"', "Monday to Sunday")],
)
def test_a_case_policy_whose_days_off_leave_no_open_day_is_refused(admin_client, store, value, message):
    # Every day off, no SLA clock could ever run: counting a deadline would never end.
    assert message in _refused(admin_client, CasePolicy, "days_off", store=store.pk, days_off=value)


def test_new_days_off_saved_in_the_admin_count_open_deadlines_again(admin_client, admin_user, store):
    with time_machine.travel(datetime(2027, 1, 30, 20, 0, tzinfo=SHANGHAI), tick=False):  # Saturday 20:00
        admin_client.force_login(admin_user)  # a session of the real today has expired by then
        case, _ = case_open(store=store, customer=CustomerFactory(store=store), source=Case.Source.REVIEW)
        answer = admin_client.post(_url(CasePolicy), _form_data(CasePolicy, store=store.pk, days_off=[6]))
    assert answer.status_code == 302
    case.refresh_from_db()
    assert case.first_response_due == datetime(2027, 2, 1, 12, 0, tzinfo=SHANGHAI)  # Sunday off: Monday noon


def test_days_off_changed_in_the_admin_count_from_the_moment_they_are_saved(admin_client, admin_user, store):
    """The hours worked before the change stay worked, as on the policy page (ADR 0035)."""
    policy = CasePolicy.objects.create(store=store)
    # Friday 5 March 10:00, a normal case: 36 working hours, Friday 11, Saturday 12, Sunday 12, Monday 1.
    with time_machine.travel(datetime(2027, 3, 5, 10, 0, tzinfo=SHANGHAI), tick=False):
        case, _ = case_open(store=store, customer=CustomerFactory(store=store), source=Case.Source.REVIEW)
    assert case.resolution_due == datetime(2027, 3, 8, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(datetime(2027, 3, 7, 12, 0, tzinfo=SHANGHAI), tick=False):  # Sunday noon
        admin_client.force_login(admin_user)
        answer = admin_client.post(_url(CasePolicy, policy), _form_data(CasePolicy, policy, days_off=[6]))
    assert answer.status_code == 302
    case.refresh_from_db()
    # This Sunday's three hours until noon were worked: 26 by then, the other ten on Monday, by 19:00.
    assert case.resolution_due == datetime(2027, 3, 8, 19, 0, tzinfo=SHANGHAI)
    policy.refresh_from_db()
    assert policy.earlier_calendars == [
        {"service_start": "09:00:00", "service_end": "21:00:00", "days_off": [], "until": "2027-03-07T04:00:00+00:00"}
    ]
    # The admin shows the kept calendar, its end in the store's zone.
    with time_machine.travel(datetime(2027, 3, 7, 12, 5, tzinfo=SHANGHAI), tick=False):
        page = admin_client.get(_url(CasePolicy, policy)).content.decode()
    assert "09:00–21:00, no days off, until 2027-03-07 12:00" in page


def test_a_closure_added_in_the_admin_is_checked_audited_and_moves_open_deadlines(admin_client, admin_user, store):
    closure = {"store": store.pk, "name": "春节", "first_day": "2027-02-05", "last_day": "2027-02-11"}
    with time_machine.travel(datetime(2027, 2, 4, 19, 0, tzinfo=SHANGHAI), tick=False):
        admin_client.force_login(admin_user)
        case, _ = case_open(store=store, customer=CustomerFactory(store=store), source=Case.Source.REVIEW)
        assert admin_client.post(_url(StoreClosure), closure).status_code == 302
        overlap = admin_client.post(
            _url(StoreClosure), {**closure, "first_day": "2027-02-11", "last_day": "2027-02-12"}
        )
        backwards = admin_client.post(
            _url(StoreClosure), {**closure, "first_day": "2027-03-02", "last_day": "2027-03-01"}
        )
    assert "overlaps 春节" in " ".join(overlap.context["adminform"].form.errors["first_day"])
    assert "ends on or after its first day" in str(backwards.context["adminform"].form.errors)
    case.refresh_from_db()
    assert case.first_response_due == datetime(2027, 2, 12, 11, 0, tzinfo=SHANGHAI)
    assert AuditLog.objects.filter(action="store_closure_added").count() == StoreClosure.objects.count() == 1

    saved = StoreClosure.objects.get()
    with time_machine.travel(datetime(2027, 2, 12, 9, 0, tzinfo=SHANGHAI), tick=False):  # over: it stays
        admin_client.force_login(admin_user)
        assert (
            admin_client.post(_url(StoreClosure, saved).replace("change", "delete"), {"post": "yes"}).status_code == 403
        )
    with time_machine.travel(datetime(2027, 2, 4, 19, 30, tzinfo=SHANGHAI), tick=False):
        assert (
            admin_client.post(_url(StoreClosure, saved).replace("change", "delete"), {"post": "yes"}).status_code == 302
        )
    case.refresh_from_db()
    assert case.first_response_due == datetime(2027, 2, 5, 11, 0, tzinfo=SHANGHAI)
    assert AuditLog.objects.filter(action="store_closure_removed").count() == 1


def test_a_closure_deleted_in_the_admin_while_under_way_is_ended_then_and_kept(admin_client, admin_user):
    store = StoreFactory(timezone="Asia/Shanghai")
    closure = StoreClosure.objects.create(
        store=store, name="春节", first_day=date(2027, 2, 7), last_day=date(2027, 2, 14)
    )  # fmt: skip
    ended = datetime(2027, 2, 9, 12, 0, tzinfo=SHANGHAI)  # the store opened again early
    delete = _url(StoreClosure, closure).replace("change", "delete")
    with time_machine.travel(ended, tick=False):
        admin_client.force_login(admin_user)
        answer = admin_client.post(delete, {"post": "yes"}, follow=True)
        assert "it is kept on record, ended now" in answer.text
        assert admin_client.post(delete, {"post": "yes"}).status_code == 403  # ended: it stays as it is
    closure.refresh_from_db()
    assert (closure.ended_at, closure.ended_by) == (ended, admin_user)
    assert AuditLog.objects.get(action="store_closure_ended").data["ended_at"] == "2027-02-09 12:00"
