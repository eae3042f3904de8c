"""The public reply under several hands: a page opened before a colleague saved or posted the reply, a second click,
another wording asked for a reply already posted. Nothing is overwritten unseen; the agent's typed text is kept."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from reviews.models import Review, ReviewReply
from reviews.services.intake import ReviewIn, reviews_ingest
from tests.factories import AgentFactory, OrderFactory

pytestmark = pytest.mark.django_db

THEIRS = "非常抱歉让您失望了,客服已联系您安排换货,运费由我们承担。"
MINE = "您好,手镯有裂纹是我们的疏忽,我们马上为您换新。"


@pytest.fixture
def review(store) -> Review:
    order = OrderFactory(store=store, customer__store=store)
    row = ReviewIn(external_id="R1", rating=1, posted_at=timezone.now(), text="手镯有裂纹", order=order.external_id)
    reviews_ingest(store=store, rows=[row])
    return Review.objects.get()


@pytest.fixture
def colleague(store) -> Client:
    client = Client()
    client.force_login(AgentFactory(user__username="wang", stores=[store]).user)
    return client


def _based_on(page: str) -> str:
    return re.search(r'name="based_on" value="([^"]*)"', page)[1]


def test_saving_over_a_reply_a_colleague_posted_meanwhile_is_refused_and_keeps_what_was_typed(
    client, agent, colleague, review
):
    client.force_login(agent.user)
    mine = _based_on(client.get(f"/reviews/{review.pk}/").text)  # I open the page
    theirs = _based_on(colleague.get(f"/reviews/{review.pk}/").text)
    colleague.post(f"/reviews/{review.pk}/reply", {"text": THEIRS, "posted": "on", "based_on": theirs})

    answer = client.post(f"/reviews/{review.pk}/reply", {"text": MINE, "based_on": mine})

    assert answer.status_code == 409
    page = answer.content.decode()
    assert 'data-testid="reply-conflict"' in page and THEIRS in page and MINE in page
    reply = ReviewReply.objects.get()
    assert (reply.text, reply.status, reply.posted_by.username) == (THEIRS, "posted", "wang")
    # Having read theirs, I can still decide to save mine over a draft: the page I got back is up to date.
    assert _based_on(page) != mine


def test_a_second_click_on_save_and_post_changes_nothing(client, agent, review):
    client.force_login(agent.user)
    based_on = _based_on(client.get(f"/reviews/{review.pk}/").text)
    client.post(f"/reviews/{review.pk}/reply", {"text": MINE, "posted": "on", "based_on": based_on})
    first = ReviewReply.objects.get()

    again = client.post(f"/reviews/{review.pk}/reply", {"text": MINE, "posted": "on", "based_on": based_on})

    assert again.status_code == 302
    reply = ReviewReply.objects.get()
    assert (reply.status, reply.posted_at, reply.posted_by) == ("posted", first.posted_at, first.posted_by)


def test_another_wording_for_a_posted_reply_is_refused(client, agent, review):
    client.force_login(agent.user)
    based_on = _based_on(client.get(f"/reviews/{review.pk}/").text)
    client.post(f"/reviews/{review.pk}/reply", {"text": MINE, "posted": "on", "based_on": based_on})

    answer = client.post(f"/reviews/{review.pk}/reply/redraft", {"text": MINE}, follow=True)

    assert "already posted on the platform" in answer.content.decode()
    reply = ReviewReply.objects.get()
    assert (reply.text, reply.status) == (MINE, "posted")


def test_changing_a_posted_reply_needs_it_posted_again(client, agent, review):
    client.force_login(agent.user)
    page = f"/reviews/{review.pk}/"
    client.post(f"{page}reply", {"text": MINE, "posted": "on", "based_on": _based_on(client.get(page).text)})

    answer = client.post(f"{page}reply", {"text": THEIRS, "based_on": _based_on(client.get(page).text)}, follow=True)

    assert "already posted on the platform" in answer.content.decode()
    assert ReviewReply.objects.get().text == MINE
    client.post(f"{page}reply", {"text": THEIRS, "posted": "on", "based_on": _based_on(client.get(page).text)})
    assert ReviewReply.objects.get().text == THEIRS


# The length a platform takes.


def test_a_reply_longer_than_the_platform_takes_is_refused_naming_the_reply_and_the_limit(client, agent, review):
    client.force_login(agent.user)
    page = f"/reviews/{review.pk}/"
    draft = ReviewReply.objects.get().text
    too_long = "您好," + "我们非常重视您的反馈" * 50  # 503 characters; Tmall takes 500

    answer = client.post(f"{page}reply", {"text": too_long, "based_on": _based_on(client.get(page).text)}, follow=True)

    assert answer.status_code == 200
    assert "The reply has 503 characters; Tmall takes at most 500." in answer.content.decode()
    assert ReviewReply.objects.get().text == draft


def test_a_reply_past_what_the_form_takes_is_a_message_not_a_server_error(client, agent, review):
    client.force_login(agent.user)

    answer = client.post(f"/reviews/{review.pk}/reply", {"text": "好" * 5000}, follow=True)

    assert answer.status_code == 200
    assert "Reply: Ensure this value has at most 2000 characters" in answer.content.decode()


def test_a_store_on_its_own_site_takes_longer_replies(client, agent, review):
    review.store.platform = "own"
    review.store.save()
    client.force_login(agent.user)
    page = f"/reviews/{review.pk}/"
    long_reply = "您好," + "我们非常重视您的反馈" * 50

    client.post(f"{page}reply", {"text": long_reply, "based_on": _based_on(client.get(page).text)})

    assert ReviewReply.objects.get().text == long_reply


def test_drafts_are_never_longer_than_the_platform_takes(store):
    from reviews.models import ReplyTemplate

    for part in ("opening", "body", "closing"):
        ReplyTemplate.objects.create(store=store, part=part, text="很" * 250)  # 750 together: never fits
        ReplyTemplate.objects.create(store=store, part=part, text=f"{part}短句。")
    order = OrderFactory(store=store, customer__store=store)
    rows = [
        ReviewIn(external_id=f"R{i}", rating=1, posted_at=timezone.now(), text="有裂纹", order=order.external_id)
        for i in range(8)
    ]
    reviews_ingest(store=store, rows=rows)

    lengths = [len(text) for text in ReviewReply.objects.values_list("text", flat=True)]
    assert lengths and max(lengths) <= 500
