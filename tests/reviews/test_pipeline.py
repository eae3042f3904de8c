"""The classifier's rules, one test group per module of reviews/classification/rules, in pipeline order."""

import json

import pytest

from reviews.classification import STEPS, classify
from reviews.classification.model import REAL_SET
from reviews.classification.words import as_words, carries_content, token_spans


def _rules(text, rating=2, **kwargs):
    """Per cause, the rules that added words to it."""
    found = classify(text=text, rating=rating, explain=True, **kwargs)
    return {cause: [s.rule for s in steps if s.action == "added"] for cause, steps in found.explanation.items()}


def test_the_steps_are_listed_in_one_place_each_a_function_of_a_rule_module():
    modules = [step.__module__ for step in STEPS]
    assert all(m.startswith("reviews.classification.rules.") for m in modules)
    assert modules[0].endswith("worries") and STEPS[-1].__name__ == "add_likeliest_cause"


# worries
def test_a_worry_allayed_by_the_next_clause_is_set_aside():
    assert classify(text="担心会有色差，收到后完全没有", rating=5).causes == []


# dictionary
def test_a_complaint_phrase_is_found_unless_negated():
    assert "complaint phrase" in _rules("色差很大")["description_mismatch"]
    assert "description_mismatch" not in classify(text="没有色差", rating=5).causes


@pytest.mark.parametrize("text", ["机身有点厚", "比上一台厚了不少", "屏幕边框太宽"])
def test_thick_and_wide_are_size(text):
    assert "size" in classify(text=text, rating=2).causes


@pytest.mark.parametrize(
    "text", ["机器太重，不便携带", "有点沉", "外形显笨重", "重量偏大", "屏幕小了点", "字体太小，看着累"]
)
def test_weight_and_the_size_of_a_screen_or_print_are_size(text):
    assert "size" in classify(text=text, rating=2).causes


@pytest.mark.parametrize("text", ["系统要重装", "问题很严重", "还有很重的异味", "机器不重"])
def test_heavy_in_other_senses_or_negated_is_no_size(text):
    assert "size" not in classify(text=text, rating=2).causes


@pytest.mark.parametrize("text", ["文笔平淡，这本书真的不值得一看", "内容太浅薄，不值得一买", "个人觉得不值得去看"])
def test_a_bad_book_not_worth_reading_or_buying_is_no_price_complaint(text):
    assert "complaint phrase" not in _rules(text).get("price", [])


@pytest.mark.parametrize("text", ["无聊死了，买来真是浪费钱", "内容空洞，不必浪费这个钱", "不值这个价"])
def test_money_wasted_or_not_worth_the_price_is_price(text):
    assert "price" in classify(text=text, rating=2).causes


@pytest.mark.parametrize(
    "text",
    ["前天买的书，今天就降了", "又贵又差，故事一般", "也不便宜，内容空洞", "心疼我的银子", "没赶上加一元送内存的活动"],
)
def test_a_drop_a_high_price_money_wasted_or_a_missed_promotion_is_price(text):
    assert "price" in classify(text=text, rating=2).causes


def test_a_price_called_fair_is_no_price_complaint():
    assert "price" not in classify(text="价格不贵，书也不错", rating=5).causes


def test_staff_unreachable_or_unanswering_is_service():
    assert "service_attitude" in classify(text="京东客服电话太难打，基本是摆设", rating=2).causes
    assert "service_attitude" in classify(text="投诉了两次，一直没有回音", rating=2).causes


def test_asking_whether_goods_can_be_exchanged_is_no_refusal():
    assert "service_attitude" not in classify(text="屏幕边上有缝隙，这个能不能换货？", rating=2).causes
    assert "service_attitude" in classify(text="商家说不能换货", rating=2).causes


@pytest.mark.parametrize("text", ["没有宣传的好", "内容不如介绍的好"])
def test_a_page_the_goods_fall_short_of_is_not_praised_by_the_word_it_falls_short_of(text):
    assert "complaint phrase" in _rules(text)["description_mismatch"]


@pytest.mark.parametrize("text", ["有种受骗的感觉", "标题党，内容空洞", "被骗了，名不副实"])
def test_deceived_or_misled_is_a_mismatch(text):
    assert "complaint phrase" in _rules(text)["description_mismatch"]


@pytest.mark.parametrize(
    "text", ["推三阻四，就是不给解决", "非常差的服务", "投诉之后没有任何反馈", "问了几次，没人给我答复"]
)
def test_shirking_a_bad_service_named_after_its_word_or_no_answer_is_service(text):
    assert "complaint phrase" in _rules(text)["service_attitude"]


@pytest.mark.parametrize("text", ["京东的客服专业知识有待提高的", "客服也不知道怎么指导我们过去", "服务实在有待改善"])
def test_staff_wanting_knowledge_or_not_knowing_is_service(text):
    assert "complaint phrase" in _rules(text)["service_attitude"]


@pytest.mark.parametrize("text", ["机器较重的", "有点儿重", "还沉", "比想象中重很多", "重量不轻", "体积较大"])
def test_weight_with_any_degree_word_or_bulk_is_size(text):
    assert "size" in classify(text=text, rating=2).causes


@pytest.mark.parametrize(
    "text", ["女孩子用似乎稍显大了点儿", "机身很厚", "体积有些过于庞大", "如果轻些就好了", "应该再轻薄一点"]
)
def test_big_thick_or_bulky_with_more_degree_words_or_wished_lighter_is_size(text):
    assert "complaint phrase" in _rules(text).get("size", [])


@pytest.mark.parametrize("text", ["装驱动有点小麻烦", "又重新装了系统", "孩子沉迷于游戏", "更重要的是系统"])
def test_small_as_a_diminutive_and_heavy_in_compounds_are_no_size(text):
    assert "size" not in classify(text=text, rating=2).causes


@pytest.mark.parametrize(
    "text", ["这双鞋有点小，挤脚", "方向键太小很不方便", "裤子太大了", "屏幕还是比较小的", "键盘小，打字累"]
)
def test_big_or_small_said_alone_stays_size(text):
    assert "size" in classify(text=text, rating=2).causes


# aspects
def test_an_english_aspect_after_a_chinese_but_is_read_in_its_own_clause():
    # The whole text has no word boundary before "quality" (是 is a word character); its clause does.
    assert _rules("发货很快但是quality is poor") == {"quality": ["aspect + opinion"]}


@pytest.mark.parametrize(
    "text", ["缺货也不通知，就这样取消了", "没有任何解释就把这本漏掉了", "一直没有人主动联系我", "服务有待提高"]
)
def test_a_customer_left_uninformed_is_service(text):
    assert "service_attitude" in classify(text=text, rating=2).causes


def test_the_couriers_service_is_logistics_not_the_shops():
    causes = classify(text="东西还行，就是快递的服务态度不是很好", rating=3).causes
    assert "logistics" in causes and "service_attitude" not in causes


@pytest.mark.parametrize(
    "text", ["送到农村的送货服务不是很满意", "驱动难下，服务器太差了", "让人感觉自己没有理由不好好活下去"]
)
def test_the_delivery_service_a_server_or_no_reason_not_to_is_not_the_staffs_conduct(text):
    assert not {"aspect + opinion", "complaint phrase"} & set(_rules(text).get("service_attitude", []))


# prices
@pytest.mark.parametrize(
    "text",
    [
        "这套茶具定价高，做工一般",
        "价格还有下降的余地",
        "跟官网报价没差多少，早知道不在这买了",
        "浪费了银子",
        "价格还是很不菲的",
    ],
)
def test_a_price_called_high_in_other_words_is_price(text):
    assert "price called high in other words" in _rules(text).get("price", [])


@pytest.mark.parametrize("text", ["为了不浪费钱，就送人了", "价格不高，做工也好", "性价比很高，推荐"])
def test_a_price_not_called_high_is_no_price_complaint(text):
    assert "price called high in other words" not in _rules(text).get("price", [])


# delivery
@pytest.mark.parametrize(
    "text",
    [
        "两个星期了，书还没送到",
        "订单下了两周多至今还未到货",
        "到现在都没有发货",
        "一个月才拿到书",
        "付了款，商家没有给我送到",
        "货都没送过来",
        "定了三盒茶叶，这盒没寄来",
        "一个多月还收不到货",
        "为什么要留下钱而不发书",
        "我还没见到书的影子",
        "京东快递却让我等了3~4天",
        "9号下的订单19号才能拿到",
    ],
)
def test_delivery_that_did_not_happen_is_logistics(text):
    assert "delivery that did not happen" in _rules(text)["logistics"]


def test_delivery_that_happened_is_no_complaint():
    assert "logistics" not in classify(text="收到了，书很好", rating=5).causes


@pytest.mark.parametrize("text", ["不给书签", "等了两天，书很好"])
def test_a_bookmark_not_given_or_a_wait_not_complained_of_is_no_undelivered_book(text):
    assert "delivery that did not happen" not in _rules(text).get("logistics", [])


@pytest.mark.parametrize("text", ["同时要的两本书，另一本来了，这本却没有", "书很快收到了，可是少了一本"])
def test_one_of_the_orders_books_never_sent_is_logistics(text):
    assert "delivery that did not happen" in _rules(text)["logistics"]


def _whole_words(text, words):
    """Whether each word starts and ends on a boundary of jieba's words in the text."""
    bounds = {s for s, _ in token_spans(text)} | {len(text)}
    return all((start := text.find(w)) in bounds and start + len(w) in bounds for w in words)


@pytest.mark.parametrize("text", ["书还没收到货！", "一个星期了还没收到货，", "告诉我不能送货上门"])
def test_delivery_evidence_is_whole_words(text):
    words = classify(text=text, rating=2).evidence["logistics"]
    assert words and _whole_words(text, words), words


def test_a_book_lacking_something_is_not_a_book_not_sent():
    assert "logistics" not in classify(text="这本没有图画，孩子不爱看", rating=2).causes


# magnitudes
@pytest.mark.parametrize(
    "text",
    [
        "内存太小了",
        "声音太小，听不清",
        "发热量太大了",
        "内存1G，偏小",
        "信息量太大，看着累",
        "外壳塑料感太重了",
        "屏幕可视角太小",
        "故事都太长了",
        "就是纸张较厚又锋利",
    ],
)
def test_size_words_said_of_a_magnitude_are_quality_not_size(text):
    causes = classify(text=text, rating=2).causes
    assert "quality" in causes and "size" not in causes


@pytest.mark.parametrize(
    "text", ["尺码太小了穿不上", "书本太大了，翻起来不方便", "本本的发热量大，而且重", "机器发热略大，比较厚重"]
)
def test_size_words_said_of_a_dimension_stay_size(text):
    assert "size" in classify(text=text, rating=2).causes


@pytest.mark.parametrize("text", ["键盘有点松", "屏幕转轴有点松", "电池有点松，要找好角度", "电源口有些松，一碰就掉"])
def test_a_loose_part_of_a_device_is_quality_not_size(text):
    causes = classify(text=text, rating=2).causes
    assert "quality" in causes and "size" not in causes


def test_a_girl_is_no_childs_age():
    assert "size" in classify(text="对女孩子来说重了点", rating=2).causes


def test_heavy_said_of_a_mood_is_no_weight():
    assert "size" not in classify(text="这类题材太过沉重，不喜欢", rating=2).causes


def test_loose_clothes_stay_size():
    assert "size" in classify(text="裤子有点松", rating=2).causes


# breakage
@pytest.mark.parametrize("text", ["买了三个茶杯，不知道怎么运货的，全碎了", "邮寄过来的花瓶，瓶口裂了"])
def test_breakage_told_with_the_transport_is_logistics(text):
    assert "breakage" in _rules(text)["logistics"]


# product_complaint
@pytest.mark.parametrize(
    "text",
    ["用了一会就太烫了", "打开一股刺鼻的味道", "是盗版，印刷模糊", "书缺页，少了二十页", "内容空洞，没什么新意",
     "电池太不顶用，续航太短", "驱动很难装，折腾了一天"],
)  # fmt: skip
def test_complaints_about_the_product_itself_are_quality(text):
    causes = classify(text=text, rating=2).causes
    assert causes[0] == "quality", causes


def test_praise_negated_is_a_complaint_and_a_fault_negated_is_not():
    assert "complaint about the product" in _rules("这本书的内容不太实用")["quality"]
    assert classify(text="运行速度一点也不慢，屏幕也没有坏点", rating=5).causes == []


def test_a_complaint_about_another_topic_is_left_to_that_cause():
    assert "quality" not in classify(text="快递太慢了，等得好郁闷", rating=2).causes


@pytest.mark.parametrize("text", ["京东的系统还是不够完善，订单被删除了", "对当当失望到底了"])
def test_a_complaint_about_the_shop_itself_is_not_the_products(text):
    assert "complaint about the product" not in _rules(text).get("quality", [])
    assert "complaint, nothing else recognised" not in _rules(text).get("quality", [])


# other_kinds
@pytest.mark.parametrize(
    "text",
    [
        "不送鼠标，也没有附带光盘",
        "没有驱动光盘",
        "包和鼠标也没有",
        "什么都没有送",
        "不赠送杀毒软件",
        "缺少原装包",
        "连个驱动光盘都不送",
        "没有给安装碟",
    ],
)
def test_accessories_not_sent_are_other(text):
    assert classify(text=text, rating=2).causes == ["other"]


# promises
@pytest.mark.parametrize("text", ["要是送个包就好了", "再送个鼠标垫就好了", "没有外包、没有鼠标"])
def test_an_accessory_wished_for_in_the_box_is_other(text):
    assert "other" in classify(text=text, rating=2).evidence


@pytest.mark.parametrize(
    "text",
    ["之前看到是写6芯的电池，但收到的却是3芯的", "详情页上写的是纯棉  收到是化纤的", "说明里写的是不锈钢，谁知是铁的"],
)
def test_what_the_page_said_then_what_came_is_a_mismatch(text):
    assert "promised vs received" in _rules(text)["description_mismatch"]


@pytest.mark.parametrize(
    ("text", "cause"),
    [("店里说是三天内发货，可实际等了十天", "logistics"), ("页面写着赠送茶杯的，可是收到时没有杯子", "other")],
)
def test_a_promise_about_the_order_not_the_goods_is_that_complaint(text, cause):
    found = classify(text=text, rating=2)
    assert cause in found.evidence and "description_mismatch" not in found.causes, found.causes


@pytest.mark.parametrize(
    "text",
    [
        "之前看到是写6芯的电池，但收到的却是3芯的，后来电确认",
        "图片显示电脑操作面为黑色，实际收到的为灰色，很失望",
    ],
)
def test_what_was_promised_and_what_came_are_short_phrases_not_the_run_between(text):
    words = classify(text=text, rating=2).evidence["description_mismatch"]
    assert len(words) == 2 and _whole_words(text, words), words
    assert all(len(w) <= 12 and not any(p in w for p in "，,。") for w in words), words


# figures
@pytest.mark.parametrize(
    "text",
    [
        "电池远没有8.5小时那么久",
        "标称320G，不过我只见到298G",
        "参数说有3个USB口，实际只有2个",
        "号称2000万像素，拍出来只有800万像素",
    ],
)
def test_a_stated_figure_not_met_is_a_mismatch(text):
    assert "stated figure not met" in _rules(text).get("description_mismatch", [])


@pytest.mark.parametrize("text", ["没有24小时客服电话，很不方便", "电池能用5小时，还行", "标称4小时，确实能用4小时"])
def test_a_figure_met_or_not_a_specification_is_no_mismatch(text):
    assert "stated figure not met" not in _rules(text).get("description_mismatch", [])


# deceit
@pytest.mark.parametrize(
    "text", ["被评论误导了，内容空洞", "网上评论言过其实，文笔一般", "这本书在误导大众", "希望大家不要被误导了"]
)
def test_deceit_told_of_other_buyers_word_or_of_other_readers_is_no_mismatch(text):
    found = classify(text=text, rating=2, explain=True)
    assert "description_mismatch" not in found.causes
    assert "misled by others, not by the page" in [s.rule for s in found.explanation.get("description_mismatch", [])]


@pytest.mark.parametrize("text", ["京东有误导，系统不是高级版", "书名起的很好，误导了我"])
def test_deceit_by_the_page_or_the_title_stays_a_mismatch(text):
    assert "description_mismatch" in classify(text=text, rating=2).causes


# model_causes
# claims
@pytest.mark.parametrize(
    "text",
    [
        "电池充满并不是介绍中的9.5小时，而是7个多小时",
        "内容很一般，书名起得吸引人，故我上当了",
        "摄像头只有30w，不是号称的130w",
        "此书写的太夸大了，非常的不符合宣传的实际",
        "内容和标榜的相差很大",
        "并不像店家形容的那么好",
        "资料上写的要改正",
        "在促销消息中明明写着支持靓彩技术，可是根本就用不了",
        "触控板下方标有蓝牙标志，但没有内置蓝牙",
        "vista不是家庭高级版，京东标的不对",
    ],
)
def test_a_claim_of_the_page_blurb_or_title_beside_a_letdown_is_a_mismatch(text):
    assert "claim vs what came" in _rules(text).get("description_mismatch", [])


@pytest.mark.parametrize(
    "text",
    [
        "介绍得很详细，书也不错",
        "朋友介绍买的，其实一般",
        "没有上当，和介绍的一样",
        "找不到更坏的形容词来形容这本书",
        "鼠标的那个USB接口也不能用了",
    ],
)
def test_a_claim_praised_or_a_friends_word_is_no_mismatch(text):
    assert "claim vs what came" not in _rules(text).get("description_mismatch", [])


def test_the_models_other_stands_only_on_words_of_an_other_kind():
    from reviews.classification.opinions import OTHER_MATTERS

    assert all(OTHER_MATTERS.search(w) for w in ["没送鼠标", "发票", "申请退货", "藏书票"])
    assert not any(OTHER_MATTERS.search(w) for w in ["订单", "过程中", "理由", "包装"])


class _QualityOrOther:
    """The shipped model, finding quality alone, naive Bayes finding `other` `gap` below it, and the real reviews'
    own naive Bayes `lean` towards `other` (None: a model that learned no real review); the regression neither
    vetoes a cause nor finds one likely."""

    def __init__(self, model, gap, lean=None):
        self.model, self.gap, self.lean = model, gap, lean

    def __getattr__(self, name):
        return getattr(self.model, name)

    def predict(self, feats, **kwargs):
        return ["quality"]

    def log_odds(self, feats, *, logistic=False, causes=()):
        return {c: -5.0 if logistic else (10.0 if c == "quality" else 10.0 - self.gap) for c in causes}

    def real_other_lean(self, feats):
        return self.lean


def test_the_models_quality_alone_does_not_stand_where_it_reads_other_about_as_likely():
    from reviews.classification.model import shipped_model

    text = "这台音箱的低音，第一次买"
    assert classify(text=text, rating=2, model=_QualityOrOther(shipped_model(), gap=30)).causes == ["quality"]
    found = classify(text=text, rating=2, model=_QualityOrOther(shipped_model(), gap=2))
    assert found.causes == ["other"] and not found.recognised


def test_where_real_reviews_were_learned_their_own_naive_bayes_decides_quality_or_other():
    from reviews.classification.model import shipped_model

    text = "这台音箱的低音，第一次买"
    # The whole model's naive Bayes finds other about as likely; the real reviews' finds quality far likelier.
    assert classify(text=text, rating=2, model=_QualityOrOther(shipped_model(), gap=2, lean=-20.0)).causes == [
        "quality"
    ]
    found = classify(text=text, rating=2, model=_QualityOrOther(shipped_model(), gap=30, lean=1.0))
    assert found.causes == ["other"] and not found.recognised


def test_the_shipped_model_has_the_real_reviews_lean_and_a_synthetic_only_one_has_none():
    from reviews.classification.model import CauseModel, features, shipped_model

    feats = features("这本书还行吧，送给朋友的", 2)
    assert isinstance(shipped_model().real_other_lean(feats), float)
    synthetic = [{"text": "质量太差了", "rating": 1, "causes": ["quality"]}] * 3
    assert CauseModel.train(synthetic).real_other_lean(feats) is None


# store_words (tests/reviews/test_store_learning.py trains a store's model from agents' corrections)


# weigh
class _VetoingEverything:
    """The shipped model, but its regression finds every cause very unlikely."""

    def __init__(self, model):
        self.model = model

    def __getattr__(self, name):
        return getattr(self.model, name)

    def log_odds(self, feats, *, logistic=False, **kwargs):
        found = self.model.log_odds(feats, logistic=logistic, **kwargs)
        return dict.fromkeys(found, -20.0) if logistic else found


def test_the_regression_has_no_veto_over_a_mismatch_read_against_the_sellers_claim():
    from reviews.classification.model import shipped_model

    model = _VetoingEverything(shipped_model())
    assert classify(text="这本书拿到后，感觉远没有广告上说的那样好", rating=2, model=model).causes == [
        "description_mismatch"
    ]
    assert "size" not in classify(text="挤脚", rating=2, model=model).causes


class _PriceLikeliest(_VetoingEverything):
    """The shipped model, finding nothing alone, its regression finding price the likeliest cause."""

    def predict(self, feats, **kwargs):
        return []

    def log_odds(self, feats, *, logistic=False, **kwargs):
        found = self.model.log_odds(feats, logistic=logistic, **kwargs)
        return {c: (5.0 if c == "price" else -20.0) for c in found} if logistic else found


def test_the_regressions_likeliest_cause_is_not_named_where_its_words_are_praised():
    from reviews.classification.model import shipped_model

    model = _PriceLikeliest(shipped_model())
    found = classify(text="茶叶性价比不错，喝着顺口", rating=2, model=model)
    assert found.causes == ["other"] and not found.recognised
    assert classify(text="茶叶的性价比，唉", rating=2, model=model).causes == ["price"]


class _QualityLikeliest(_PriceLikeliest):
    """The shipped model, finding nothing alone, its regression finding quality the likeliest cause."""

    def log_odds(self, feats, *, logistic=False, **kwargs):
        found = self.model.log_odds(feats, logistic=logistic, **kwargs)
        return {c: (5.0 if c == "quality" else -20.0) for c in found} if logistic else found


@pytest.mark.parametrize("text", ["写的很好，值得一看，故事情节引人入胜", "屏幕没有坏点，这个比较不错"])
def test_the_regressions_likeliest_cause_is_not_named_on_a_review_that_only_praises(text):
    from reviews.classification.model import shipped_model

    found = classify(text=text, rating=2, model=_QualityLikeliest(shipped_model()))
    assert found.causes == ["other"] and not found.recognised
    assert classify(text="写的还行，唉", rating=2, model=_QualityLikeliest(shipped_model())).causes == ["quality"]


@pytest.mark.parametrize(
    ("text", "praises_only"),
    [
        ("写的很好，值得一看", True),
        ("写的很好，就是纸张太差", False),
        ("封面不错，可惜内容一般", False),
        ("封面不错，但是不太实用", False),
        ("Outer box was perfect, but the violin arrived with a crack", False),
        ("Broken on arrival. Beautiful design though", False),  # breakage read as the breakage rule reads it
        ("写的还行", False),
    ],
)
def test_a_review_only_praises_where_nothing_is_said_to_be_wrong(text, praises_only):
    from reviews.classification.model import shipped_model
    from reviews.classification.reading import Reading
    from reviews.classification.rules.polarity import only_praises

    assert only_praises(Reading(text=text, rating=2, model=shipped_model())) is praises_only


@pytest.mark.parametrize("text", ["联系售后，他们拒绝处理", "申请换货，结果也不管我"])
def test_the_regression_has_no_veto_over_the_staffs_conduct_told_with_the_customers_dealings(text):
    from reviews.classification.model import shipped_model

    assert "service_attitude" in classify(text=text, rating=2, model=_VetoingEverything(shipped_model())).causes


def test_the_regression_has_no_veto_over_weight_on_a_mid_or_bad_review():
    from reviews.classification.model import shipped_model

    model = _VetoingEverything(shipped_model())
    assert "size" in classify(text="机器太重了", rating=2, model=model).causes
    assert "size" not in classify(text="机器太重了", rating=5, model=model).causes


def test_the_regression_has_no_veto_over_a_price_named_in_money_on_a_mid_or_bad_review():
    from reviews.classification.model import shipped_model

    model = _VetoingEverything(shipped_model())
    assert "price" in classify(text="书的内容很差，浪费钱", rating=2, model=model).causes
    assert "price" in classify(text="价格还有下降的余地", rating=2, model=model).causes
    assert "price" not in classify(text="优惠券用不了", rating=2, model=model).causes  # no money named
    assert "price" not in classify(text="价格还有下降的余地", rating=5, model=model).causes


# the end: nothing recognised
def test_a_bad_review_nothing_explains_is_other_without_evidence_and_marked_unrecognised():
    found = classify(text="嗯", rating=1)
    assert found.causes == ["other"] and found.evidence == {} and not found.recognised
    assert classify(text="发票一直没开", rating=2).recognised


def test_explain_records_what_each_rule_did_with_its_words():
    found = classify(text="物流太慢，颜色不错", rating=2, explain=True)
    steps = found.explanation["logistics"]
    assert steps[0].action == "added" and steps[0].words and all(w in "物流太慢，颜色不错" for w in steps[0].words)


# words
@pytest.mark.parametrize("word", ["145", "5929", "结", "个", "的", "，", " "])
def test_fragments_of_numbers_and_lone_function_characters_are_never_evidence(word):
    assert not carries_content(word)


def test_a_span_is_widened_to_the_whole_words_it_touches():
    assert as_words("屏幕有坏点", [(1, 2)]) == ["屏幕"]
    assert as_words("价格5929元", [(3, 5)]) == []


@pytest.mark.parametrize(
    "text", ["客服只会推卸责任", "服务果真如网上说的一样差劲", "发票在网上查不到", "客服态度太差劲了"]
)
def test_every_rules_words_are_shown_as_whole_words(text):
    found = classify(text=text, rating=2, explain=True)
    assert found.evidence and all(_whole_words(text, words) for words in found.evidence.values()), found.evidence
    assert all(_whole_words(text, s.words) for steps in found.explanation.values() for s in steps)


def test_evidence_on_real_reviews_is_whole_words():
    rows = [json.loads(line) for line in REAL_SET.read_text(encoding="utf-8").splitlines()][:120]
    for row in rows:
        for words in classify(text=row["text"], rating=row["rating"]).evidence.values():
            assert all(carries_content(w) and w in row["text"] for w in words), (row["text"], words)
