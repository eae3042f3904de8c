import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from crm.models import AuditLog, Case, CaseEvent, Remedy
from crm.services.cases import case_close, case_open, remedy_approve, remedy_propose
from crm.services.casework import remedy_withdraw
from crm.services.sla import cases_escalate_breached
from crm.timezones import to_store_local
from reports.metrics import SECTIONS, Period
from tests.factories import AgentFactory, CustomerFactory, ManagerFactory, StoreFactory
from tests.reports.factories import CaseFactory, FollowUpFactory, RemedyFactory, ReviewFactory

pytestmark = pytest.mark.django_db

MANAGER_PAGES = ["/manager/escalations/", "/manager/approvals/", "/manager/reports/", "/manager/audit/"]


@pytest.fixture
def store_a():
    return StoreFactory(name="Store A")


@pytest.fixture
def store_b():
    return StoreFactory(name="Store B")


@pytest.fixture
def manager_a(store_a):
    return ManagerFactory(stores=[store_a])


def _awaiting_remedy(store, cost="800"):
    agent = AgentFactory(stores=[store])
    case, _ = case_open(store=store, customer=CustomerFactory(store=store, name=f"客户{store.code}"), source="call")
    return remedy_propose(case=case, agent=agent, kind=Remedy.Kind.PARTIAL_REFUND, cost=Decimal(cost))


@pytest.mark.parametrize("url", MANAGER_PAGES)
def test_an_agent_gets_403_on_every_manager_page_and_a_visitor_the_login(client, store_a, url):
    assert client.get(url).status_code == 302
    client.force_login(AgentFactory(stores=[store_a]).user)
    assert client.get(url).status_code == 403


def test_an_agent_cannot_approve_a_remedy_through_the_page(client, store_a):
    remedy = _awaiting_remedy(store_a)
    client.force_login(AgentFactory(stores=[store_a]).user)
    assert client.post(f"/manager/approvals/{remedy.pk}/approve/").status_code == 403
    remedy.refresh_from_db()
    assert remedy.status == Remedy.Status.AWAITING_APPROVAL


def test_a_manager_approves_in_one_click_and_the_decision_is_audited(client, store_a, manager_a):
    remedy = _awaiting_remedy(store_a)
    client.force_login(manager_a.user)
    assert f"remedy-{remedy.pk}" in client.get("/manager/approvals/").text
    row = client.post(f"/manager/approvals/{remedy.pk}/approve/", headers={"HX-Request": "true"})
    assert row.status_code == 200 and "Approved" in row.text and "<form" not in row.text
    remedy.refresh_from_db()
    assert remedy.status == Remedy.Status.APPROVED and remedy.decided_by == manager_a
    entry = AuditLog.objects.get(action="remedy_approved")
    assert (entry.actor, entry.store, entry.data["cost"]) == (manager_a.user, store_a, "800.00")
    assert "Nothing waits for your approval" in client.get("/manager/approvals/").text


def test_declining_needs_a_reason_shown_on_the_row(client, store_a, manager_a):
    remedy = _awaiting_remedy(store_a)
    client.force_login(manager_a.user)
    row = client.post(f"/manager/approvals/{remedy.pk}/decline/", {"reason": " "}, headers={"HX-Request": "true"})
    assert "Give the agent a reason for declining." in row.text
    remedy.refresh_from_db()
    assert remedy.status == Remedy.Status.AWAITING_APPROVAL
    client.post(f"/manager/approvals/{remedy.pk}/decline/", {"reason": "超出补偿标准,请改为优惠券"})
    remedy.refresh_from_db()
    assert remedy.status == Remedy.Status.DECLINED and remedy.decision_reason == "超出补偿标准,请改为优惠券"
    assert remedy.case.events.filter(kind=CaseEvent.Kind.REMEDY_DECLINED).exists()


def test_a_decision_on_a_row_another_manager_decided_meanwhile_says_so_on_the_row(client, store_a, manager_a):
    """Two managers had the queue open; the second one's Decline swapped the row to a green "Approved" without a
    word, as if the click had approved it."""
    remedy = _awaiting_remedy(store_a)
    other = ManagerFactory(stores=[store_a], user__first_name="", user__last_name="", user__username="zhou")
    client.force_login(other.user)
    client.post(f"/manager/approvals/{remedy.pk}/approve/", headers={"HX-Request": "true"})
    client.force_login(manager_a.user)

    row = client.post(
        f"/manager/approvals/{remedy.pk}/decline/", {"reason": "超出补偿标准"}, headers={"HX-Request": "true"}
    )

    assert row.status_code == 200 and "<form" not in row.text
    assert "This remedy was already decided: Approved by zhou." in row.text
    remedy.refresh_from_db()
    assert remedy.status == Remedy.Status.APPROVED and remedy.decided_by == other
    assert AuditLog.objects.filter(action__in=["remedy_approved", "remedy_declined"]).count() == 1


@pytest.mark.parametrize("approved_first", [False, True], ids=["waiting", "approved"])
def test_a_decision_on_a_remedy_the_agent_withdrew_meanwhile_says_it_was_withdrawn(
    client, store_a, manager_a, approved_first
):
    """The agent took the remedy back while the manager's queue was open. Approved and then withdrawn, the row said
    "already decided: Withdrawn by <the approving manager>", blaming the manager for the agent's withdrawal."""
    remedy = _awaiting_remedy(store_a)
    if approved_first:
        remedy_approve(remedy=remedy, manager=ManagerFactory(stores=[store_a]))
    remedy_withdraw(remedy=remedy, actor=remedy.proposed_by.user, reason="顾客改为换货")
    client.force_login(manager_a.user)

    row = client.post(f"/manager/approvals/{remedy.pk}/approve/", headers={"HX-Request": "true"})

    assert row.status_code == 200 and "<form" not in row.text
    assert "This remedy was withdrawn: nothing waits for your decision." in row.text
    remedy.refresh_from_db()
    assert remedy.status == Remedy.Status.WITHDRAWN


def test_a_manager_of_store_a_sees_nothing_of_store_b(client, store_a, store_b, manager_a):
    remedy_b = _awaiting_remedy(store_b)
    late_b = CaseFactory(customer__store=store_b, customer__name="乙店顾客", first_response_due=timezone.now())
    cases_escalate_breached()
    client.force_login(manager_a.user)
    for url in MANAGER_PAGES:
        page = client.get(url).text
        assert "Store B" not in page and "乙店顾客" not in page and remedy_b.case.customer.name not in page
    assert client.post(f"/manager/approvals/{remedy_b.pk}/approve/").status_code == 404
    assert client.get(f"/cases/{late_b.pk}/timeline/").status_code == 404
    assert client.get(f"/manager/reports/?store={store_b.code}").status_code == 404
    assert client.get(f"/manager/reports/agents.csv?store={store_b.code}").status_code == 404
    remedy_b.refresh_from_db()
    assert remedy_b.status == Remedy.Status.AWAITING_APPROVAL


def test_escalations_list_late_unassigned_difficult_no_call_complaints_and_overflow(client, store_a, manager_a):
    now = timezone.now()
    late = CaseFactory(customer__store=store_a, customer__name="迟到", first_response_due=now - timedelta(minutes=5))
    soon = CaseFactory(customer__store=store_a, customer__name="将到", resolution_due=now + timedelta(minutes=20))
    CaseFactory(customer__store=store_a, customer__name="宽裕", resolution_due=now + timedelta(hours=5))
    CaseFactory(customer__store=store_a, customer__name="难缠", triage_group=Case.TriageGroup.DIFFICULT)
    CaseFactory(customer__store=store_a, customer__name="勿扰", customer__contact_preference="no_calls")
    cases_escalate_breached()
    client.force_login(manager_a.user)
    page = client.get("/manager/escalations/").text
    late_section = page.split('data-testid="late"')[1].split("</section>")[0]
    assert f"#{late.pk}" in late_section and f"#{soon.pk}" in late_section and "宽裕" not in late_section
    assert "late by" in late_section and "min left" in late_section and "Escalated" in late_section
    FollowUpFactory(order__customer__store=store_a, order__customer__name="超额", overflowed=True)
    FollowUpFactory(order__customer__store=store_a, order__customer__name="正常")
    page = client.get("/manager/escalations/").text
    assert "正常" not in page
    expected = {"unassigned": "宽裕", "difficult": "难缠", "no-calls": "勿扰", "over-capacity": "超额"}
    for testid, name in expected.items():
        assert name in page.split(f'data-testid="{testid}"')[1].split("</section>")[0]


def test_difficult_disputes_list_running_cases_by_deadline_then_those_waiting_on_the_customer(
    client, store_a, manager_a
):
    now = timezone.now()
    answered = {"customer__store": store_a, "triage_group": Case.TriageGroup.DIFFICULT, "first_response_at": now}

    def waiting(name, since, due):
        """A case waiting on the customer: its resolution deadline is stale until it resumes (then it moves)."""
        return CaseFactory(
            customer__name=name,
            status=Case.Status.AWAITING_CUSTOMER,
            resolution_due=due,
            waiting_since=since,
            waiting_until=since + timedelta(days=3),
            waiting_for="请拍一张外盒破损的照片",
            **answered,
        )

    recent = waiting("刚开始等", now - timedelta(hours=2), now + timedelta(minutes=30))
    longest = waiting("等了很久", now - timedelta(days=2), now + timedelta(hours=1))
    later = CaseFactory(customer__name="后到期", resolution_due=now + timedelta(hours=8), **answered)
    sooner = CaseFactory(customer__name="先到期", resolution_due=now + timedelta(hours=4), **answered)
    client.force_login(manager_a.user)
    section = client.get("/manager/escalations/").text.split('data-testid="difficult"')[1].split("</section>")[0]

    order = ["先到期", "后到期", "等了很久", "刚开始等"]
    assert [section.index(name) for name in order] == sorted(section.index(name) for name in order)

    def local(moment):
        return to_store_local(moment, store_a).strftime("%m-%d %H:%M")

    row = {case: section.split(f"#{case.pk}<")[1].split("</tr>")[0] for case in (recent, longest, later, sooner)}
    assert local(sooner.resolution_due) in row[sooner] and "left" in row[sooner]
    assert f"Waiting on the customer since {local(longest.waiting_since)}" in row[longest]
    assert f"resumes {local(longest.waiting_until)}" in row[longest]
    # The stale deadline of a waiting case is not shown as if it ran.
    assert local(recent.resolution_due) not in row[recent] and "left" not in row[recent]


def test_the_csv_has_the_rows_the_report_shows_and_the_export_is_audited(client, store_a, manager_a):
    agent = AgentFactory(stores=[store_a], user__first_name="林")
    for rating in (1, 5, 3):
        ReviewFactory(customer__store=store_a, rating=rating, posted_at=timezone.now() - timedelta(days=2))
    case, _ = case_open(store=store_a, customer=CustomerFactory(store=store_a), source="call", assignee=agent)
    case_close(case=case, root_cause="courier")
    client.force_login(manager_a.user)
    assert "have not been calculated yet" in client.get("/manager/reports/").text
    recalculated = client.post("/manager/reports/recalculate/", {"store": store_a.code})
    assert recalculated.status_code == 302
    page = client.get(recalculated["Location"])
    assert "Figures as of" in page.text
    form = page.context["form"]
    period: Period = form.period()
    assert period.store == store_a and (period.end - period.start).days == 89
    for key in SECTIONS:
        table = next(t for t in page.context["tables"] if t.key == key)
        response = client.get(f"/manager/reports/{key}.csv?{form.query()}")
        assert response["Content-Type"].startswith("text/csv")
        lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert lines[0] == [str(heading) for _, heading in table.columns]
        assert lines[1:] == [["" if cell is None else str(cell) for cell in row] for row in table.cells()]
    assert "Courier handling or delay" in page.text and "林" in page.text
    # What the agents' hours to close count is said under the table.
    assert "less the time it waited on the customer" in page.text.split('data-testid="note-agents"')[1]
    assert AuditLog.objects.filter(action="report_exported", store=store_a).count() == len(SECTIONS)


def test_the_csv_hands_a_spreadsheet_no_formula_and_numbers_as_numbers(client, store_a, manager_a):
    """An agent's name (or a root cause a manager named) written as a formula reaches the spreadsheet as text; the
    figures stay plain numbers."""
    agent = AgentFactory(stores=[store_a], user__first_name='=HYPERLINK("http://evil.test","x")')
    case, _ = case_open(store=store_a, customer=CustomerFactory(store=store_a), source="call", assignee=agent)
    case_close(case=case, root_cause="courier")
    client.force_login(manager_a.user)
    client.post("/manager/reports/recalculate/", {"store": store_a.code})
    response = client.get(f"/manager/reports/agents.csv?store={store_a.code}")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    row = next(row for row in rows if "evil.test" in row[0])
    assert row[0] == '\'=HYPERLINK("http://evil.test","x")'
    assert row[1:] and all(cell == "" or cell.replace(".", "").isdigit() for cell in row[1:])


@pytest.mark.parametrize("code", ["other", "no-such-store"])
def test_the_report_and_its_csv_of_a_store_the_manager_does_not_run_are_a_404(client, store_a, manager_a, code):
    """A CSV link passed on, or a code typed, naming another store (or none) answered a 400 "Select a valid choice"
    (and the page a form error), where every other page that takes a store answers that it is not found."""
    other = StoreFactory(code="other", name="Store B")
    ManagerFactory(stores=[other])
    client.force_login(manager_a.user)

    assert client.get("/manager/reports/", {"store": code}).status_code == 404
    for key in SECTIONS:
        assert client.get(f"/manager/reports/{key}.csv", {"store": code}).status_code == 404
    assert client.post("/manager/reports/recalculate/", {"store": code}).status_code == 404
    assert not AuditLog.objects.filter(action="report_exported").exists()
    assert client.get(f"/manager/reports/agents.csv?store={store_a.code}").status_code == 200
    assert client.get("/manager/reports/agents.csv").status_code == 200  # the manager's first store


def test_a_report_range_that_ends_before_it_starts_is_a_clear_error(client, store_a, manager_a):
    client.force_login(manager_a.user)
    page = client.get(f"/manager/reports/?store={store_a.code}&start=2026-11-20&end=2026-11-01")
    assert page.status_code == 200 and "The end date is before the start date." in page.text
    assert client.get("/manager/reports/agents.csv?start=2026-11-20&end=2026-11-01").status_code == 400


@pytest.mark.parametrize(("start", "end"), [("9999-12-30", "9999-12-31"), ("0001-01-01", "0001-01-02")])
def test_a_report_range_at_the_ends_of_the_calendar_is_a_clear_error(client, store_a, manager_a, start, end):
    client.force_login(manager_a.user)
    query = {"store": store_a.code, "start": start, "end": end}
    page = client.get("/manager/reports/", query)
    assert page.status_code == 200 and "Choose dates between 2000-01-01 and 2099-12-31." in page.text
    assert client.get("/manager/reports/agents.csv", query).status_code == 400
    assert client.post("/manager/reports/recalculate/", query).status_code == 400


def _export_and_recalculate(client, query):
    return client.get("/manager/reports/agents.csv", query), client.post("/manager/reports/recalculate/", query)


def test_a_refused_report_filter_is_an_error_page_with_its_text_escaped(client, store_a, manager_a, monkeypatch):
    # The CSV link's and the recalculate button's 400 sent the form's errors as bare text/html, unescaped: a page
    # without the site around it, and markup in an error's text (an input repeated back, a label) would be run.
    from reports.views import report as report_views

    client.force_login(manager_a.user)
    query = {"store": store_a.code, "start": "<script>alert(1)</script>", "end": "2026-11-01"}
    for answer in _export_and_recalculate(client, query):
        assert answer.status_code == 400 and answer["Content-Type"] == "text/html; charset=utf-8"
        assert "Enter a valid date." in answer.text and "<script>alert" not in answer.text
        assert 'href="/"' in answer.text  # the error page, with its way back
    monkeypatch.setattr(report_views, "form_errors_text", lambda form: "<script>alert(1)</script>")
    for answer in _export_and_recalculate(client, query):
        assert answer.status_code == 400
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in answer.text and "<script>alert" not in answer.text


def test_the_audit_log_lists_the_store_entries_with_who_and_what(client, store_a, store_b, manager_a):
    remedy = _awaiting_remedy(store_a)
    client.force_login(manager_a.user)
    client.post(f"/manager/approvals/{remedy.pk}/approve/")
    AuditLog.objects.create(store=store_b, action="phone_revealed", target="乙店顾客", at=timezone.now())
    page = client.get("/manager/audit/").text
    assert "remedy_approved" in page and manager_a.user.username in page
    assert "phone_revealed" not in page


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/manager/escalations/?store=a%00b"),
        ("get", "/manager/audit/?store=a%00b"),
        ("get", "/manager/audit/?action=a%00b"),
        ("get", "/manager/policy/?store=a%00b"),
        ("get", "/manager/reports/?store=a%00b"),
        ("get", "/manager/reports/agents.csv?store=a%00b"),
        ("post", "/manager/reports/recalculate/?store=a%00b"),
        ("post", "/manager/policy/remedy_limit/?store=a%00b"),
    ],
)
def test_a_nul_character_in_a_filter_is_an_unknown_value_not_a_500(client, store_a, manager_a, method, url):
    # PostgreSQL refuses NUL in text: a filter carrying one matches nothing, like any other unknown value.
    client.force_login(manager_a.user)
    response = getattr(client, method)(url, {"store": "a\x00b"} if method == "post" else None)
    assert response.status_code in (200, 302, 400, 404)


def test_the_audit_log_says_what_each_entry_did_and_to_what_in_the_readers_language(client, store_a, manager_a):
    """Codes on the audit page ("pareto", "case #12", "letter template saved", a gate's "outside_call_window") were
    shown as stored, in English, to a Chinese-reading manager."""
    remedy = _awaiting_remedy(store_a)
    client.force_login(manager_a.user)
    client.cookies["django_language"] = "zh-hans"
    client.post(f"/manager/approvals/{remedy.pk}/approve/")
    client.get("/manager/reports/pareto.csv", {"store": store_a.code})
    # As the letters app, the lockout and the contact gate write them.
    for action, target, data in [
        ("letter_template_saved", "春节感谢信", {}),
        ("login_locked_out", f"user:{manager_a.user.pk}", {}),
        ("contact.override", "followup:41", {"reason": "outside_call_window", "channel": "call"}),
    ]:
        AuditLog.objects.create(store=store_a, action=action, target=target, data=data, at=timezone.now())
    rows = client.get("/manager/audit/").text.split('data-testid="audit"')[1]
    for english in ("pareto", "case #", "letter template saved", "login locked out", "followup:", "outside_call"):
        assert english not in rows
    assert f"工单 #{remedy.case_id}" in rows and "根本原因（帕累托）" in rows
    assert "感谢信模板已保存" in rows and "春节感谢信" in rows
    assert "回访 #41" in rows and "不在店铺可致电时段内" in rows


def test_approvals_list_the_oldest_remedies_waiting_and_say_more_wait(client, store_a, manager_a):
    from reports.selectors import BOARD_LIMIT

    agent = AgentFactory(stores=[store_a])
    oldest = RemedyFactory.create_batch(
        BOARD_LIMIT + 1, case__customer__store=store_a, status=Remedy.Status.AWAITING_APPROVAL, proposed_by=agent
    )
    client.force_login(manager_a.user)
    page = client.get("/manager/approvals/").text
    assert page.count('data-testid="remedy-') == BOARD_LIMIT
    assert f'data-testid="remedy-{oldest[0].pk}"' in page and f'data-testid="remedy-{oldest[-1].pk}"' not in page
    assert 'data-testid="more-approvals"' in page


def _missed_call(store, name, *, ended, **kwargs):
    """A call follow-up of `store` nobody made, its window ended at `ended`, closed by callbacks' sweep."""
    from callbacks.services.missed import GRACE, followups_close_missed
    from tests.factories import FollowUpFactory as CallFactory

    followup = CallFactory(
        order__customer__store=store,
        order__customer__name=name,
        window_start=ended - timedelta(hours=1),
        window_end=ended,
        **kwargs,
    )
    with time_machine.travel(ended + GRACE + timedelta(minutes=1), tick=False):
        followups_close_missed()
    return followup


def test_escalations_list_the_calls_missed_in_the_last_7_days_in_the_stores_time(client, store_a, store_b, manager_a):
    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    agent = AgentFactory(stores=[store_a], user__username="wang")
    recent = _missed_call(
        store_a, "漏打", ended=datetime(2026, 12, 5, 11, 0, tzinfo=UTC), assignee=agent, order__external_id="A-20261205"
    )
    _missed_call(store_a, "上周", ended=now - timedelta(days=8))
    _missed_call(store_b, "乙店漏打", ended=datetime(2026, 12, 5, 11, 0, tzinfo=UTC))
    client.force_login(manager_a.user)

    with time_machine.travel(now, tick=False):
        page = client.get("/manager/escalations/").text
        chinese = client.get("/manager/escalations/", headers={"accept-language": "zh-CN,zh;q=0.9"}).text

    section = page.split('data-testid="missed-calls"')[1].split("</section>")[0]
    assert section.count('data-testid="missed-call"') == 1
    assert "漏打" in section and recent.order.external_id in section and "wang" in section
    assert "12-05 18:00–19:00" in section and "Asia/Shanghai" in section  # the window in the store's time
    assert "上周" not in section and "乙店漏打" not in page  # older than 7 days; another store's
    assert "Nothing is late and nothing waits for you." not in page
    assert "时段内无人拨打的电话（近 7 天）" in chinese
    client.force_login(ManagerFactory(stores=[store_b]).user)
    with time_machine.travel(now, tick=False):
        other = client.get("/manager/escalations/").text
    assert "乙店漏打" in other and recent.order.external_id not in other


def test_escalations_list_the_calls_made_whose_outcome_nobody_logged(client, store_a, manager_a):
    # Such a call stayed `in_progress` for ever and no manager saw it: the customer may have been unhappy on the phone.
    from callbacks.models import Call
    from callbacks.services.missed import OUTCOME_WAIT, followups_close_missed
    from tests.factories import FollowUpFactory as CallFactory

    ended = datetime(2026, 12, 5, 11, 0, tzinfo=UTC)
    agent = AgentFactory(stores=[store_a], user__username="wang")
    left = CallFactory(
        order__customer__store=store_a,
        order__customer__name="未记录",
        assignee=agent,
        status="in_progress",
        window_start=ended - timedelta(hours=1),
        window_end=ended,
    )
    Call.objects.create(
        followup=left, agent=agent, provider_id="CA1", status="completed", started_at=ended - timedelta(minutes=20),
        ended_at=ended - timedelta(minutes=15),
    )  # fmt: skip
    with time_machine.travel(ended + OUTCOME_WAIT, tick=False):
        assert followups_close_missed().not_logged == 1
    client.force_login(manager_a.user)

    with time_machine.travel(ended + timedelta(days=1), tick=False):
        page = client.get("/manager/escalations/").text
        chinese = client.get("/manager/escalations/", headers={"accept-language": "zh-CN,zh;q=0.9"}).text

    section = page.split('data-testid="unlogged-calls"')[1].split("</section>")[0]
    assert section.count('data-testid="unlogged-call"') == 1
    assert "未记录" in section and "wang" in section and f"/calls/{left.pk}/" in section
    assert "未记录" not in page.split('data-testid="missed-calls"')[1].split("</section>")[0]
    assert "已拨打但未记录结果的电话（近 7 天）" in chinese


def test_escalations_show_at_most_100_missed_calls_and_say_more_were_missed(client, store_a, manager_a):
    from callbacks.services.missed import GRACE, followups_close_missed
    from reports.selectors import BOARD_LIMIT
    from tests.factories import FollowUpFactory as CallFactory

    ended = datetime(2026, 12, 5, 11, 0, tzinfo=UTC)
    CallFactory.create_batch(
        BOARD_LIMIT + 1,
        order__customer__store=store_a,
        window_start=ended - timedelta(hours=1),
        window_end=ended,
    )
    with time_machine.travel(ended + GRACE + timedelta(minutes=1), tick=False):
        assert followups_close_missed().missed == BOARD_LIMIT + 1
    client.force_login(manager_a.user)
    with time_machine.travel(ended + timedelta(days=1), tick=False):
        page = client.get("/manager/escalations/").text
    assert page.count('data-testid="missed-call"') == BOARD_LIMIT
    assert 'data-testid="more-missed-calls"' in page


def test_escalations_show_an_overflowed_calls_order_in_its_currency(client, store_a, manager_a):
    FollowUpFactory(
        order__customer__store=store_a, order__total_amount=Decimal("189.00"), order__currency="EUR", overflowed=True
    )
    client.force_login(manager_a.user)
    page = client.get("/manager/escalations/").text
    assert "€189.00" in page.split('data-testid="over-capacity"')[1].split("</section>")[0]


@pytest.mark.parametrize("url", ["/manager/escalations/", "/manager/audit/"])
def test_a_store_the_manager_does_not_serve_is_a_404_not_all_of_their_own(client, store_a, store_b, manager_a, url):
    """`?store=` naming another store (a link passed on, a code typed) showed every store of the manager's under
    "All my stores", as if they were reading that store's page; other pages answer 404 for a store outside yours."""
    client.force_login(manager_a.user)

    assert client.get(url, {"store": store_b.code}).status_code == 404
    assert client.get(url, {"store": "no-such-store"}).status_code == 404
    assert client.get(url, {"store": store_a.code}).status_code == 200
    assert client.get(url, {"store": ""}).status_code == 200  # "All my stores"
    assert client.get(url).status_code == 200


def test_the_audit_log_names_the_weekdays_of_the_days_off_and_the_call_days(client, store_a, manager_a):
    """A store's weekly days off and call days read "[5, 6]" and "5; 6" on the audit page: weekdays as numbers, Monday
    = 0, which a manager had to count out."""
    from datetime import time

    from callbacks.services.policy import policy_update
    from crm.services.policy import case_policy_update

    case_policy_update(
        store=store_a, actor=manager_a.user, assignment="least_loaded", service_start=time(9), service_end=time(21),
        days_off=[5, 6],
    )  # fmt: skip
    policy_update(store=store_a, actor=manager_a.user, changes={"call_days": [0, 1, 2, 3, 4]})
    client.force_login(manager_a.user)
    client.cookies["django_language"] = "zh-hans"

    rows = client.get("/manager/audit/").text.split('data-testid="audit"')[1]

    assert "周六、周日" in rows and "[5, 6]" not in rows and "5; 6" not in rows
    assert "周一、周二、周三、周四、周五、周六、周日 → 周一、周二、周三、周四、周五" in rows
    assert "[0, 1" not in rows


def test_the_audit_log_says_policy_changes_in_words_not_as_stored(client, store_a, manager_a):
    """A Chinese-reading manager saw policy changes on the audit page as the services stored them: Python's text of
    a setting ("汇率: {} → {'EUR': '7.80'}", tiers as "[{'min_amount': '300.00', 'channel': 'sms'}]"), codes
    ("priority/*: 60/720", "exception, no_update", "(shipped.zh-hans)"), English ("(default)", "changed") and "None"."""
    from decimal import Decimal

    from callbacks.services.policy import policy_update
    from crm.services.policy import SlaTargetIn, sla_targets_replace
    from letters.services import letter_rule_update
    from logistics.services.policy import logistics_policy_update

    actor = manager_a.user
    policy_update(
        store=store_a, actor=actor,
        changes={
            "exchange_rates": {"EUR": "7.80"}, "opt_out_words": ["TD", "退订"],
            "tiers": [{"min_amount": "500.00", "channel": "sms"}, {"min_amount": "1500.00", "channel": "call"}],
        },
    )  # fmt: skip
    logistics_policy_update(
        store=store_a, actor=actor,
        changes={
            "rules_off": ["no_update", "exception"], "aftership_secret": "abcdefgh12345",
            "templates": {"shipped": {"zh-hans": "{name}您好，{store}的包裹已发出，运单号{tracking_number}。"}},
        },
    )  # fmt: skip
    logistics_policy_update(store=store_a, actor=actor, changes={"aftership_secret": "zzzzzzzz12345"})
    sla_targets_replace(
        store=store_a, actor=actor,
        targets=[SlaTargetIn("priority", "", 30, 600), SlaTargetIn("normal", "review", 200, 2000)],
    )  # fmt: skip
    letter_rule_update(store=store_a, actor=actor, changes={"min_amount": Decimal("800"), "signing_agent": None})
    client.force_login(manager_a.user)
    client.cookies["django_language"] = "zh-hans"

    rows = client.get("/manager/audit/").text.split('data-testid="audit"')[1]

    for stored in ("{}", "[", "&#x27;", "min_amount", "sms", "priority", "/*", "no_update", "exception", "shipped",
                   "zh-hans", "(default)", "changed", "None"):  # fmt: skip
        assert stored not in rows, stored
    assert "EUR 7.80" in rows and "TD、退订" in rows
    assert "500.00 起：关怀短信、1500.00 起：电话回访" in rows
    assert "运输途中长时间无更新" in rows and "物流异常" in rows
    assert "发货通知（简体中文）" in rows and "内置文字 → {name}您好" in rows and "已更换" in rows
    assert "优先（任意来源）：首次响应 30 分钟，解决 600 分钟" in rows


def test_the_audit_log_reads_policy_entries_written_before_in_words(client, store_a, manager_a):
    """Entries the services wrote before (the setting's Python text, "None" for no value) read in words too."""
    for action, data in [
        ("followup_policy_changed", {"before": {"exchange_rates": "{}", "tiers": "[]"},
                                     "after": {"exchange_rates": "{'EUR': '7.80'}",
                                               "tiers": "[{'min_amount': '300.00', 'channel': 'dedicated'}]"}}),
        ("letter_rule_changed", {"signing_agent": "None", "min_amount": "None"}),
        ("sla_targets_changed", {"before": [], "after": ["difficult/manual: 120/1440"]}),
    ]:  # fmt: skip
        AuditLog.objects.create(store=store_a, action=action, target=store_a.code, data=data, at=timezone.now())
    client.force_login(manager_a.user)
    client.cookies["django_language"] = "zh-hans"

    rows = client.get("/manager/audit/").text.split('data-testid="audit"')[1]

    assert "{" not in rows and "&#x27;" not in rows and "None" not in rows and "difficult" not in rows
    assert "– → EUR 7.80" in rows and "300.00 起：专属客服" in rows
    assert "署名：–" in rows
    assert "疑难纠纷（手动创建）" in rows
