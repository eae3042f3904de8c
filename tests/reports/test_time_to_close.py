"""The agents' "hours to close" is the team's time: opening to close, without the time the case waited on the
customer (ADR 0034). Times are Shanghai's, service hours 09:00-21:00 (the defaults)."""

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from crm.models import Case, CaseEvent, CasePolicy
from crm.services.cases import case_add_event, case_close, case_open, case_reopen
from crm.services.waiting import case_resume, case_wait, cases_resume_waits_due
from reports.metrics import SECTIONS, Period
from reports.rollups import rollups_refresh
from tests.factories import AgentFactory, CustomerFactory, StoreFactory

pytestmark = pytest.mark.django_db

MON_10 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
MON_11 = MON_10 + timedelta(hours=1)
WED_11 = MON_11 + timedelta(days=2)


@pytest.fixture
def store():
    return StoreFactory(timezone="Asia/Shanghai")


def _case(store, agent) -> Case:
    with time_machine.travel(MON_10, tick=False):
        case, _ = case_open(store=store, customer=CustomerFactory(store=store), source=Case.Source.CALL, assignee=agent)
    with time_machine.travel(MON_11, tick=False):
        return case_wait(case=case, actor=agent.user, asked="请拍一张外盒破损的照片")


def _close(case, agent, at) -> None:
    with time_machine.travel(at, tick=False):
        case_close(case=case, root_cause="supplier_defect", actor=agent.user)


def _hours_to_close(store, agent) -> float:
    rollups_refresh(store=store)
    table = SECTIONS["agents"](Period(store=store, start=date(2026, 11, 1), end=date(2026, 11, 30)))
    (row,) = [row for row in table.rows if row["agent"] == str(agent)]
    return row["resolution_hours"]


def resumed_and_closed() -> tuple[Case, float]:
    """A case opened Mon 10:00, waiting from 11:00 to Wed 11:00, closed Wed 13:00; and its agent's hours to close."""
    store = StoreFactory(timezone="Asia/Shanghai")
    agent = AgentFactory(stores=[store])
    case = _case(store, agent)
    with time_machine.travel(WED_11, tick=False):
        case_resume(case=case, actor=agent.user, note="顾客发来了照片")
    _close(case, agent, WED_11 + timedelta(hours=2))
    case.refresh_from_db()
    return case, _hours_to_close(store, agent)


def test_hours_to_close_leave_out_the_time_the_case_waited_on_the_customer():
    case, hours = resumed_and_closed()
    # 51 hours from opening to close, 48 of them (wall clock, nights too) waiting on the customer.
    assert case.customer_waited == timedelta(hours=48)
    assert hours == 3.0


CHILD = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tests.reports.test_time_to_close import reopened_and_closed_again, resumed_and_closed
print([resumed_and_closed()[1], reopened_and_closed_again()[1]])
"""


@pytest.mark.slow
def test_sqlite_counts_the_same_hours_to_close(tmp_path):
    """The embedded default (SQLite) sums the durations its own way, a reopened case's time closed too; the report says
    the same."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'parity.sqlite3'}", "VAR_DIR": str(tmp_path)}
    child = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True, text=True
    )
    assert child.returncode == 0, child.stderr[-3000:]
    hours = [resumed_and_closed()[1], reopened_and_closed_again()[1]]
    assert json.loads(child.stdout.strip().splitlines()[-1]) == hours == [3.0, 4.0]


def test_a_case_closed_while_it_waits_counts_its_wait_up_to_the_close(store):
    agent = AgentFactory(stores=[store])
    case = _case(store, agent)
    _close(case, agent, MON_11 + timedelta(hours=5))  # the customer never answered
    case.refresh_from_db()
    assert case.customer_waited == timedelta(hours=5)
    assert _hours_to_close(store, agent) == 1.0


def test_a_wait_counts_up_to_the_stores_longest_wait_and_every_wait_of_a_reopened_case_counts(store):
    CasePolicy.objects.create(store=store, max_wait_days=2)
    agent = AgentFactory(stores=[store])
    case = _case(store, agent)
    # The sweep ran three hours late: after the longest wait (Wed 11:00) the team's clock ran again.
    cases_resume_waits_due(now=WED_11 + timedelta(hours=3))
    _close(case, agent, WED_11 + timedelta(hours=4))
    case.refresh_from_db()
    assert case.customer_waited == timedelta(hours=48)
    with time_machine.travel(WED_11 + timedelta(hours=5), tick=False):
        case = case_reopen(case=case, reason="顾客又来电", actor=agent.user)
    with time_machine.travel(WED_11 + timedelta(hours=6), tick=False):
        case_add_event(case=case, kind=CaseEvent.Kind.CALL, actor=agent.user)  # answered again: it may wait
        case_wait(case=case, actor=agent.user, asked="请提供新的收货地址")
    _close(case, agent, WED_11 + timedelta(hours=10))
    case.refresh_from_db()
    # Opened Mon 10:00, closed Wed 21:00 (59 h): closed from 15:00 to 16:00, 48 h and 4 h waited on the customer.
    assert case.customer_waited == timedelta(hours=52)
    assert _hours_to_close(store, agent) == 6.0


def reopened_and_closed_again() -> tuple[Case, float]:
    """A case opened Mon 10:00, closed 13:00, reopened Wed 11:00, closed 12:00; and its agent's hours to close."""
    store = StoreFactory(timezone="Asia/Shanghai")
    agent = AgentFactory(stores=[store])
    with time_machine.travel(MON_10, tick=False):
        case, _ = case_open(store=store, customer=CustomerFactory(store=store), source=Case.Source.CALL, assignee=agent)
    _close(case, agent, MON_10 + timedelta(hours=3))
    with time_machine.travel(WED_11, tick=False):
        case = case_reopen(case=case, reason="顾客又来电", actor=agent.user)
    _close(case, agent, WED_11 + timedelta(hours=1))
    case.refresh_from_db()
    return case, _hours_to_close(store, agent)


def test_a_reopened_case_counts_only_the_time_it_was_open_not_the_days_it_sat_closed():
    """The team had it 3 h, then 1 h once the customer came back: from the first opening to the last close is 50 h,
    46 of them closed, nobody's work."""
    case, hours = reopened_and_closed_again()
    assert case.closed_at - case.opened_at == timedelta(hours=50)
    assert hours == 4.0
