"""The policy page's days off and closures (ADR 0035): a manager records them for their own stores only, bad dates are
a form error next to the field with nothing written, each change is audited and counts open deadlines again."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from crm.models import AuditLog, Case, CasePolicy, StoreClosure
from crm.services.cases import case_open
from tests.factories import AgentFactory, CustomerFactory, ManagerFactory, StoreFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = datetime(2027, 1, 20, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def store():
    return StoreFactory(name="Store A", timezone="Asia/Shanghai")


@pytest.fixture
def manager(store, client):
    manager = ManagerFactory(stores=[store])
    client.force_login(manager.user)
    return manager


def _closure(store, **overrides) -> dict:
    return {"store": store.code, "name": "春节", "first_day": "2027-02-05", "last_day": "2027-02-11", **overrides}


def test_a_manager_records_the_spring_festival_and_open_deadlines_move_past_it(client, store, manager):
    with time_machine.travel(datetime(2027, 2, 4, 19, 0, tzinfo=SHANGHAI), tick=False):
        case, _ = case_open(store=store, customer=CustomerFactory(store=store), source=Case.Source.REVIEW)
    assert case.first_response_due == datetime(2027, 2, 5, 11, 0, tzinfo=SHANGHAI)

    response = client.post("/manager/policy/closure/", _closure(store))
    assert response.status_code == 302 and response["Location"].endswith(f"?store={store.code}#closures")
    case.refresh_from_db()
    assert case.first_response_due == datetime(2027, 2, 12, 11, 0, tzinfo=SHANGHAI)
    assert AuditLog.objects.get(action="store_closure_added", store=store).actor == manager.user

    page = client.get(f"/manager/policy/?store={store.code}").text
    assert 'data-testid="policy-closures"' in page and "春节" in page and "2027-02-05" in page
    client.cookies["django_language"] = "zh-hans"
    audit = client.get(f"/manager/audit/?store={store.code}").text
    assert "休息日" in audit and "第一天" in audit and "2027-02-11" in audit


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"first_day": "2027-02-11", "last_day": "2027-02-05"}, "A closure ends on or after its first day."),
        ({"first_day": "2027-02-10", "last_day": "2027-02-12"}, "It overlaps 春节 (2027-02-05 to 2027-02-11)"),
        ({"first_day": "2027-01-01", "last_day": "2027-01-03"}, "That closure is already over"),
        ({"first_day": "2027-02-30"}, "Enter a valid date."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_bad_dates_are_a_form_error_and_nothing_is_written(client, store, manager, overrides, message):
    StoreClosure.objects.create(store=store, name="春节", first_day=date(2027, 2, 5), last_day=date(2027, 2, 11))
    response = client.post("/manager/policy/closure/", _closure(store, **{"name": "元宵节", **overrides}))
    assert response.status_code == 400 and message in response.text
    assert 'role="alert"' in response.text
    assert StoreClosure.objects.count() == 1 and not AuditLog.objects.exists()


def test_days_off_are_ticked_on_the_case_policy_form(client, store, manager):
    data = {"store": store.code, "assignment": "least_loaded", "service_start": "09:00", "service_end": "21:00"}
    response = client.post("/manager/policy/case/", {**data, "max_wait_days": "3", "days_off": ["6", "5"]})
    assert response.status_code == 302
    assert CasePolicy.objects.get(store=store).days_off == [5, 6]
    page = client.get(f"/manager/policy/?store={store.code}").text
    assert 'name="days_off" value="6" id="id_days_off_6" checked' in page

    every_day = client.post("/manager/policy/case/", {**data, "max_wait_days": "3", "days_off": list("0123456")})
    assert every_day.status_code == 400 and "Keep the store open at least one day a week" in every_day.text
    assert CasePolicy.objects.get(store=store).days_off == [5, 6]


def test_a_manager_removes_a_closure_of_their_store_and_never_another_stores(client, store, manager):
    other = StoreFactory(timezone="Asia/Shanghai")
    theirs = StoreClosure.objects.create(
        store=other, name="国庆", first_day=date(2027, 10, 1), last_day=date(2027, 10, 7)
    )
    ours = StoreClosure.objects.create(store=store, name="春节", first_day=date(2027, 2, 5), last_day=date(2027, 2, 11))

    # Another store's closure, named under the manager's own store or under its own: not found, nothing removed.
    for named in (store, other):
        response = client.post(f"/manager/policy/closures/{theirs.pk}/remove/", {"store": named.code})
        assert response.status_code == 404
    assert client.get(f"/manager/policy/?store={other.code}").status_code == 404
    assert client.post("/manager/policy/closure/", _closure(other)).status_code == 404
    assert StoreClosure.objects.filter(store=other).count() == 1

    response = client.post(f"/manager/policy/closures/{ours.pk}/remove/", {"store": store.code})
    assert response.status_code == 302 and not StoreClosure.objects.filter(store=store).exists()
    assert AuditLog.objects.get(action="store_closure_removed").data["name"] == "春节"


def test_an_agent_of_the_store_cannot_record_closures(client, store):
    client.force_login(AgentFactory(stores=[store]).user)
    assert client.post("/manager/policy/closure/", _closure(store)).status_code == 403
    assert not StoreClosure.objects.exists()


def test_the_policy_page_speaks_chinese_about_closures(client, store, manager):
    client.cookies["django_language"] = "zh-hans"
    page = client.get(f"/manager/policy/?store={store.code}").text
    assert "每周休息" in page and "休息日" in page and "春节" in page


def test_a_closure_ended_under_way_is_listed_as_ended_early_with_when_and_by_whom(client, store, manager):
    festival = StoreClosure.objects.create(
        store=store, name="春节", first_day=date(2027, 1, 18), last_day=date(2027, 1, 24)
    )  # under way since Monday
    coming = StoreClosure.objects.create(
        store=store, name="元宵", first_day=date(2027, 2, 20), last_day=date(2027, 2, 20)
    )
    page = client.get(f"/manager/policy/?store={store.code}").text
    assert "End now (open again)" in page and "Remove" in page

    response = client.post(f"/manager/policy/closures/{festival.pk}/remove/", {"store": store.code})
    assert response.status_code == 302
    festival.refresh_from_db()
    assert festival.ended_at == TODAY and festival.ended_by == manager.user

    client.cookies["django_language"] = "zh-hans"
    row = client.get(f"/manager/policy/?store={store.code}").text.split(f'data-testid="closure-{festival.pk}"')[1]
    row = row.split("</tr>")[0]
    assert "提前结束" in row and "2027-01-20 10:00" in row and manager.user.username in row
    assert "<button" not in row  # it cannot be ended twice
    # Ended again (a second click, another tab): refused, nothing changes.
    response = client.post(f"/manager/policy/closures/{festival.pk}/remove/", {"store": store.code}, follow=True)
    assert "这段休息已于 2027-01-20 10:00 提前结束，记录保留。" in response.text
    assert AuditLog.objects.filter(action="store_closure_ended").count() == 1
    audit = client.get(f"/manager/audit/?store={store.code}").text
    assert "休息提前结束" in audit and "2027-01-20 10:00" in audit

    # One still to come is deleted, as before.
    client.post(f"/manager/policy/closures/{coming.pk}/remove/", {"store": store.code})
    assert list(StoreClosure.objects.values_list("name", flat=True)) == ["春节"]
