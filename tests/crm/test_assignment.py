import pytest

from crm.models import Case, CasePolicy
from crm.services.assignment import case_pick_assignees
from crm.services.cases import CaseRequest, case_open, cases_open
from tests.factories import AgentFactory, CustomerFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db


def _open(store) -> Case:
    case, _ = case_open(store=store, customer=CustomerFactory(store=store), source=Case.Source.MANUAL)
    return case


def test_round_robin_hands_cases_to_on_shift_agents_in_turn_and_skips_those_off_shift():
    store = StoreFactory()
    CasePolicy.objects.create(store=store, assignment=CasePolicy.Assignment.ROUND_ROBIN)
    first, second = AgentFactory(stores=[store]), AgentFactory(stores=[store])
    AgentFactory(stores=[store], on_shift=False)
    AgentFactory(stores=[StoreFactory()])  # serves another store
    assert [_open(store).assignee for _ in range(5)] == [first, second, first, second, first]


def test_round_robin_continues_after_the_last_agent_even_when_that_agent_went_off_shift():
    store = StoreFactory()
    CasePolicy.objects.create(store=store, assignment=CasePolicy.Assignment.ROUND_ROBIN)
    a, b, c = (AgentFactory(stores=[store]) for _ in range(3))
    assert _open(store).assignee == a
    assert _open(store).assignee == b
    b.memberships.update(on_shift=False)
    assert [_open(store).assignee for _ in range(3)] == [c, a, c]


def test_least_loaded_gives_the_case_to_the_on_shift_agent_with_fewest_open_cases():
    store = StoreFactory()
    busy, idle = AgentFactory(stores=[store]), AgentFactory(stores=[store])
    AgentFactory(stores=[store], on_shift=False)  # fewest cases of all, but off shift
    for _ in range(2):
        case_open(store=store, customer=CustomerFactory(store=store), source=Case.Source.MANUAL, assignee=busy)
    assert _open(store).assignee == idle
    assert _open(store).assignee == idle
    assert _open(store).assignee in (busy, idle)


def test_nobody_on_shift_leaves_the_case_unassigned_for_the_manager():
    store = StoreFactory()
    AgentFactory(stores=[store], on_shift=False)
    assert case_pick_assignees(store=store, count=2) == [None, None]
    assert _open(store).assignee is None


def _opened(store, *, batch: bool) -> list[tuple[int, bool, int | None, str, list[str]]]:
    """Open cases for one script of requests (repeats and an already open case among them) in one call or one
    at a time; (which case, created, assignee's rank, cause, timeline kinds) per request."""
    agents = [AgentFactory(stores=[store]) for _ in range(3)]
    customers = [CustomerFactory(store=store) for _ in range(4)]
    orders = [OrderFactory(store=store, customer=c) for c in customers]
    case_open(store=store, customer=customers[1], order=orders[1], source=Case.Source.MANUAL, assignee=agents[0])
    script = [(0, ""), (1, "logistics"), (0, "size"), (2, ""), (2, "service_attitude"), (3, "")]
    requests = [
        CaseRequest(customer=customers[i], order=orders[i], source=Case.Source.REVIEW, cause=cause, summary=f"#{n}")
        for n, (i, cause) in enumerate(script)
    ]
    if batch:
        results = cases_open(store=store, requests=requests)
    else:
        results = [case_open(store=store, **vars(request)) for request in requests]
    ids = sorted({case.pk for case, _ in results})
    return [
        (
            ids.index(case.pk),
            created,
            agents.index(case.assignee) if case.assignee else None,
            Case.objects.get(pk=case.pk).cause,
            list(case.events.order_by("id").values_list("kind", flat=True)),
        )
        for case, created in results
    ]


@pytest.mark.parametrize("assignment", [CasePolicy.Assignment.LEAST_LOADED, CasePolicy.Assignment.ROUND_ROBIN])
def test_opening_many_cases_in_one_call_gives_what_opening_them_one_at_a_time_does(assignment):
    one_by_one, at_once = StoreFactory(), StoreFactory()
    for store in (one_by_one, at_once):
        CasePolicy.objects.create(store=store, assignment=assignment)
    expected = _opened(one_by_one, batch=False)
    assert _opened(at_once, batch=True) == expected
    # The repeats joined the first request's case and the already open one; a join fills an empty cause.
    assert [(case, created) for case, created, *_ in expected] == [
        (1, True),
        (0, False),
        (1, False),
        (2, True),
        (2, False),
        (3, True),
    ]
    assert expected[0][3] == "size" and expected[3][3] == "service_attitude"
    assert expected[0][4] == ["opened", "note"] and expected[1][4] == ["opened", "note"]
