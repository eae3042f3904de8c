"""Each store's model learns its own words from its agents' corrections (reviews.services.learning, ADR 0007)."""

import random

import pytest
from django.utils import timezone

from reviews.classification import classify
from reviews.evaluation import score
from reviews.models import Review, StoreCauseModel
from reviews.selectors import store_cause_model
from reviews.services.bad_review import review_correct_causes
from reviews.services.learning import MIN_STORE_REVIEWS, store_model_train, store_models_train
from tests.factories import AgentFactory, StoreFactory

pytestmark = pytest.mark.django_db

# A tea shop: its customers complain in the trade's own words, which none of the shipped labelled reviews use.
TEAS = ["龙井", "普洱饼", "白毫银针", "大红袍", "碧螺春", "铁观音"]
TEA_WORDS = {
    "quality": ["汤色发乌", "叶底发暗", "一股焖味", "冲两泡就寡淡", "梗多芽少", "茶饼松散掉渣", "回甘全无", "芽头发黑"],
    "logistics": ["茶罐压瘪一角", "路上晃了九天", "驿站压了一周", "锡罐凹进去了"],
    "price": ["比茶城贵一截", "茶城同款少一百", "刚买完就打七折"],
    "description": ["写的明前头采喝着像雨前", "说是核心产区实际是外山茶", "标的古树料其实是台地茶"],
}
FILLERS = ["这次买的{tea}", "{tea}收到了", "第二次买{tea}", "给长辈买的{tea}"]


def _tea_reviews(count: int, seed: int) -> list[tuple[str, int, list[str]]]:
    chance = random.Random(seed)
    reviews = []
    for _ in range(count):
        cause = chance.choice(list(TEA_WORDS))
        text = f"{chance.choice(FILLERS).format(tea=chance.choice(TEAS))}，{chance.choice(TEA_WORDS[cause])}"
        reviews.append((text, chance.choice([1, 2, 3]), [cause if cause != "description" else "description_mismatch"]))
    return reviews


def _scored(reviews, store_model) -> float:
    return score(
        (classify(text=text, rating=rating, store_model=store_model).causes, causes) for text, rating, causes in reviews
    ).macro_f1


def test_after_agents_correct_200_reviews_the_next_200_of_the_store_score_higher():
    store = StoreFactory(code="tea", name="茶香阁")
    agent = AgentFactory(stores=[store])
    first, following = _tea_reviews(200, seed=1), _tea_reviews(200, seed=2)
    now = timezone.now()
    for n, (text, rating, causes) in enumerate(first):
        found = classify(text=text, rating=rating)
        review = Review.objects.create(
            store=store, external_id=f"T{n}", rating=rating, sentiment=Review.sentiment_for(rating), text=text,
            posted_at=now, causes=found.causes, predicted_causes=found.causes,
        )  # fmt: skip
        review_correct_causes(review=review, causes=causes, actor=agent.user)

    assert store_models_train() == 1  # the nightly run: the store has new verdicts and no model yet
    learned = store_cause_model(store=store)
    assert StoreCauseModel.objects.get(store=store).reviews == 200

    before, after = _scored(following, None), _scored(following, learned)
    # 0.61 without the store's model (the shipped rules read some of the trade's words: 写的…像…, 少一百), 0.78 with it.
    assert after > before + 0.15 and after > 0.75, (before, after)
    print(f"tea store macro-F1 on the next 200: {before:.3f} without its model, {after:.3f} with it")
    # Where the store's model put a review right, it says so, on the store's own words.
    text, rating, causes = next(
        (text, rating, causes)
        for text, rating, causes in following
        if classify(text=text, rating=rating).causes != causes
        and classify(text=text, rating=rating, store_model=learned).causes == causes
    )
    steps = classify(text=text, rating=rating, store_model=learned, explain=True).explanation[causes[0]]
    assert [step.rule for step in steps] == ["store's learned words"]
    assert all(word in text for word in steps[0].words)


def test_a_store_with_few_verdicts_has_no_model_and_nothing_to_retrain():
    store = StoreFactory(code="few")
    agent = AgentFactory(stores=[store])
    review = Review.objects.create(
        store=store, external_id="F1", rating=1, sentiment="bad", text="汤色发乌", posted_at=timezone.now()
    )
    review_correct_causes(review=review, causes=["quality"], actor=agent.user)
    assert MIN_STORE_REVIEWS > 1
    assert store_model_train(store=store) is None
    assert store_cause_model(store=store) is None
    assert not StoreCauseModel.objects.exists()


def test_the_on_demand_task_takes_the_store_id_and_is_idempotent():
    from reviews.tasks import train_store_model, train_store_models

    store = StoreFactory(code="quiet")
    assert train_store_model(store.pk) == 0 and train_store_model(store.pk) == 0
    assert train_store_model(999_999) == 0  # a store gone since the task was enqueued
    assert train_store_models() == 0
