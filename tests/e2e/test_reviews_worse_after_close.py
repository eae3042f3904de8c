"""A review made worse after its case was closed, in a real browser, in Chinese: a week after the case of a 3-star
review closed, the customer lowers it to 1 star; the store manager finds it on the escalations page, opens the review
and the case from there, reopens the case, and the review leaves the list. Or the home page tells the manager, who
reads it and marks it seen."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from crm.services.cases import case_close
from reviews.models import Review
from reviews.services.cases import reviews_open_cases
from reviews.services.intake import ReviewIn, reviews_ingest
from tests.e2e.conftest import login
from tests.factories import AgentFactory, ManagerFactory, OrderFactory, StoreFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Monday 23 November 2026, 10:00 in Shanghai: the review's case is closed.
CLOSED = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
POSTED = CLOSED - timedelta(days=2)
LOWERED = CLOSED + timedelta(days=7)  # the next Monday, 10:00 in Shanghai


def _push(store, rating: int, *, at: datetime) -> Review:
    """What the store's connector sends: the review TMR-9 as the platform has it at `at`."""
    row = ReviewIn(
        external_id="TMR-9", rating=rating, posted_at=POSTED, updated_at=at, text="颜色和图片不一样", order="TM-1"
    )
    reviews_ingest(store=store, rows=[row])
    return Review.objects.get(store=store, external_id="TMR-9")


def _closed_review(store, customer_name: str) -> Review:
    """A 3-star review whose case was opened, worked and closed."""
    agent = AgentFactory(stores=[store])
    OrderFactory(store=store, customer__store=store, customer__name=customer_name, external_id="TM-1")
    with time_machine.travel(POSTED + timedelta(hours=1), tick=False):
        review = _push(store, 3, at=POSTED)
        reviews_open_cases()  # what the worker's case sweeper does a few seconds later
        review.refresh_from_db()
    with time_machine.travel(CLOSED, tick=False):
        case_close(case=review.case, root_cause="listing", actor=agent.user)
    return review


def test_the_manager_finds_a_review_lowered_after_its_case_closed_and_reopens_the_case(new_page):
    store = StoreFactory(code="silk-tmall", name="丝韵旗舰店", timezone="Asia/Shanghai")
    ManagerFactory(user__username="chen", user__first_name="陈经理", stores=[store])
    review = _closed_review(store, "林女士")
    elsewhere = StoreFactory(code="linen-jd", name="麻织京东店", timezone="Asia/Shanghai")
    _closed_review(elsewhere, "周先生")  # another store's: not this manager's

    with time_machine.travel(LOWERED, tick=True):
        for shop in (store, elsewhere):
            _push(shop, 1, at=LOWERED)  # a week later the customer lowers it to 1 star
        review.refresh_from_db()
        assert not review.case.is_open  # a platform's push never reopens the case (ADR 0032)

        page = new_page(locale="zh-CN")
        login(page, "chen")
        page.get_by_role("link", name="升级事项").click()
        section = page.get_by_test_id("reviews-after-close")
        expect(section).to_contain_text("工单关闭后被改差的评价（近 30 天）")
        row = section.get_by_test_id("review-after-close")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("林女士")
        expect(row).to_contain_text("★3 → ★1")
        expect(row).to_contain_text("11-30 10:00")  # when it was lowered, store time
        expect(row).to_contain_text(f"#{review.case_id} 11-23 关闭")
        expect(section).not_to_contain_text("周先生")

        row.get_by_role("link", name="TMR-9").click()
        page.wait_for_url(f"**/reviews/{review.pk}/")
        expect(page.get_by_test_id("review-text")).to_contain_text("颜色和图片不一样")
        expect(page.locator("ul.timeline")).to_contain_text("★3 → ★1")
        page.go_back()

        page.get_by_test_id("reviews-after-close").get_by_role("link", name=f"#{review.case_id}").click()
        page.wait_for_url(f"**/cases/{review.case_id}/")
        expect(page.get_by_test_id("case-status")).to_have_text("已关闭")
        reopen = page.get_by_test_id("reopen-form")
        reopen.get_by_label("为什么重新打开？").fill("顾客追评降到一星,仍不满意")
        reopen.get_by_role("button", name="重新打开工单").click()
        expect(page.get_by_test_id("case-status")).to_have_text("处理中")

        page.get_by_role("link", name="升级事项").click()
        section = page.get_by_test_id("reviews-after-close")
        expect(section).to_contain_text("没有评价在工单关闭后被改差。")
        expect(section.get_by_test_id("review-after-close")).to_have_count(0)


def test_the_manager_is_told_on_the_home_page_and_marks_the_review_seen(new_page):
    store = StoreFactory(code="silk-tmall", name="丝韵旗舰店", timezone="Asia/Shanghai")
    ManagerFactory(user__username="chen", user__first_name="陈经理", stores=[store])
    review = _closed_review(store, "林女士")

    with time_machine.travel(LOWERED, tick=True):
        _push(store, 1, at=LOWERED)

        page = new_page(locale="zh-CN")
        login(page, "chen")
        page.goto("/")
        line = page.get_by_test_id("waiting-reviews_after_close")
        expect(line).to_contain_text("工单关闭后被改差的评价")
        expect(line.locator("strong")).to_have_text("1")
        line.get_by_role("link").click()
        page.wait_for_url("**/manager/escalations/#reviews-after-close")
        row = page.get_by_test_id("reviews-after-close").get_by_test_id("review-after-close")
        expect(row).to_contain_text("★3 → ★1")
        row.get_by_role("button", name="标为已阅").click()

        section = page.get_by_test_id("reviews-after-close")
        expect(section).to_contain_text("没有评价在工单关闭后被改差。")
        expect(page.get_by_text("已标为已阅：TMR-9。")).to_be_visible()
        review.refresh_from_db()
        assert not review.case.is_open  # seen, not reopened: the case stays as the manager left it
        page.goto("/")
        expect(page.get_by_test_id("waiting-reviews_after_close").locator("strong")).to_have_text("0")
