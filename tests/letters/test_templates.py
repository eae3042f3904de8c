"""Saving letter templates and cards: placeholders must be known and fillable, and no reward for a review."""

from decimal import Decimal

import pytest

from crm.errors import ReviewIncentiveForbidden
from crm.platform_rules import review_incentive_in
from letters.errors import LetterTemplateInvalid, ParcelInsertInvalid
from letters.models import LetterTemplate
from letters.services import letter_preview, letter_template_save, parcel_insert_save
from tests.factories import CustomerFactory, OrderFactory, StoreFactory

pytestmark = pytest.mark.django_db

PARTS = {
    "openings": "亲爱的{customer}：",
    "bodies": "感谢您购买{product}。",
    "closings": "如有任何不满意，请联系客服；若仍不满意，请拨打店长热线 {hotline}。",
    "signoffs": "{store} 敬上",
}


def _data(**changes):
    return {"name": "女士", "language": "zh-hans", "active": True, **PARTS, **changes}


def test_template_with_known_placeholders_is_saved():
    store = StoreFactory()
    template = letter_template_save(store=store, actor=None, data=_data(gender="female"))
    assert LetterTemplate.objects.get(pk=template.pk).gender == "female"


@pytest.mark.parametrize(
    ("part", "text", "says"),
    [
        ("openings", "亲爱的{name}：", "Unknown placeholder {name}"),
        ("bodies", "感谢您购买{product。", "brace is not closed"),
        ("signoffs", "{agent} 敬上", "{agent} would be empty"),
        ("bodies", "", "at least one wording"),
        # Typed with a Chinese input method: printed as written, "亲爱的｛customer｝：".
        ("openings", "亲爱的｛customer｝：", "｛customer｝ is written with full-width braces; write {customer}"),
        ("closings", "请拨打热线｛ hotline ｝", "｛ hotline ｝ is written with full-width braces; write {hotline}"),
    ],
)
def test_unknown_or_unfilled_placeholder_is_refused_naming_the_part(part, text, says):
    store = StoreFactory()
    with pytest.raises(LetterTemplateInvalid) as refused:
        letter_template_save(store=store, actor=None, data=_data(**{part: text}))
    assert refused.value.field == part and says in refused.value.message
    assert not LetterTemplate.objects.exists()


def test_hotline_placeholder_is_refused_when_the_store_has_no_hotline():
    store = StoreFactory(manager_hotline="")
    with pytest.raises(LetterTemplateInvalid, match="no manager hotline") as refused:
        letter_template_save(store=store, actor=None, data=_data())
    assert refused.value.field == "closings"


@pytest.mark.parametrize(
    "text",
    [
        "五星好评返现5元！",
        "好评返现",
        "晒图追评送红包。",
        "好评送丝巾",
        "五星好评即送精美丝巾一条！",
        "晒图就领小样。",
        "Review us 5 stars for cashback!",
        "Change your review and get a $10 coupon.",
    ],
)
def test_template_that_trades_a_reward_for_a_review_is_refused_with_the_reason(text):
    store = StoreFactory()
    with pytest.raises(ReviewIncentiveForbidden) as refused:
        letter_template_save(store=store, actor=None, data=_data(bodies=f"感谢您购买{{product}}。\n{text}"))
    assert refused.value.field == "bodies"
    assert "forbid" in refused.value.message and text.rstrip("！!。.") in refused.value.message
    assert not LetterTemplate.objects.exists()


def test_offer_card_for_a_review_is_refused_and_a_plain_offer_is_saved():
    store = StoreFactory()
    with pytest.raises(ReviewIncentiveForbidden):
        parcel_insert_save(
            store=store,
            actor=None,
            data={"kind": "offer", "title": "好评有礼", "body": "五星好评送优惠券", "offer_code": "X"},
        )
    with pytest.raises(ParcelInsertInvalid):
        parcel_insert_save(store=store, actor=None, data={"kind": "offer", "title": "下次购物", "body": "凭码立减"})
    card = parcel_insert_save(
        store=store,
        actor=None,
        data={"kind": "offer", "title": "下次购物", "body": "下次购物凭码立减20元", "offer_code": "NEXT20"},
    )
    assert card.pk


@pytest.mark.parametrize(
    "text",
    [
        "如有任何不满意，请先联系客服，我们马上为您处理。",
        "下次购物使用优惠码 NEXT20 立减20元。",
        "您的宝贝已送达，期待您的评价。",
        "本店好评率高，送货快。",
        "期待您的评价，宝贝已送出。",
    ],
)
def test_service_wording_and_plain_offers_pass_the_platform_rules(text):
    assert review_incentive_in(text) is None


def test_preview_shows_the_draft_for_the_chosen_order_without_saving():
    store = StoreFactory(manager_hotline="+86 400 1")
    order = OrderFactory(store=store, customer=CustomerFactory(store=store, name="赵敏"), total_amount=Decimal("10"))
    written = letter_preview(store=store, order=order, data=_data(region="北京"))
    assert written.text.splitlines() == [
        "亲爱的赵敏：",
        "感谢您购买真丝围巾。",
        PARTS["closings"].replace("{hotline}", "+86 400 1"),
        f"{store.name} 敬上",
    ]
    assert not LetterTemplate.objects.exists()


def test_most_specific_matching_template_writes_the_letter():
    from datetime import UTC, datetime

    from letters.models import Letter
    from letters.services import letters_prepare

    store = StoreFactory()
    letter_template_save(store=store, actor=None, data=_data(name="all", openings="您好{customer}"))
    letter_template_save(
        store=store, actor=None, data=_data(name="women", gender="female", openings="{customer}女士好")
    )
    woman = OrderFactory(store=store, customer=CustomerFactory(store=store, name="黄婷", gender="female"))
    man = OrderFactory(store=store, customer=CustomerFactory(store=store, name="周杰", gender="male"))
    letters_prepare(store=store, now=datetime(2026, 11, 24, 2, tzinfo=UTC))
    assert Letter.objects.get(order=woman).text.startswith("黄婷女士好")
    assert Letter.objects.get(order=man).text.startswith("您好周杰")
    assert Letter.objects.get(order=woman).variant.startswith("women")


@pytest.mark.parametrize(("day", "variant"), [(27, "under 35"), (28, "35 to 44"), (1, "35 to 44")])
def test_a_customer_born_on_feb_29_is_a_year_older_on_feb_28_in_a_year_without_one(day, variant):
    # Born on 29 February 1992: 35 on Sunday 28 February 2027, the day their birthday wish and gift are for
    # (retention), so that day's letter is the 35-44 one.
    from datetime import UTC, date, datetime

    from letters.models import Letter
    from letters.services import letters_prepare

    store = StoreFactory(timezone="Asia/Shanghai")
    letter_template_save(
        store=store, actor=None, data=_data(name="under 35", age_band="25_34", openings="您好{customer}")
    )
    letter_template_save(
        store=store, actor=None, data=_data(name="35 to 44", age_band="35_44", openings="{customer}好")
    )
    order = OrderFactory(store=store, customer=CustomerFactory(store=store, name="林岚", birthday=date(1992, 2, 29)))
    month = 3 if day == 1 else 2
    letters_prepare(store=store, now=datetime(2027, month, day, 2, tzinfo=UTC))  # 10:00 in Shanghai
    assert Letter.objects.get(order=order).variant.startswith(variant)
