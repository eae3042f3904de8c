import jieba
import pytest
from django.core.cache import caches

from reviews.classification import classify, compile_monitor, prepare
from reviews.classification.model import LABELLED_SETS, CauseModel, features, shipped_model
from reviews.evaluation import (
    HOLDOUT_SET,
    TRAINING_SET,
    by_round,
    cross_validate,
    cross_validation_cache_key,
    evaluate,
    load_eval_set,
    score,
    shipped_cross_validation,
)

# The goal (issue 7); docs/reviews.md reports the figures. The model is trained on every labelled set, so the
# floors that say something about unseen text are on reviews its model never saw: cross-validated, per round.
MACRO_F1_FLOOR = 0.85
# Per holdout round, scored by a model trained without it (and with training_set.jsonl). Rounds 11, 12, 26 and 27 were
# scored blind once before they were added (docs/reviews.md); the others were read for fixes of the dictionaries and
# are no longer unseen text. The floors guard what each scores now (0.90, 0.89, 0.92, 0.90, 0.94, 0.97, 0.92, 0.94,
# 0.84, 0.89, 0.82, 0.86, 0.88, 0.89), a little below it.
UNSEEN_ROUND_FLOORS = {1: 0.86, 2: 0.86, 3: 0.88, 4: 0.87, 5: 0.9, 6: 0.94, 7: 0.88, 8: 0.92, 9: 0.8, 10: 0.86}
UNSEEN_ROUND_FLOORS |= {11: 0.8, 12: 0.81, 26: 0.87, 27: 0.84}
# "other" cross-validated was 0.65 before it had phrases of its own, 0.87 after; 0.81 over the harder training set.
OTHER_F1_FLOOR = 0.8
NO_MODEL = CauseModel.train([])
CROSS_VALIDATION_KEY = cross_validation_cache_key()
MODEL_ALONE_FLOOR = 0.7

# A tiny training set for the model's own behaviour: "异响" (a rattle) is in no dictionary.
RATTLE_ROWS = [
    {"text": "风扇有异响", "rating": 2, "causes": ["quality"]},
    {"text": "用了两天电机就异响", "rating": 1, "causes": ["quality"]},
    {"text": "异响很大吵得睡不着", "rating": 2, "causes": ["quality"]},
    {"text": "很好用,推荐", "rating": 5, "causes": []},
    {"text": "物流很快,包装好", "rating": 5, "causes": []},
    {"text": "颜色好看,没有异响", "rating": 5, "causes": []},
]


def test_evaluation_set_is_large_mostly_chinese_and_multi_label():
    rows = load_eval_set()
    assert len(rows) >= 300
    assert sum(r["lang"] == "zh" for r in rows) > 0.8 * len(rows)
    assert sum(r["lang"] == "en" for r in rows) >= 30
    assert sum(len(r["causes"]) > 1 for r in rows) >= 10
    assert len({r["text"] for r in rows}) == len(rows)


def test_classifier_meets_the_macro_f1_floor_on_the_evaluation_set():
    # Data the dictionaries were tuned on and the model trained on: a guard that what works keeps working.
    scores = evaluate()
    assert scores.macro_f1 >= MACRO_F1_FLOOR, [(s.cause, s.f1) for s in scores.per_cause]
    assert all(s.f1 is not None and s.f1 >= 0.7 for s in scores.per_cause)


def test_cross_validated_classifier_meets_the_goal_and_its_model_generalises_alone():
    # Computed here, not read from the cache a previous run may have left (the manager's page reads it from there).
    caches["default"].delete(CROSS_VALIDATION_KEY)
    cv = shipped_cross_validation.__wrapped__()
    assert caches["default"].get(CROSS_VALIDATION_KEY) == cv
    assert cv.classifier.items == sum(len(load_eval_set(path)) for path in LABELLED_SETS)
    assert cv.classifier.macro_f1 >= MACRO_F1_FLOOR, [(s.cause, s.f1) for s in cv.classifier.per_cause]
    assert cv.model_alone.macro_f1 >= MODEL_ALONE_FLOOR, [(s.cause, s.f1) for s in cv.model_alone.per_cause]
    other = next(s for s in cv.classifier.per_cause if s.cause == "other")
    assert other.f1 >= OTHER_F1_FLOOR, other


@pytest.mark.timeout(1200)  # fourteen trainings of the model: minutes on a shared machine
def test_every_holdout_round_scored_by_a_model_that_never_saw_it_keeps_its_floor():
    holdout = load_eval_set(HOLDOUT_SET)
    rounds = by_round(holdout, load_eval_set() + load_eval_set(TRAINING_SET))
    assert [r.round for r in rounds] == list(UNSEEN_ROUND_FLOORS)
    assert sum(r.items for r in rounds) == len(holdout) >= 300
    for figures in rounds:
        assert figures.classifier.macro_f1 >= UNSEEN_ROUND_FLOORS[figures.round], figures
        assert figures.classifier.macro_f1 > figures.lexicon_alone.macro_f1, figures


def test_cross_validation_never_scores_a_review_with_a_model_trained_on_it():
    # Each review's only sign of its cause is characters no other review has: a model that saw the review
    # finds the cause, one that did not cannot.
    rows = [
        {"text": chr(0x4E00 + 3 * i) + chr(0x4E01 + 3 * i), "rating": 3, "causes": ["quality"] if i % 2 else []}
        for i in range(20)
    ]
    # (min_documents=1: here every sign is in one review only, which the shipped model's floor would leave out.)
    assert evaluate(rows, model=CauseModel.train(rows, min_documents=1)).per_cause[0].recall == 1.0
    assert cross_validate(rows, folds=5, min_documents=1).model_alone.per_cause[0].recall == 0.0


def test_model_finds_a_cause_no_dictionary_knows_and_shows_the_words():
    model = CauseModel.train(RATTLE_ROWS)
    assert classify(text="吹风机异响", rating=2, model=CauseModel.train([])).causes == ["other"]
    result = classify(text="吹风机异响", rating=2, model=model)
    assert result.causes == ["quality"]
    assert any("异响" in word and word in "吹风机异响" for word in result.evidence["quality"])


def test_model_cause_on_a_good_review_needs_a_complaint_in_its_clause():
    # "尺码很标准" on a 5-star review names an aspect to praise it; the same words with a hedge or a low rating
    # complain. The dictionaries know nothing of "异响", so what is found here is the model's.
    model = CauseModel.train(RATTLE_ROWS)
    assert classify(text="吹风机异响", rating=5, model=model).causes == []
    assert classify(text="吹风机有点异响", rating=4, model=model).causes == ["quality"]
    assert classify(text="吹风机异响", rating=3, model=model).causes == ["quality"]
    assert classify(text="吹风机异响听着一点都不舒服", rating=5, model=model).causes == ["quality"]


@pytest.mark.parametrize("text", ["没有异响,很安静", "异响一点都没有"])
def test_model_cause_does_not_count_when_its_words_are_negated(text):
    assert classify(text=text, rating=3, model=CauseModel.train(RATTLE_ROWS)).causes == ["other"]


@pytest.mark.parametrize(
    "text",
    [
        "没有色差,很满意",
        "色差一点都没有",
        "完全没有任何色差",
        "实物无色差",
        "No colour difference at all, lovely.",
        # Platforms send full-width punctuation: the clause still ends at the ，
        "色差一点都没有，做工也好",
    ],
)
def test_negated_colour_difference_is_not_a_complaint(text):
    assert classify(text=text, rating=5).causes == []


@pytest.mark.parametrize(
    "text",
    [
        "之前担心会有色差，收到后完全没有，跟图片一样",
        "本来担心尺码不合适，结果很合身",
        "担心羊绒会起球，结果穿了一个月一点也没有",
    ],
)
def test_a_worry_the_next_clause_allays_is_not_a_complaint(text):
    assert classify(text=text, rating=5).causes == []


@pytest.mark.parametrize(
    ("text", "cause"),
    [("担心会有色差，结果色差很大", "description_mismatch"), ("担心尺码不合适，结果还是不合适", "size")],
)
def test_a_worry_the_next_clause_confirms_stays_a_complaint(text, cause):
    assert classify(text=text, rating=2).causes == [cause]


def test_dictionary_cause_on_a_good_review_is_dropped_when_its_words_are_praised():
    # "便宜不少" is in the price dictionary for a price drop after buying; compared with a shop elsewhere it
    # praises the price. A hedge beside the words ("有点贵") is still a complaint on a 4-star review.
    assert classify(text="味道醇厚，回甘明显，比实体店便宜不少", rating=4).causes == []
    assert classify(text="今天直播间便宜了80，买贵了", rating=2).causes == ["price"]
    assert classify(text="质量挺好的，就是价格有点贵", rating=4).causes == ["price"]


def test_colour_difference_is_a_description_complaint_with_its_evidence():
    result = classify(text="颜色跟图片不一样,色差太大了", rating=2)
    assert result.causes == ["description_mismatch"]
    assert "色差" in result.evidence["description_mismatch"]


def test_good_word_with_a_negator_character_does_not_negate_the_next_phrase():
    # "不错" contains 不 but is praise: the quality complaint after it stands.
    assert classify(text="颜色不错质量差", rating=2).causes == ["quality"]


def test_several_causes_are_found_in_one_review():
    result = classify(text="快递慢得离谱,客服也不理人,衣服还起球", rating=1)
    assert set(result.causes) == {"quality", "logistics", "service_attitude"}


def test_courier_attitude_is_logistics_not_our_service():
    assert classify(text="快递员态度很差,扔下就走", rating=2).causes == ["logistics"]


@pytest.mark.parametrize(
    ("text", "rating", "causes"),
    [
        # A kind of complaint no specific cause covers is "other", not the cause its words resemble.
        ("东西收到了，发票到现在还没开", 3, ["other"]),
        ("商品不错，但是赠品漏发了，联系后说补发", 3, ["other"]),
        ("买的是黑色给发了棕色", 2, ["other"]),
        ("Received the wrong item, not the one I ordered", 1, ["other"]),
        ("表盘有划痕，明显是别人退回来的二手货", 1, ["other"]),
        ("同一笔订单被扣了两次款", 1, ["other"]),
        # Beside a specific complaint in other words it is a second cause.
        ("发票一直没开，客服态度还很差", 1, ["service_attitude", "other"]),
        # Negated, or only mentioned, it is no complaint.
        ("手镯是全新的，不是二手，证书齐全", 5, []),
        ("发票开得很快，包装也好", 5, []),
    ],
)
def test_complaints_of_no_specific_kind_are_other(text, rating, causes):
    assert classify(text=text, rating=rating).causes == causes


@pytest.mark.parametrize(
    ("text", "rating", "causes"),
    [
        # Promised in one clause, missing in the next.
        ("东西不错，客服说发票三天内寄出，到现在一个月了还没收到", 4, ["other"]),
        ("下单时承诺送说明书，结果一直没给", 4, ["other"]),
        # What is missing may be named after the verb with words between, and in English with a modifier. On a 4-star
        # review nothing else makes them "other".
        ("盒子里没有任何说明书", 4, ["other"]),
        ("Nice kettle, but it came with no printed manual", 4, ["other"]),
        ("The gift box that was promised on the page is missing", 4, ["other"]),
        # A suspicion asked as a question still counts; a plain denial does not.
        ("表盖上有磨痕，不知道是不是二手的", 4, ["other"]),
        ("表是新的，不是二手的，很满意", 5, []),
        # Marks of use on resold goods are not a quality complaint, whichever half of the classifier reads them.
        ("表盘有好几道划痕，怀疑是翻新机", 1, ["other"]),
        # A money-back not arrived, however it is phrased.
        ("退货寄回去两周了，钱到现在都没退", 4, ["other"]),
        # A problem put right at once on a good review is no complaint; on a mid one, or not put right, it is.
        ("发错了型号，不过客服马上给补发了，好评", 5, []),
        ("Sent the wrong colour, but they promptly sent a replacement. Great shop", 5, []),
        ("发错了型号，说是会补发", 3, ["other"]),
    ],
)
def test_other_kinds_in_more_phrasings(text, rating, causes):
    assert classify(text=text, rating=rating).causes == causes


@pytest.mark.parametrize(
    ("text", "rating", "causes"),
    [
        # "唯一不满意的是..." introduces the complaint; it does not negate it.
        ("衣服很舒服，唯一不满意的是满减没有叠加", 4, ["price"]),
        ("没有不满意的，也没有色差", 5, []),
        # A coupon that cannot be used is about the promotion, not a faulty product.
        ("付完款优惠券就用不了了", 2, ["price"]),
        ("吹风机收到就不能用", 1, ["quality"]),
        # "有点小郁闷" is a mood, not a size; "有点小" alone is.
        ("刚买完就降价了50，有点小郁闷", 4, ["price"]),
        ("鞋子有点小，挤脚", 3, ["size"]),
        # A courier's conduct in English, with other words between, and a wrong delivery address.
        ("The delivery guy just left it at a neighbour's without telling me", 4, ["logistics"]),
        ("It was delivered to the wrong address and I had to go and find it", 2, ["logistics"]),
        ("快递送错地址了，自己跑了两公里去拿", 4, ["logistics"]),
    ],
)
def test_specific_causes_beside_the_other_kinds(text, rating, causes):
    assert classify(text=text, rating=rating).causes == causes


def test_counted_goods_missing_are_not_a_price_drop():
    assert classify(text="手链上的珠子少了两颗", rating=4).causes == []
    assert classify(text="刚买就便宜了两百", rating=2).causes == ["price"]


def test_bad_review_without_a_known_cause_is_other_and_good_one_has_none():
    assert classify(text="不喜欢", rating=1).causes == ["other"]
    assert classify(text="很好,下次再来", rating=5).causes == []


def test_scores_count_precision_and_recall_per_cause():
    scores = score([(["quality"], ["quality"]), (["quality"], ["size"]), ([], ["size"])])
    quality = next(s for s in scores.per_cause if s.cause == "quality")
    size = next(s for s in scores.per_cause if s.cause == "size")
    assert (quality.precision, quality.recall) == (0.5, 1.0)
    assert (size.recall, size.precision) == (0.0, None)


def test_monitor_matcher_finds_chinese_and_english_phrases_case_insensitively():
    matcher = compile_monitor(["假货", "Fake", " "])
    assert {m.group(0) for m in matcher.finditer("这是假货 FAKE")} == {"假货", "FAKE"}
    assert compile_monitor(["", "  "]) is None


@pytest.mark.parametrize(
    ("text", "rating", "causes"),
    [
        # Found broken on arrival is the transport's fault only when the shipping is spoken of; breakage only
        # imagined is none.
        ("收到就发现杯子有裂纹", 1, ["quality"]),
        ("收到杯子碎了，包装就一层纸", 1, ["logistics"]),
        ("质量还行，就怕以后坏了没地方修", 3, ["other"]),
        ("质量还行，就是用了两天就坏了", 3, ["quality"]),
        # Damage transport does, beside a complaint about the parcel, is not a fault of the goods too.
        ("外箱压烂了，里面的瓶子也漏了", 1, ["logistics"]),
        ("瓶子漏了，桌子都湿了", 1, ["quality"]),
        # A word inside a longer phrase of another cause was read from that phrase.
        ("这做工也太敷衍了，线头到处都是", 2, ["quality"]),
    ],
)
def test_where_breakage_and_damage_belong(text, rating, causes):
    # The placement rules, with the dictionaries alone: what the shipped model adds depends on its training data
    # (trained on rounds 8-10 too, it also reads 漏 "leaked" as a transport complaint).
    assert classify(text=text, rating=rating, model=NO_MODEL).causes == causes


@pytest.mark.parametrize(
    ("text", "rating", "causes"),
    [
        # "Not worth the money" is a price complaint by the guideline, beside a fault too.
        ("耳机底噪很大，不值这个价", 2, ["quality", "price"]),
        ("做工粗糙，卖八百块，不值", 2, ["quality", "price"]),
        # A high price conceded and accepted as fair is no complaint, unless the price is complained of after it.
        ("价格是贵了点，不过物有所值", 4, []),
        ("虽然贵了点，但是做工对得起这个价", 4, []),
        ("价格偏贵，但是做工对得起这个价，只是星扣在价格上", 3, ["price"]),
        ("东西不错，价格偏贵", 4, ["price"]),
    ],
)
def test_price_polarity(text, rating, causes):
    assert classify(text=text, rating=rating).causes == causes


@pytest.mark.parametrize(
    ("text", "rating", "causes"),
    [
        # The page as the yardstick, whatever the attribute; a comparison in the goods' favour is praise.
        ("香味不太像描述里写的那样", 2, ["description_mismatch"]),
        ("分量没有宣传的那么多", 2, ["description_mismatch"]),
        ("Much thinner than pictured", 2, ["description_mismatch"]),
        ("Better than pictured", 5, []),
        ("和描述的一样，没有色差", 5, []),
        # Service events: canned answers, stalling, a promise gone back on; kept, it is none.
        ("问了三次，客服只会复制粘贴", 1, ["service_attitude"]),
        ("The agent only sent copy-pasted answers", 2, ["service_attitude"]),
        ("客服一直说马上处理", 2, ["service_attitude"]),
        # A refund promised and not made is "other" too by the guideline (a refund not arrived).
        ("客服答应给我退运费，结果没有", 2, ["service_attitude", "other"]),
        ("客服答应给我退运费，很快就退了", 5, []),
        ("客服态度还特别冲", 2, ["service_attitude"]),
        # "不好意思" is an apology, not a bad opinion of the shop: a 1-star review with no complaint is "other".
        ("商家不好意思，手滑点错了", 1, ["other"]),
        ("商家态度不好", 1, ["service_attitude"]),
    ],
)
def test_description_and_service_in_general_form(text, rating, causes):
    assert classify(text=text, rating=rating).causes == causes


@pytest.mark.parametrize(
    ("text", "rating", "causes"),
    [
        # A new predicate after the negated one ends the negation: "没打电话直接放驿站" complains of the drop-off.
        ("快递没打电话直接放驿站了", 3, ["logistics"]),
        ("快递没有放驿站，送上门的", 5, []),
        ("快递没有直接放驿站，送上门的", 5, []),
        ("物流半个月才到", 2, ["logistics"]),
    ],
)
def test_negation_scope_and_delays(text, rating, causes):
    assert classify(text=text, rating=rating).causes == causes


def test_a_cause_needs_naive_bayes_and_the_logistic_regression_to_agree():
    # Naive Bayes gives a character seen in one review of a cause a large weight; the logistic regression, which
    # weighs it against the others it came with, may find it says little, and then it cannot carry the cause.
    def model(logistic_weight):
        weights = {"释": (5.0, *[0] * 6, logistic_weight, *[0] * 6)}
        return CauseModel(weights=weights, priors=(0.0,) * 14)

    assert model(-5.0).predict({"释"}) == []
    assert model(1.0).predict({"释"}) == ["quality"]
    assert model(1.0).log_odds({"释"})["quality"] == 5.0
    assert model(1.0).log_odds({"释"}, logistic=True)["quality"] == 1.0
    assert CauseModel.train(RATTLE_ROWS).predict(features("吹风机异响", 2)) == ["quality"]


def test_model_cause_beside_an_other_kind_needs_a_complaint_where_it_stands():
    # The low rating is the "other" problem's (an invoice not issued); the model's cause must be complained about.
    model = CauseModel.train(RATTLE_ROWS)
    assert classify(text="吹风机异响，发票也没开", rating=2, model=model).causes == ["other"]
    assert classify(text="吹风机有点异响，发票也没开", rating=2, model=model).causes == ["quality", "other"]
    assert classify(text="吹风机异响", rating=2, model=model).causes == ["quality"]


def test_prepare_loads_the_model_and_the_segmenter_before_the_first_review():
    # Run in gunicorn's master before it forks (config/warmup.py), so no worker trains or loads them again.
    prepare()
    assert jieba.dt.initialized
    assert shipped_model.cache_info().currsize == 1
