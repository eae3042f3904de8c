"""Tmall's 30-day reply window on the review page, in a real browser, in Chinese: the agent sees how many days are
left to reply; a page left open past the window's end has its reply refused with the reason; a review posted more
than 30 days ago has no reply form at all, only its reply as it stands and why."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from reviews.models import ReviewReply
from reviews.services.public_reply import reply_edit
from tests.e2e.conftest import login
from tests.factories import AgentFactory, ReviewFactory, StoreFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Monday 23 November 2026, 10:00 in Shanghai.
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
TYPED = "感谢您的反馈,线头问题我们已反馈给工厂,给您换一条新的。"


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def store():
    return StoreFactory(code="silk-tmall", name="丝韵旗舰店", platform="tmall", timezone="Asia/Shanghai")


def test_the_agent_sees_the_days_left_and_a_reply_sent_after_the_window_closed_is_refused(new_page, store):
    AgentFactory(user__username="lin", user__first_name="小林", stores=[store])
    review = ReviewFactory(
        store=store, external_id="TMR-7", rating=2, text="做工一般,线头很多", posted_at=NOW - timedelta(days=27.5)
    )

    page = new_page(locale="zh-CN")
    login(page, "lin")
    page.goto(f"/reviews/{review.pk}/")
    window = page.get_by_test_id("reply-window")
    # Posted 10-26 22:00 Shanghai time: the window closes 30 days later, two and a half days from now.
    expect(window).to_contain_text("天猫 接受回复至 2026-11-25 22:00：还剩 2 天。")
    expect(window).to_have_class("small alert warn")  # the last week stands out
    reply = page.get_by_test_id("reply")
    reply.locator("textarea[name=text]").fill(TYPED)

    # The page stays open over the window's end; then the agent saves.
    with time_machine.travel(NOW + timedelta(days=3), tick=True):
        reply.get_by_role("button", name="保存回复").click()
        expect(page.locator("ul.messages")).to_contain_text(
            "天猫 只接受评价发布后 30 天内的回复；这条评价发布于 2026-10-26，已无法再在其下回复。"
        )
        expect(window).to_contain_text("回复期已于 2026-11-25 22:00 结束")
        expect(reply.get_by_role("button", name="保存回复")).to_have_count(0)
        expect(reply.get_by_test_id("reply-typed")).to_have_text(TYPED)  # what the agent wrote is not lost
    assert not ReviewReply.objects.filter(review=review).exists()


def test_a_review_posted_more_than_30_days_ago_has_no_reply_form_and_says_why(new_page, store):
    AgentFactory(user__username="lin", user__first_name="小林", stores=[store])
    posted = NOW - timedelta(days=31)
    review = ReviewFactory(store=store, external_id="TMR-3", rating=1, text="洗了一次就起球", posted_at=posted)
    with time_machine.travel(posted + timedelta(days=1), tick=False):
        reply_edit(review=review, text="抱歉给您带来不好的体验,我们已联系您处理。", actor=None, posted=True)

    page = new_page(locale="zh-CN")
    login(page, "lin")
    page.goto(f"/reviews/{review.pk}/")
    window = page.get_by_test_id("reply-window")
    expect(window).to_contain_text(
        "天猫 只接受评价发布后 30 天内的回复：回复期已于 2026-11-22 10:00 结束，已无法再在其下回复。"
    )
    reply = page.get_by_test_id("reply")
    expect(reply.get_by_test_id("reply-text")).to_have_text("抱歉给您带来不好的体验,我们已联系您处理。")
    expect(reply.locator("textarea[name=text]")).to_have_count(0)
    expect(reply.get_by_role("button", name="保存回复")).to_have_count(0)
    expect(reply.get_by_test_id("redraft")).to_have_count(0)
