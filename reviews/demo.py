"""The demo's reviews: for each demo store (crm.demo), reviews that fit what that store sells.

Each review is written by one of the store's demo customers about the product they ordered (the seed attaches it
to their order); a few come from shoppers with no order in the demo. Ratings span good, mid and bad so every
monitor, triage group and cause shows up.
"""

from dataclasses import dataclass

from crm.demo import JADE, SILK, TEA


@dataclass(frozen=True)
class DemoReview:
    customer_index: int | None  # into the store's demo customers; None: a shopper with no demo order
    sku: str
    rating: int
    text: str


REVIEWS: dict[str, tuple[DemoReview, ...]] = {
    SILK.code: (
        DemoReview(0, "SILK-QIPAO", 1, "旗袍颜色跟图片完全不一样,图上是酒红色,收到是土红色,色差太大了"),
        DemoReview(1, "SILK-SCARF", 5, "围巾真丝的手感很好,印花和图片一样,送妈妈的她很喜欢"),
        DemoReview(2, "SILK-PJ", 2, "睡衣洗了一次就起球,真丝质量太差了"),
        DemoReview(3, "SILK-QIPAO", 3, "旗袍做工还可以,就是腰身偏小一码,穿着有点紧"),
        DemoReview(4, "SILK-SCARF", 2, "物流太慢了,下单后等了八天才到,围巾是送人的生日礼物,错过了"),
        DemoReview(5, "SILK-HANKY", 4, "手帕小巧精致,真丝很顺滑,包装也好看"),
        DemoReview(6, "SILK-PJ", 1, "睡衣开线了,联系客服态度极差,问了三遍才回一句"),
        DemoReview(7, "SILK-HANKY", 5, "很喜欢这块手帕,刺绣精细,会回购"),
        DemoReview(None, "SILK-SCARF", 3, "围巾还行,刚买三天就降价五十,有点不爽"),
    ),
    JADE.code: (
        DemoReview(0, "JADE-BANGLE", 1, "手镯收到的时候盒子是压扁的,打开手镯已经断成两截"),
        DemoReview(1, "JADE-PENDANT", 5, "平安扣水头很好,挂绳也结实,送父亲的很满意"),
        DemoReview(2, "JADE-RING", 3, "戒指圈口偏大,戴着会转,玉质还可以"),
        DemoReview(3, "JADE-BANGLE", 2, "手镯有明显的裂纹,跟详情页说的无瑕疵不符,怀疑是假货"),
        DemoReview(4, "JADE-PENDANT", 4, "吊坠比想象的小一点,但是玉色温润,物流很快"),
        DemoReview(5, "JADE-BEADS", 2, "手串用了一周绳子就断了,珠子掉了两颗,质量差"),
        DemoReview(6, "JADE-RING", 5, "戒指做工精致,证书齐全,客服很耐心"),
        DemoReview(7, "JADE-BEADS", 4, "手串颜色挺正的,价格实惠"),
        DemoReview(None, "JADE-BANGLE", 1, "快递员把手镯放在门口没打电话,差点丢了,物流服务太差"),
    ),
    TEA.code: (
        DemoReview(0, "TEA-PUER", 5, "老班章茶饼香气足,回甘很快,包装也很有档次"),
        DemoReview(1, "TEA-LONGJING", 2, "龙井到手已经受潮了,茶叶发软,没有明前茶的鲜香"),
        DemoReview(2, "TEA-DAHONGPAO", 3, "大红袍味道还行,但焙火偏重,跟介绍的中火不太一样"),
        DemoReview(3, "TEA-PUER", 1, "普洱茶饼从国内发货等了三周才到柏林,中间十天物流都没有更新,太慢了"),
        DemoReview(4, "TEA-LONGJING", 4, "龙井很新鲜,豆香明显,就是礼盒有点压痕"),
        DemoReview(5, "TEA-SAMPLER", 2, "品鉴套装里少了两小袋茶,客服一直不回复邮件"),
        DemoReview(6, "TEA-DAHONGPAO", 5, "大红袍岩韵很足,冲了七泡还有味道"),
        DemoReview(7, "TEA-SAMPLER", 3, "样品种类挺多,但每袋太少了,价格偏贵"),
        DemoReview(None, "TEA-LONGJING", 1, "茶叶里有碎渣和茶梗,质量太差,不像明前茶"),
    ),
}
