"""Tmall takes a store's reply to a review only within 30 days of the review: the review page says how long is
left, and a reply past the window is refused (the platform would refuse it) instead of saved as if it could go up."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from reviews.errors import ReplyWindowClosed
from reviews.models import ReviewReply
from reviews.services.public_reply import reply_edit, reply_redraft
from tests.factories import ReviewFactory, StoreFactory

pytestmark = pytest.mark.django_db
REPLY = "感谢您的反馈，我们已安排专人跟进，给您带来不便十分抱歉。"


@pytest.fixture
def store():
    return StoreFactory(code="silk-tmall", platform="tmall", timezone="Asia/Shanghai")


def _review(store, *, days_ago: float):
    return ReviewFactory(store=store, rating=2, text="做工一般", posted_at=timezone.now() - timedelta(days=days_ago))


def test_the_review_page_says_how_many_days_tmall_still_takes_a_reply(client, store, agent):
    review = _review(store, days_ago=27.5)
    client.force_login(agent.user)

    page = client.get(f"/reviews/{review.pk}/").text

    window = page.split('data-testid="reply-window"')[1].split("</p>")[0]
    assert "Tmall takes a reply until" in window and "2 days left" in window
    assert f'action="/reviews/{review.pk}/reply"' in page
    chinese = client.get(f"/reviews/{review.pk}/", headers={"accept-language": "zh-CN,zh;q=0.9"}).text
    assert "还剩 2 天" in chinese.split('data-testid="reply-window"')[1].split("</p>")[0]


def test_past_30_days_the_page_has_no_reply_form_and_a_save_is_refused_with_409(client, store, agent):
    review = _review(store, days_ago=31)
    client.force_login(agent.user)

    page = client.get(f"/reviews/{review.pk}/").text
    assert "the window closed on" in page.split('data-testid="reply-window"')[1].split("</p>")[0]
    assert f'action="/reviews/{review.pk}/reply"' not in page

    answer = client.post(f"/reviews/{review.pk}/reply", {"text": REPLY, "posted": "on"})

    assert answer.status_code == 409
    assert "Tmall takes a reply only within 30 days of the review" in answer.text
    assert not ReviewReply.objects.filter(review=review).exists()


def test_a_reply_saved_from_a_page_opened_before_the_window_closed_is_refused_and_kept_on_the_page(
    client, store, agent
):
    review = _review(store, days_ago=29.9)
    client.force_login(agent.user)
    assert f'action="/reviews/{review.pk}/reply"' in client.get(f"/reviews/{review.pk}/").text

    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        answer = client.post(f"/reviews/{review.pk}/reply", {"text": REPLY})

    assert answer.status_code == 409 and "the window closed on" in answer.text
    assert f'action="/reviews/{review.pk}/reply"' not in answer.text
    assert f'<blockquote data-testid="reply-typed">{REPLY}</blockquote>' in answer.text  # not lost with the form
    assert not ReviewReply.objects.filter(review=review).exists()


def test_another_wording_asked_after_the_window_closed_is_refused_and_keeps_the_agents_text(client, store, agent):
    review = _review(store, days_ago=29.9)
    client.force_login(agent.user)

    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        answer = client.post(f"/reviews/{review.pk}/reply/redraft", {"text": REPLY})

    assert answer.status_code == 409 and "Tmall takes a reply only within 30 days of the review" in answer.text
    assert f'<blockquote data-testid="reply-typed">{REPLY}</blockquote>' in answer.text
    assert not ReviewReply.objects.filter(review=review).exists()


def test_a_page_opened_on_the_last_day_is_refused_once_the_window_closes(store, agent):
    review = _review(store, days_ago=29.9)
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        with pytest.raises(ReplyWindowClosed) as refused:
            reply_edit(review=review, text=REPLY, actor=agent.user, posted=True)
        with pytest.raises(ReplyWindowClosed):
            reply_redraft(review=review)
    assert (refused.value.code, refused.value.http_status, refused.value.field) == ("reply_window_closed", 409, "text")


@pytest.mark.parametrize("platform", ["jd", "taobao", "own"])
def test_platforms_without_a_window_take_a_reply_to_an_old_review(platform, agent):
    store = StoreFactory(code=f"store-{platform}", platform=platform)
    review = _review(store, days_ago=90)

    reply = reply_edit(review=review, text=REPLY, actor=agent.user, posted=True)

    assert reply.status == ReviewReply.Status.POSTED
