from datetime import time
from decimal import Decimal

import pytest

from crm.models import AuditLog, CasePolicy, RootCause, SlaTarget, StoreRole
from crm.services.root_causes import root_cause_choices
from tests.factories import AgentFactory, ManagerFactory, StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    return StoreFactory(name="Store A")


@pytest.fixture
def manager(store, client):
    manager = ManagerFactory(stores=[store])
    client.force_login(manager.user)
    return manager


def _sla_post(store, **overrides):
    data = {"store": store.code}
    for group in ("priority", "normal", "difficult"):
        data[f"{group}__any__first"], data[f"{group}__any__resolution"] = "60", "600"
    data.update(overrides)
    return data


def test_the_policy_page_shows_every_section_with_the_store_defaults(client, store, manager):
    page = client.get(f"/manager/policy/?store={store.code}").text
    for testid in ("policy-cases", "policy-sla", "policy-remedies", "policy-agents", "policy-root-causes"):
        assert f'data-testid="{testid}"' in page
    assert 'value="09:00"' in page and 'value="21:00"' in page and 'value="240"' in page
    assert "Supplier or production defect" in page and "200.00" in page


def test_the_policy_page_says_what_a_customers_own_language_overrides(client, store, manager):
    # The store's SMS language is not every text's: a customer's own language decides the care SMS and notices.
    page = client.get(f"/manager/policy/?store={store.code}", HTTP_ACCEPT_LANGUAGE="zh-hans").text
    assert "设置了自己语言的顾客，关怀短信和包裹通知用其语言发送" in page
    assert "也是补偿方案成本的币种" in page  # and the currency's own note beside its field


def test_service_hours_that_end_before_they_start_are_refused_and_nothing_changes(client, store, manager):
    response = client.post(
        "/manager/policy/case/",
        {
            "store": store.code,
            "assignment": "round_robin",
            "service_start": "21:00",
            "service_end": "09:00",
            "max_wait_days": "3",
        },
    )
    assert response.status_code == 400 and "Service hours must end after they start." in response.text
    assert not CasePolicy.objects.filter(store=store).exists() and not AuditLog.objects.exists()

    response = client.post(
        "/manager/policy/case/",
        {
            "store": store.code,
            "assignment": "round_robin",
            "service_start": "08:00",
            "service_end": "22:30",
            "max_wait_days": "3",
        },
    )
    assert response.status_code == 302
    policy = CasePolicy.objects.get(store=store)
    assert (policy.assignment, policy.service_start, policy.service_end) == ("round_robin", time(8), time(22, 30))
    entry = AuditLog.objects.get(action="case_policy_changed")
    assert entry.actor == manager.user and entry.data["after"]["service_end"] == "22:30:00"


def test_sla_targets_are_replaced_whole_and_a_resolution_before_the_response_is_refused(client, store, manager):
    bad = _sla_post(store, **{"normal__any__first": "300", "normal__any__resolution": "100"})
    response = client.post("/manager/policy/sla/", bad)
    assert response.status_code == 400
    assert "Resolution cannot be due before the first response" in response.text
    assert not SlaTarget.objects.exists()

    half = _sla_post(store, **{"priority__review__first": "30"})
    assert "Fill in both minutes, or neither." in client.post("/manager/policy/sla/", half).text

    good = _sla_post(store, **{"priority__review__first": "30", "priority__review__resolution": "300"})
    assert client.post("/manager/policy/sla/", good).status_code == 302
    assert sorted(SlaTarget.objects.values_list("triage_group", "source", "first_response_minutes")) == [
        ("difficult", "", 60),
        ("normal", "", 60),
        ("priority", "", 60),
        ("priority", "review", 30),
    ]
    assert AuditLog.objects.filter(action="sla_targets_changed", store=store).count() == 1


def test_a_new_root_cause_joins_the_defaults_and_the_last_active_one_cannot_be_retired(client, store, manager):
    url = "/manager/policy/root_cause/"
    assert (
        client.post(url, {"store": store.code, "code": "dye-lot", "label": "染色批次", "active": "on"}).status_code
        == 302
    )
    choices = dict(root_cause_choices(store=store))
    assert choices["dye-lot"] == "染色批次" and "courier" in choices
    assert AuditLog.objects.get(action="root_cause_added").target == "dye-lot"
    RootCause.objects.filter(store=store).exclude(code="dye-lot").update(active=False)
    retire = client.post(url, {"store": store.code, "code": "dye-lot", "label": "染色批次"})
    assert retire.status_code == 400 and "Keep at least one active root cause" in retire.text
    assert RootCause.objects.get(store=store, code="dye-lot").active
    assert client.post(url, {"store": store.code, "code": "bad code!", "label": "x"}).status_code == 400


def test_agent_shift_and_capacity_are_checked_and_audited(client, store, manager):
    agent = AgentFactory(stores=[store], on_shift=True)
    prefix = f"agent-{agent.pk}"
    url = f"/manager/policy/agents/{agent.pk}/"
    response = client.post(url, {"store": store.code, f"{prefix}-agent": agent.pk, f"{prefix}-evening_capacity": "500"})
    assert response.status_code == 400 and "between 0 and 200" in response.text
    response = client.post(url, {"store": store.code, f"{prefix}-agent": agent.pk, f"{prefix}-evening_capacity": "12"})
    assert response.status_code == 302
    held = agent.memberships.get(store=store)
    assert (held.on_shift, held.evening_capacity) == (False, 12)
    assert AuditLog.objects.get(action="agent_shift_changed").data["after"] == {
        "on_shift": False,
        "evening_capacity": 12,
    }

    stranger = AgentFactory(stores=[StoreFactory()])
    prefix = f"agent-{stranger.pk}"
    response = client.post(
        f"/manager/policy/agents/{stranger.pk}/",
        {"store": store.code, f"{prefix}-agent": stranger.pk, f"{prefix}-evening_capacity": "5"},
    )
    assert response.status_code == 400
    assert stranger.memberships.get().evening_capacity == 20


def test_a_lower_remedy_limit_sends_later_remedies_to_approval(client, store, manager):
    from crm.services.cases import case_open, remedy_propose
    from tests.factories import CustomerFactory

    assert (
        client.post("/manager/policy/remedy_limit/", {"store": store.code, "agent_remedy_limit": "-5"}).status_code
        == 400
    )
    assert (
        client.post("/manager/policy/remedy_limit/", {"store": store.code, "agent_remedy_limit": "100"}).status_code
        == 302
    )
    store.refresh_from_db()
    case, _ = case_open(store=store, customer=CustomerFactory(store=store), source="call")
    remedy = remedy_propose(case=case, agent=AgentFactory(stores=[store]), kind="gift", cost=Decimal("150"))
    assert remedy.status == "awaiting_approval"
    assert AuditLog.objects.get(action="remedy_limit_changed").data == {
        "before": {"agent_remedy_limit": "200.00", "currency": "CNY"},
        "after": {"agent_remedy_limit": "100.00", "currency": "CNY"},
    }


def test_policy_is_for_managers_of_the_store_only(client, store):
    other = StoreFactory(name="Store B")
    client.force_login(AgentFactory(stores=[store]).user)
    assert client.get("/manager/policy/").status_code == 403
    client.force_login(ManagerFactory(stores=[store]).user)
    assert "Store B" not in client.get("/manager/policy/").text
    response = client.post("/manager/policy/remedy_limit/", {"store": other.code, "agent_remedy_limit": "1"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.agent_remedy_limit == Decimal("200.00")


def _followup_post(store, **overrides):
    from callbacks.models import DEFAULT_SMS_TEMPLATE_EN, DEFAULT_SMS_TEMPLATE_ZH

    data = {
        "store": store.code,
        "call_window_start": "18:00",
        "call_window_end": "19:00",
        "call_days": ["0", "1", "2", "3", "4", "5", "6"],
        "sms_send_from": "09:00",
        "sms_send_until": "21:00",
        "max_call_attempts": "3",
        "call_hours_from": "09:00",
        "call_hours_until": "21:00",
        "logistics_cap_per_order": "2",
        "marketing_cap": "1",
        "marketing_cap_days": "7",
        "overflow_rule": "next_window",
        "sms_language": "zh-hans",
        "sms_template_zh": DEFAULT_SMS_TEMPLATE_ZH,
        "sms_template_en": DEFAULT_SMS_TEMPLATE_EN,
        "sms_opt_out_zh": "回T退订",
        "sms_opt_out_en": "Reply STOP to opt out",
        "tier_0_min_amount": "300",
        "tier_0_channel": "sms",
        "tier_1_min_amount": "1000",
        "tier_1_channel": "call",
        "tier_2_min_amount": "2000",
        "tier_2_channel": "dedicated",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"call_window_start": "19:30", "call_window_end": "18:00"}, "The call window must end after it starts."),
        ({"sms_send_from": "21:00", "sms_send_until": "08:00"}, "SMS sending hours must end after they start."),
        ({"tier_1_min_amount": "250"}, "Tier amounts must be non-negative and rise strictly."),
        ({"sms_template_zh": "   "}, "An SMS template cannot be empty."),
        ({"sms_template_en": "Hi {nickname}"}, "Unknown placeholder"),
        ({"sms_template_zh": "{name:d}您好"}, "Write a placeholder plainly, as {name}."),
        ({"sms_template_en": "Hi {name!r:>99999999}"}, "Write a placeholder plainly, as {name}."),
        ({"sms_template_zh": "{name}您好，五星好评返现5元！"}, "Taobao, Tmall and JD forbid offering money"),
        ({"sms_template_en": "Hi {name}, review us 5 stars for cashback."}, "forbid offering money"),
        # Twilio refuses a message body past 1,600 characters (error 21617): every care SMS would fail.
        ({"sms_template_zh": "{name}您好" + "好" * 500}, "An SMS template is limited to 500 characters."),
        ({"sms_template_en": "Hi {name} " + "😀" * 500}, "An SMS template is limited to 500 characters."),
        ({"tier_2_channel": ""}, "Give a tier both an amount and a channel."),
        ({"call_hours_from": "21:00", "call_hours_until": "09:00"}, "Call hours must end after they start."),
        ({"call_hours_until": "18:30"}, "The evening call window must lie within the call hours."),
        ({"marketing_cap_days": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"logistics_cap_per_order": "50"}, "Ensure this value is less than or equal to 10."),
        ({"marketing_cap": "-1"}, "Ensure this value is greater than or equal to 0."),
        ({"tier_0_min_amount": "３００"}, "digits 0-9"),  # an input method's fullwidth digits
        ({"max_call_attempts": "٣"}, "digits 0-9"),
    ],
)
def test_a_bad_follow_up_policy_is_refused_clearly_and_nothing_is_saved(client, store, manager, overrides, message):
    from callbacks.models import FollowUpPolicy

    response = client.post("/manager/policy/followup/", _followup_post(store, **overrides))
    assert response.status_code == 400 and message in response.text
    assert not FollowUpPolicy.objects.filter(store=store).exists() and not AuditLog.objects.exists()


def test_a_follow_up_policy_change_is_saved_through_the_callbacks_service_and_audited(client, store, manager):
    from callbacks.models import FollowUpPolicy

    page = client.get(f"/manager/policy/?store={store.code}").text
    assert 'value="18:00"' in page and "回T退订" in page
    changed = _followup_post(store, call_window_start="19:00", call_window_end="20:30", tier_0_min_amount="500")
    assert client.post("/manager/policy/followup/", changed).status_code == 302
    policy = FollowUpPolicy.objects.get(store=store)
    assert (policy.call_window_start, policy.call_window_end) == (time(19), time(20, 30))
    assert policy.tiers[0] == {"min_amount": "500.00", "channel": "sms"}
    assert AuditLog.objects.get(action="followup_policy_changed").actor == manager.user


def test_the_store_sets_its_currency_and_exchange_rates_on_the_policy_page(client, store, manager):
    from callbacks.models import FollowUpPolicy

    changed = _followup_post(store, currency="cny", exchange_rates="EUR 7.80\nusd=7.10\n")
    assert client.post("/manager/policy/followup/", changed).status_code == 302
    policy = FollowUpPolicy.objects.get(store=store)
    assert (policy.currency, policy.exchange_rates) == ("CNY", {"EUR": "7.80", "USD": "7.10"})
    page = client.get(f"/manager/policy/?store={store.code}").text
    assert "EUR 7.80" in page and "USD 7.10" in page


@pytest.mark.parametrize(
    ("rates", "message"),
    [
        ("EUR seven", "must be a positive number"),
        ("euro 7.8", "a currency code and a number"),
        ("EUR -1", "positive"),
        ("EUR Infinity", "must be a positive number"),  # every EUR order would reach the top tier
        ("EUR NaN", "must be a positive number"),
        ("EUR ７.８０", "must be a positive number"),
        ("EUR 7_80", "must be a positive number"),
    ],
)
def test_a_bad_exchange_rate_is_refused_clearly(client, store, manager, rates, message):
    from callbacks.models import FollowUpPolicy

    response = client.post("/manager/policy/followup/", _followup_post(store, exchange_rates=rates))
    assert response.status_code == 400 and message in response.text
    assert not FollowUpPolicy.objects.filter(store=store).exists()


def test_a_store_sets_its_contact_caps_and_call_hours_and_the_gate_follows(client, store, manager):
    from datetime import UTC, datetime

    from callbacks.models import FollowUpPolicy
    from callbacks.services.gate import contact_decide, contact_record
    from tests.factories import CustomerFactory, OrderFactory

    page = client.get(f"/manager/policy/?store={store.code}").text
    assert 'name="logistics_cap_per_order"' in page and 'name="call_hours_from"' in page
    changed = _followup_post(store, logistics_cap_per_order="1", call_hours_from="10:00", marketing_cap_days="14")
    assert client.post("/manager/policy/followup/", changed).status_code == 302
    policy = FollowUpPolicy.objects.get(store=store)
    assert (policy.logistics_cap_per_order, policy.call_hours_from, policy.marketing_cap_days) == (1, time(10), 14)
    order = OrderFactory(customer=CustomerFactory(store=store))
    at = datetime(2026, 12, 4, 4, 0, tzinfo=UTC)  # noon in Shanghai
    contact_record(customer=order.customer, channel="sms", purpose="logistics", order=order, at=at)
    decision = contact_decide(customer=order.customer, channel="sms", purpose="logistics", order=order, at=at)
    assert decision.reason == "cap_reached"


def test_the_audit_page_names_changed_settings_and_their_values_in_the_readers_language(client, store, manager):
    """A Chinese-reading manager saw "assignment: least_loaded → round_robin" and "aftership_secret: not set → set":
    field codes and stored values. Each app registers the model its action changes, and the page reads its labels."""
    from logistics.services.policy import logistics_policy_update

    client.post(
        "/manager/policy/case/",
        {
            "store": store.code,
            "assignment": "round_robin",
            "service_start": "08:00",
            "service_end": "22:30",
            "max_wait_days": "3",
        },
    )
    logistics_policy_update(
        store=store, actor=manager.user, changes={"aftership_secret": "as-secret-7f3a", "no_update_hours": 60}
    )
    client.cookies["django_language"] = "zh-hans"
    page = client.get(f"/manager/audit/?store={store.code}").text
    assert "分配方式" in page and "轮流分配" in page and "服务时间结束" in page
    assert "AfterShip 回调密钥：否 → 是" in page
    for code in ("assignment", "round_robin", "service_end", "aftership_secret", "no_update_hours", "True"):
        assert code not in page.split("<main", 1)[-1], code


def test_tonights_planned_calls_move_with_the_evening_window_the_manager_sets(client, store, manager):
    from datetime import UTC, datetime

    import time_machine

    from tests.factories import FollowUpFactory

    # 16:00 in Shanghai; tonight's call planned in the 18:00-19:00 window.
    with time_machine.travel(datetime(2026, 11, 23, 8, 0, tzinfo=UTC), tick=False):
        followup = FollowUpFactory(
            order__customer__store=store,
            window_start=datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
            window_end=datetime(2026, 11, 23, 11, 0, tzinfo=UTC),
        )
        assert "hours-move-planned" in client.get(f"/manager/policy/?store={store.code}").text
        changed = _followup_post(store, call_window_start="19:00", call_window_end="20:00")
        assert client.post("/manager/policy/followup/", changed).status_code == 302

    followup.refresh_from_db()
    assert (followup.window_start, followup.window_end) == (
        datetime(2026, 11, 23, 11, 0, tzinfo=UTC),
        datetime(2026, 11, 23, 12, 0, tzinfo=UTC),
    )


def test_the_tier_amounts_say_which_currency_they_are_in(client, manager):
    # The demo's Berlin store sells in euros and its tiers are in yuan: the table said "From amount 300.00" and a
    # manager read euros.
    from callbacks.models import FollowUpPolicy

    berlin = StoreFactory(name="Teehaus Berlin", currency="EUR")
    manager.stores.add(berlin, through_defaults={"role": StoreRole.MANAGER})
    FollowUpPolicy.objects.create(store=berlin, currency="CNY", exchange_rates={"EUR": "7.80"})
    page = client.get(f"/manager/policy/?store={berlin.code}").text
    tiers = page.split('data-testid="tiers"')[1].split("</table>")[0]
    assert "From amount (CNY)" in tiers


def test_a_brace_left_open_in_a_text_for_customers_is_said_in_the_managers_language(client, store, manager):
    """A care SMS template, a parcel notice or a campaign wording with a brace left open ("{name您好") was refused
    with Python's own English inside the Chinese ("模板格式有误：expected '}' before end of string。")."""
    from django.utils import translation

    from crm.errors import InvalidInput
    from logistics.errors import LogisticsPolicyInvalid
    from logistics.services.policy import template_validate
    from retention.wording import wordings_clean

    client.cookies["django_language"] = "zh-hans"
    for text in ("{name您好，{store}", "{name}您好}"):
        response = client.post("/manager/policy/followup/", _followup_post(store, sms_template_zh=text))
        assert response.status_code == 400 and "有括号未闭合" in response.text
        assert "encountered" not in response.text and "expected" not in response.text
    with translation.override("zh-hans"):
        with pytest.raises(LogisticsPolicyInvalid) as notice:
            template_validate(key="exception", language="zh-hans", text="{name}您好，{store}这里{")
        with pytest.raises(InvalidInput) as wording:
            wordings_clean(["{name您好"], offer_kind="none")
    for refused in (notice, wording):
        assert "有括号未闭合" in refused.value.message and "expected" not in refused.value.message
