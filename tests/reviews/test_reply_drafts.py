"""Reply drafts fit the review's causes, and "Another wording" never throws away what the agent wrote."""

from datetime import UTC, datetime, timedelta

import pytest

from reviews.models import Review, ReviewReply
from reviews.replies import candidates, voice_for
from reviews.services.intake import ReviewIn, reviews_ingest
from reviews.services.public_reply import reply_edit
from tests.factories import AgentFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db


def _posted() -> datetime:
    """Two days before now, read as the test runs (not at import): within every platform's reply window (Tmall's
    30 days, reviews.replies.REPLY_WINDOW)."""
    return datetime.now(UTC) - timedelta(days=2)


SLOW = "物流太慢了,下单后等了八天才到,中间三天都没有更新"
DAMAGED = "手镯收到的时候盒子是压扁的,打开手镯已经断成两截"
SLOW_EN = "Delivery was so slow, it took three weeks to arrive"
DAMAGED_EN = "The parcel arrived crushed and the bowl inside was broken"


def _review(store, text, n=1) -> Review:
    # On one of our orders: a review matching none is suspected malicious and gets the neutral reply.
    order = OrderFactory(store=store, customer__store=store)
    rows = [ReviewIn(external_id=f"R{n}", rating=1, posted_at=_posted(), text=text, order=order.external_id)]
    reviews_ingest(store=store, rows=rows)
    return Review.objects.get(store=store, external_id=f"R{n}")


def _all_drafts(review: Review) -> list[str]:
    cause = review.causes[0]
    from reviews.replies import draft_cause, language_of

    return list(
        candidates(
            voice=voice_for(store=review.store),
            lang=language_of(review.text),
            tone="bad",
            cause=draft_cause(cause=cause, text=review.text),
            product_name="手镯",
            seed="s",
        )
    )


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        (SLOW, ("包装", "受了委屈", "破损")),
        (DAMAGED, ("久等", "等这么久", "发货")),
        (SLOW_EN, ("packaging", "damaged")),
        (DAMAGED_EN, ("Waiting", "sooner", "dispatch")),
    ],
)
def test_a_logistics_draft_speaks_of_what_went_wrong_not_the_other_kind(text, wrong):
    review = _review(StoreFactory(), text)
    assert review.causes[:1] == ["logistics"]
    drafts = _all_drafts(review)
    assert drafts
    assert not [d for d in drafts if any(word in d for word in wrong)]
    # And the saved draft is one of them.
    assert not any(word in review.reply.text for word in wrong)


@pytest.fixture
def agent_client(client):
    store = StoreFactory()
    agent = AgentFactory(stores=[store])
    client.force_login(agent.user)
    return client, store, agent


def test_another_wording_keeps_what_the_agent_typed_and_asks_first(agent_client):
    client, store, _agent = agent_client
    review = _review(store, SLOW)
    draft = review.reply.text
    url = f"/reviews/{review.pk}/reply/redraft"
    typed = "王女士您好,物流让您等了八天,真的对不起,我们已经给您补发了一份小礼物。"
    response = client.post(url, {"text": typed})
    assert response.status_code == 409
    page = response.text
    assert typed in page and 'name="replace"' in page
    assert ReviewReply.objects.get(review=review).text == draft
    # Confirmed: another draft replaces it.
    assert client.post(url, {"text": typed, "replace": "1"}).status_code == 302
    assert ReviewReply.objects.get(review=review).text not in (draft, typed)


def test_another_wording_keeps_a_saved_agent_reply_until_confirmed(agent_client):
    client, store, agent = agent_client
    review = _review(store, SLOW)
    mine = "您好,八天才到确实太慢了,我们已经换了合作的快递。"
    reply_edit(review=review, text=mine, actor=agent.user)
    url = f"/reviews/{review.pk}/reply/redraft"
    assert client.post(url, {"text": mine}).status_code == 409
    assert ReviewReply.objects.get(review=review).text == mine


def test_another_wording_of_an_untouched_draft_just_replaces_it(agent_client):
    client, store, _agent = agent_client
    review = _review(store, SLOW)
    draft = review.reply.text
    assert client.post(f"/reviews/{review.pk}/reply/redraft", {"text": draft}).status_code == 302
    assert ReviewReply.objects.get(review=review).text != draft
