"""The managers' logistics settings: each rule on/off with its threshold, the notices per rule and language with
their placeholders checked, the shipping notice, the write-only AfterShip secret. Bad input changes nothing; a
manager sees only their stores; agents may not open it; the sweep reads what was saved."""

import pytest
from django.test import Client

from crm.errors import ReviewIncentiveForbidden
from crm.models import AuditLog, Store, StoreRole
from logistics.errors import LogisticsPolicyInvalid
from logistics.forms import LogisticsPolicyForm
from logistics.models import LogisticsPolicy, ShipmentDelay, ShipmentNotice
from logistics.models.policy import DEFAULT_TEMPLATES
from logistics.services.delays import delays_sweep
from logistics.services.policy import logistics_policy_for_store, logistics_policy_update
from tests.callbacks.conftest import midday_store
from tests.factories import AgentFactory, CustomerFactory, ManagerFactory, OrderFactory, StoreFactory

from .conftest import ship

pytestmark = pytest.mark.django_db

URL = "/logistics/settings/"


@pytest.fixture
def store():
    return midday_store(code="silk", name="丝韵旗舰店")


@pytest.fixture
def manager(store):
    return ManagerFactory(stores=[store])


@pytest.fixture
def client(manager) -> Client:
    client = Client()
    client.force_login(manager.user)
    return client


def _post(store, **overrides) -> dict:
    """The form as the page sends it for the store's current policy, with `overrides`."""
    store = Store.objects.get(pk=store.pk)  # as saved now
    form = LogisticsPolicyForm.for_policy(logistics_policy_for_store(store=store))
    data = {"store": store.code}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(value)
    for name, value in overrides.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def test_the_page_shows_the_defaults_and_every_rule_with_its_placeholders(client, store):
    page = client.get(f"{URL}?store=silk").text
    for rule in ("no_first_scan", "no_update", "past_promised", "not_delivered_today", "exception"):
        assert f'data-testid="rule-{rule}"' in page
    assert 'name="no_first_scan_hours"' in page and 'value="24"' in page and 'value="48"' in page
    assert DEFAULT_TEMPLATES["no_update"]["zh-hans"] in page and DEFAULT_TEMPLATES["shipped"]["en"] in page
    assert "<code>{promised}</code>" in page and "<code>{tracking_number}</code>" in page
    assert 'name="shipping_notice"' in page and 'name="shipping_notice" checked' not in page  # off by default
    assert "No secret is set" in page
    # The contact gate's cap on these notices is the policy page's; this page says what it is and links there.
    assert "at most 2 logistics messages per order" in page and "/manager/policy/?store=silk#followups" in page


def test_a_manager_switches_a_rule_off_changes_a_threshold_and_a_template_and_it_is_audited(client, store, manager):
    text = "{name}您好，{store}正在跟进您的{product}，它在途中慢了一些，我们会盯紧。"
    data = _post(store, no_first_scan_on=None, no_update_hours="72", template_no_update_zh_hans=text)
    response = client.post(URL, data)
    assert response.status_code == 302 and response["Location"] == f"{URL}?store=silk"
    policy = LogisticsPolicy.objects.get(store=store)
    assert policy.rules_off == ["no_first_scan"] and policy.no_update_hours == 72
    # Only the store's own wording is kept: every other text stays the default.
    assert policy.templates == {"no_update": {"zh-hans": text}}
    entry = AuditLog.objects.get(action="logistics_policy_changed")
    assert entry.actor == manager.user and entry.store == store
    assert entry.data["after"] == {"no_update_hours": "72", "rules_off": "no_first_scan",
                                   "templates.no_update.zh-hans": text}  # fmt: skip
    assert entry.data["before"]["templates.no_update.zh-hans"] == "(default)"


def test_the_next_sweep_reads_the_saved_policy(client, store):
    silent = ship(OrderFactory(customer=CustomerFactory(store=store)), hours_ago=30)  # no first scan after 24 h
    text = "{name}您好，{store}已为您跟进{product}的物流，请放心。"
    assert (
        client.post(URL, _post(store, no_first_scan_hours="48", template_no_first_scan_zh_hans=text)).status_code == 302
    )
    assert delays_sweep().found == {}
    assert client.post(URL, _post(store, no_first_scan_hours="12")).status_code == 302
    assert delays_sweep().found == {"no_first_scan": 1}
    notice = ShipmentNotice.objects.get(shipment=silent)
    assert notice.message_body.startswith(f"{silent.order.customer.name}您好，丝韵旗舰店已为您跟进")


def test_a_rule_switched_off_fires_no_more(client, store):
    ship(OrderFactory(customer=CustomerFactory(store=store)), hours_ago=30)
    assert client.post(URL, _post(store, no_first_scan_on=None)).status_code == 302
    assert delays_sweep().found == {} and not ShipmentDelay.objects.exists()


@pytest.mark.parametrize(
    ("field", "text", "reason"),
    [
        ("template_no_update_en", "Hi {customer}, {store} is on it.", "Unknown placeholder {customer}"),
        ("template_no_update_en", "Hi {name}, we are on it.", "must contain {store}"),
        ("template_shipped_zh_hans", "{name}您好，{store}的包裹已发出。", "must contain {tracking_number}"),
        ("template_no_update_zh_hans", "{name}您好，{store}会在{promised}前送到。", "Unknown placeholder {promised}"),
        ("template_exception_en", "Hi {name}, {store} here {", "A brace is not closed"),
        ("template_exception_en", "Hi {name!r}, {store} here.", "Write a placeholder plainly"),
    ],
)
def test_a_bad_template_is_refused_with_its_field_and_reason_and_nothing_is_saved(client, store, field, text, reason):
    response = client.post(URL, _post(store, no_first_scan_on=None, **{field: text}))
    assert response.status_code == 400
    assert f'data-testid="error-{field}"' in response.text and reason in response.text
    assert not LogisticsPolicy.objects.exists() and not AuditLog.objects.exists()


def test_a_notice_that_trades_a_reward_for_a_review_is_refused(client, store):
    text = "{name}您好，{store}的包裹晚到了，给五星好评返现10元。"
    response = client.post(URL, _post(store, template_past_promised_zh_hans=text))
    assert response.status_code == 400 and 'data-testid="error-template_past_promised_zh_hans"' in response.text
    assert not LogisticsPolicy.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"), [("no_update_hours", "0"), ("no_update_hours", "721"), ("no_first_scan_hours", "abc")]
)
def test_a_threshold_out_of_range_is_refused_and_nothing_is_saved(client, store, field, value):
    response = client.post(URL, _post(store, no_first_scan_on=None, **{field: value}))
    assert response.status_code == 400 and f'data-testid="error-{field}"' in response.text
    assert not LogisticsPolicy.objects.exists()


def test_the_aftership_secret_is_write_only_masked_and_audited_without_its_value(client, store):
    secret = "as-webhook-secret-7f3a"
    assert client.post(URL, _post(store, aftership_secret=secret)).status_code == 302
    assert LogisticsPolicy.objects.get(store=store).aftership_secret == secret
    page = client.get(f"{URL}?store=silk").text
    assert secret not in page and "••••••7f3a" in page
    assert secret not in str(AuditLog.objects.get().data)

    # Saving other settings keeps the secret; a short one is refused; removing it is explicit.
    assert client.post(URL, _post(store, no_update_hours="60")).status_code == 302
    assert LogisticsPolicy.objects.get(store=store).aftership_secret == secret
    response = client.post(URL, _post(store, aftership_secret="short"))
    assert response.status_code == 400 and 'data-testid="error-aftership_secret"' in response.text
    assert client.post(URL, _post(store, aftership_secret_remove="on")).status_code == 302
    assert LogisticsPolicy.objects.get(store=store).aftership_secret == ""
    changes = [e.data["after"].get("aftership_secret") for e in AuditLog.objects.order_by("id")]
    assert changes == [True, None, False]


def test_the_shipping_notice_is_switched_on_with_its_own_wording(client, store):
    text = "{name}您好，{store}已为您寄出，运单号{tracking_number}，期待您的好心情。"
    assert client.post(URL, _post(store, shipping_notice="on", template_shipped_zh_hans=text)).status_code == 302
    shipment = ship(OrderFactory(customer=CustomerFactory(store=store)), hours_ago=1)
    notice = ShipmentNotice.objects.get(shipment=shipment, kind="shipped")
    assert shipment.tracking_number in notice.message_body and "期待您的好心情" in notice.message_body


def test_a_managers_other_store_is_404_and_their_own_second_store_opens(client, manager):
    StoreFactory(code="not-mine")
    second = StoreFactory(code="jade")
    manager.stores.add(second, through_defaults={"role": StoreRole.MANAGER})
    assert client.get(f"{URL}?store=not-mine").status_code == 404
    assert client.post(URL, {**_post(second), "store": "not-mine"}).status_code == 404
    assert not LogisticsPolicy.objects.exists()
    page = client.get(f"{URL}?store=jade").text
    assert 'value="jade"' in page and "?store=silk" in page  # the store tabs


def test_an_agent_may_neither_open_nor_post_the_settings(store):
    agent = AgentFactory(stores=[store])
    client = Client()
    client.force_login(agent.user)
    assert client.get(f"{URL}?store=silk").status_code == 403
    assert client.post(URL, _post(store, no_first_scan_on=None)).status_code == 403
    assert not LogisticsPolicy.objects.exists()
    assert 'data-testid="logistics-settings-link"' not in client.get("/logistics/").text


def test_a_manager_finds_the_page_from_the_board_and_the_policy_page(client):
    assert 'data-testid="logistics-settings-link"' in client.get("/logistics/").text
    assert 'href="/logistics/settings/?store=silk"' in client.get("/manager/policy/?store=silk").text


def test_the_service_names_the_field_and_saves_nothing(store, manager):
    with pytest.raises(LogisticsPolicyInvalid) as refused:
        logistics_policy_update(store=store, actor=manager.user, changes={"rules_off": ["no_such_rule"]})
    assert refused.value.field == "rules_off"
    with pytest.raises(LogisticsPolicyInvalid) as refused:
        logistics_policy_update(store=store, actor=manager.user, changes={"templates": {"shipped": {"fr": "x"}}})
    assert refused.value.field == "templates.shipped.fr"
    with pytest.raises(ReviewIncentiveForbidden) as refused:
        logistics_policy_update(
            store=store,
            actor=manager.user,
            changes={"no_update_hours": 30, "templates": {"exception": {"en": "{store}: 5 stars get a coupon."}}},
        )
    assert refused.value.field == "templates.exception.en"
    assert not LogisticsPolicy.objects.exists() and not AuditLog.objects.exists()


def test_a_default_or_empty_text_removes_the_stores_own_wording(store, manager):
    own = "Hi {name}, {store} is following your parcel."
    logistics_policy_update(store=store, actor=manager.user, changes={"templates": {"no_update": {"en": own}}})
    assert logistics_policy_for_store(store=store).template("no_update", "en") == own
    logistics_policy_update(store=store, actor=manager.user, changes={"templates": {"no_update": {"en": ""}}})
    policy = LogisticsPolicy.objects.get(store=store)
    assert policy.templates == {} and policy.template("no_update", "en") == DEFAULT_TEMPLATES["no_update"]["en"]


def test_a_nul_character_in_the_store_is_a_404_not_a_500(client, store):
    assert client.get("/logistics/settings/", {"store": "a\x00b"}).status_code == 404
    assert client.post("/logistics/settings/", {"store": "a\x00b"}).status_code == 404


def test_settings_refused_with_a_conflict_answer_409_with_the_reason_on_the_form(client, store, monkeypatch):
    # The form answered every refusal of its service with 400, whatever the refusal's own status.
    from crm.errors import Conflict
    from logistics import views

    def changed(**_kwargs):
        raise Conflict("Someone else changed this meanwhile.", field="shipping_notice")

    monkeypatch.setattr(views, "logistics_policy_update", changed)
    response = client.post(URL, _post(store))

    assert response.status_code == 409
    assert "Someone else changed this meanwhile." in response.text
