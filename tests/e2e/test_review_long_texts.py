"""Very long reviews and mixed scripts, in a real browser: a 5,000-character review, an address pasted whole, emoji,
Chinese and Latin mixed. The review page and the reply form stay inside the window (nothing to scroll sideways, the
reply box usable), as does its case's page, and the patrol list shows the start of a long review, not all of it in
every row."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from reviews.models import Review
from reviews.services.cases import reviews_open_cases
from reviews.services.intake import ReviewIn, reviews_ingest
from tests.e2e.conftest import login
from tests.factories import AgentFactory, OrderFactory, StoreFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ADDRESS = "https://detail.tmall.com/item.htm?id=" + "7" * 180 + "&spm=a1z10.3-b-s.w4011-" + "x" * 120
LONG = ("质量太差了😡😡线头到处都是,Really disappointed!!!" * 120 + ADDRESS)[:4990]
SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_a_very_long_mixed_review_and_reply_stay_inside_the_page(new_page):
    store = StoreFactory(code="silk-tmall", name="丝韵旗舰店", platform="own", timezone="Asia/Shanghai")
    AgentFactory(user__username="lin", user__first_name="小林", stores=[store])
    order = OrderFactory(store=store, customer__store=store, external_id="TM-1")
    row = ReviewIn(
        external_id="TMR-1",
        rating=1,
        posted_at=datetime.now(UTC) - timedelta(hours=2),
        text=LONG,
        appended_text="追评🙃" + ADDRESS,
        order=order.external_id,
        product="真丝围巾 Silk scarf 🧣" * 5,
    )
    reviews_ingest(store=store, rows=[row])
    review = Review.objects.get()

    page = new_page(locale="zh-CN")
    login(page, "lin")
    page.goto(f"/reviews/{review.pk}/")
    expect(page.get_by_test_id("review-text")).to_contain_text("Really disappointed")
    assert page.evaluate(SIDEWAYS) <= 0
    reply = page.get_by_test_id("reply")
    typed = "亲,非常抱歉😔 我们已经看到您贴的链接 " + ADDRESS
    reply.locator("textarea[name=text]").fill(typed)
    with page.expect_navigation():
        reply.get_by_role("button", name="保存回复").click()
    page.wait_for_load_state("load")
    expect(page.locator("ul.messages")).to_have_count(0)
    expect(reply.locator("textarea[name=text]")).to_have_value(typed)
    assert page.evaluate(SIDEWAYS) <= 0

    page.goto("/reviews/?view=latest")
    cell = page.get_by_test_id("review-TMR-1").locator("a.review-text")
    expect(cell).to_contain_text("质量太差了😡😡")
    assert len(cell.inner_text()) < 300  # the start of it: the whole review is one click away
    assert page.evaluate(SIDEWAYS) <= 0

    reviews_open_cases()  # what the worker's case sweeper does a few seconds after intake
    page.goto(f"/cases/{Review.objects.get().case_id}/")
    expect(page.get_by_test_id("case-reviews")).to_contain_text("Really disappointed")
    assert page.evaluate(SIDEWAYS) <= 0
