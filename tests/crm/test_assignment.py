import pytest

from crm.models import Case, CasePolicy
from crm.services.assignment import case_pick_assignee
from crm.services.cases import case_open
from tests.factories import AgentFactory, CustomerFactory, StoreFactory

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
    b.on_shift = False
    b.save()
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
    assert case_pick_assignee(store=store) is None
    assert _open(store).assignee is None
