"""The built-in pieces of a reply, in Chinese and English, used where a store has not written its own.

Written for the next buyer who reads them: thank, own the problem, say what we do about it, invite contact.
Never argue, never blame the customer or the courier, never make a revised review a condition of anything.
"""

from crm.models import CaseCause as C

OPENINGS = {
    "zh": {
        "good": [
            "亲爱的顾客您好,",
            "感谢亲的好评!",
            "谢谢您的认可,",
            "看到您的评价我们特别开心,",
            "您好,感谢您选择{store},",
            "非常感谢您的分享,",
            "谢谢亲的用心评价,",
            "收到您的好评,整个团队都很受鼓舞,",
            "感谢您的信任与支持,",
            "您好呀,",
        ],
        "bad": [
            "亲爱的顾客,非常抱歉,",
            "您好,看到您的评价我们很难过,",
            "真的很抱歉给您带来了不好的体验,",
            "亲,实在对不起,",
            "您好,首先向您郑重道歉,",
            "非常抱歉让您失望了,",
            "感谢您坦诚的反馈,也向您说声对不起,",
            "您好,给您添麻烦了,非常抱歉,",
            "亲,这次的体验确实没有做好,抱歉,",
            "您好,您的反馈我们已经认真看过,",
        ],
    },
    "en": {
        "good": [
            "Thank you so much for your review!",
            "Hello, and thank you for choosing {store}.",
            "We're delighted to read this.",
            "Thank you for taking the time to share this.",
            "What a lovely review, thank you.",
            "Many thanks for your kind words.",
        ],
        "bad": [
            "We're truly sorry about this.",
            "Thank you for telling us, and please accept our apology.",
            "We're sorry this order let you down.",
            "Hello, we apologise for the trouble.",
            "We read your review carefully and we're sorry.",
            "Please accept our sincere apologies.",
        ],
    },
}

BODIES = {
    "zh": {
        ("good", ""): [
            "{product}能得到您的喜欢,是我们最大的动力。",
            "您喜欢{product},我们比什么都高兴。",
            "每一件{product}出库前都经过仔细检查,很高兴它让您满意。",
            "能陪伴您的日常,是{product}的荣幸。",
            "您的满意就是对我们最好的鼓励,{product}会一直保持这样的品质。",
            "我们会继续用心把关{product}的每一个细节。",
            "感谢您对{product}的肯定,也欢迎您分享使用心得。",
            "有您这样细心的顾客,是我们的幸运。",
        ],
        ("bad", C.QUALITY): [
            "{product}出现这样的质量问题是我们的责任,我们会为您换新,来回运费由我们承担。",
            "这件{product}没有达到我们的品质标准,客服会主动联系您安排换货,运费我们来出。",
            "我们已把您反馈的问题交给品控同事逐件复查,也会为您免费换一件新的{product}。",
            "质量问题我们绝不推脱,换货的邮费由店铺承担,请您放心。",
        ],
        ("bad", C.DESCRIPTION_MISMATCH): [
            "商品颜色和图片有差异让您失望了,我们会重新校准{product}的图片和描述。",
            "我们已安排重新拍摄{product}的实物图,让后来的顾客看得更准确,也为您准备了一份小礼物。",
            "图片与实物的差别是我们的疏忽,详情页会尽快更新,客服也会联系您处理。",
            "我们会在详情页补充{product}在不同光线下的实拍,避免再有误会。",
        ],
        ("bad", C.SIZE): [
            "尺码不合适给您添麻烦了,我们为您免费换码,运费由我们承担。",
            "我们会完善{product}的尺码说明,并为您安排换到合适的尺码。",
            "合身很重要,客服会联系您确认尺寸,为您换一件合适的{product}。",
            "尺码表我们已在复核,换码的来回运费由店铺承担。",
        ],
        ("bad", C.PRICE): [
            "活动规则没有说清楚是我们的问题,客服会联系您,为您补上应有的优惠。",
            "价格的变化让您不愉快,我们会为您补偿差额或送上优惠券。",
            "我们会把活动说明写得更清楚,也会联系您妥善处理价格的问题。",
            "让您在价格上有顾虑,是我们没做好,客服会主动为您处理。",
        ],
        # Logistics has two stories (replies.draft_cause tells them apart): a parcel that took too long, and one
        # that arrived damaged. A reply about packaging under a complaint about waiting reads as not listening.
        ("bad", C.LOGISTICS): [
            "配送的体验没有让您满意,这是我们需要改进的地方,客服会联系您。",
            "这次的配送没有做好,我们会认真改进,也会联系您妥善处理。",
        ],
        ("bad", f"{C.LOGISTICS}:slow"): [
            "让您久等了,是我们没有安排好发货,我们会改进配送环节。",
            "我们已在优化仓库发货,不让下一位顾客再等这么久。",
            "等了这么多天才收到,确实太久了,我们已在督促快递加快配送。",
        ],
        ("bad", f"{C.LOGISTICS}:damaged"): [
            "包裹在路上受了委屈,我们会加强包装,也会联系您妥善处理。",
            "收到破损的宝贝一定很失望,我们会为您补发或退款,也会改进包装。",
            "商品在运输中受损是我们的责任,客服会马上联系您处理。",
        ],
        ("bad", C.SERVICE_ATTITUDE): [
            "客服没有耐心对待您,我们诚恳道歉,也已对服务流程做了检讨。",
            "您受到的服务不是我们希望的样子,店长会亲自联系您致歉。",
            "我们会认真培训客服团队,不让这样的情况再发生。",
            "对您的不愉快经历我们深感抱歉,店长已经了解情况,会亲自跟进。",
        ],
        ("bad", C.OTHER): [
            "您的感受我们非常重视,客服会尽快联系您,了解具体情况并妥善处理。",
            "我们很想知道怎样能让您满意,客服会主动联系您。",
            "给您带来不便非常抱歉,我们会认真处理您的反馈。",
            "您的意见我们已记录下来,会尽快给您一个满意的答复。",
        ],
    },
    "en": {
        ("good", ""): [
            "We're so glad the {product} is just what you hoped for.",
            "Every {product} is checked by hand before it leaves us, and it's wonderful to hear it shows.",
            "Enjoy your {product}, and do tell us how it wears over time.",
            "Your words mean a lot to the whole team.",
            "It's a joy to know the {product} found a good home.",
        ],
        ("bad", C.QUALITY): [
            "A fault like this is on us: we'll exchange your {product} and pay the postage both ways.",
            "Our quality team is checking this batch, and we'll send you a new {product} at our cost.",
            "We'll arrange an exchange right away, with postage paid by the store.",
        ],
        ("bad", C.DESCRIPTION_MISMATCH): [
            "We'll reshoot the {product} photos in daylight so the colour is true, and send you a small gift.",
            "The listing should have shown the real colour; we're correcting it now.",
            "We're updating the description of the {product} so nobody else is surprised.",
        ],
        ("bad", C.SIZE): [
            "We'll exchange it for the right size, postage on us.",
            "We're improving the size guide for the {product}, and we'll sort out the right size for you.",
            "Our team will help you find the right fit and exchange it free of charge.",
        ],
        ("bad", C.PRICE): [
            "Our promotion terms should have been clearer; we'll make up the difference.",
            "We'll contact you to put the price right with a refund of the difference or a coupon.",
            "We're rewriting the promotion notes so they are plain to everyone.",
        ],
        ("bad", C.LOGISTICS): [
            "The delivery fell short of what it should be, and our team will contact you to put this right.",
            "We're looking into what went wrong on the way to you.",
        ],
        ("bad", f"{C.LOGISTICS}:slow"): [
            "Waiting this long isn't good enough, and we're improving how we ship.",
            "We'll review our dispatch so the next order reaches you sooner.",
        ],
        ("bad", f"{C.LOGISTICS}:damaged"): [
            "We're strengthening our packaging, and our team will contact you to put this right.",
            "Nobody should open a broken parcel: we'll replace it or refund you straight away.",
        ],
        ("bad", C.SERVICE_ATTITUDE): [
            "The way you were treated falls short of what we expect of ourselves, and the manager will call you.",
            "We're reviewing this conversation with our team, and we apologise sincerely.",
            "Our store manager will contact you personally.",
        ],
        ("bad", C.OTHER): [
            "Our team will contact you to understand what happened and make it right.",
            "We'd like to hear more so we can put this right.",
            "We've passed your review to the store manager, who will follow up.",
        ],
    },
}

CLOSINGS = {
    "zh": {
        "good": [
            "期待您的再次光临!",
            "祝您生活愉快!",
            "有任何需要随时找我们哦。",
            "{store}全体同事祝您万事顺心。",
            "欢迎常来逛逛,新品上架会第一时间通知您。",
            "愿它陪您度过每一个美好的日子。",
            "感谢支持,我们下次见!",
            "祝您和家人安康喜乐。",
        ],
        "bad": [
            "如有任何需要,请随时联系我们的客服。",
            "我们会一直跟进,直到您满意为止。",
            "再次向您表示歉意。",
            "{store}期待有机会弥补这次的遗憾。",
            "您的每一条意见我们都会认真对待。",
            "感谢您的耐心,我们一定改进。",
            "客服会尽快与您联系,请留意来电。",
            "给您添麻烦了,谢谢您的理解。",
        ],
    },
    "en": {
        "good": [
            "We hope to see you again soon.",
            "Warm wishes from all of us at {store}.",
            "If you ever need anything, we're here.",
            "Thank you again, and enjoy!",
            "Have a wonderful day.",
        ],
        "bad": [
            "Please reach out to us any time.",
            "We'll stay with this until it's right for you.",
            "Thank you for your patience.",
            "Everyone at {store} is sorry for the trouble.",
            "We're grateful you told us.",
        ],
    },
}

# A suspected malicious review (no matching order, a competitor's marker) gets a neutral reply: it thanks, states
# facts the store stands behind and invites the buyer to contact us with the order. It never admits fault and
# never promises compensation: either would be quoted back in the platform complaint. No reply may repeat one of
# the store's last 500 (replies.RECENT_LIMIT), and a neutral one names no product, so the pieces make many: 704
# in Chinese, 378 in English (48 and 18 ran out at a store hit by a run of fake reviews, which then got no draft);
# for a review on one of our orders, without NO_ORDER_FOUND's and ASKS_FOR_THE_ORDER's pieces, 336 and 180.
NEUTRAL = {
    "zh": {
        "opening": [
            "您好,感谢您的留言。",
            "您好,我们已经看到您的评价。",
            "感谢您的反馈。",
            "您好,{store}已收到您的留言。",
            "您好,感谢您抽空写下评价。",
            "您好,这里是{store}客服。",
            "感谢您关注{store}。",
            "您好,您的评价我们已经仔细阅读。",
        ],
        "body": [
            "我们未能查到与这条评价对应的订单记录。",
            "{store}所有商品均为正品,出厂前逐件检验。",
            "为了核实情况,请您提供订单号。",
            "我们的商品描述与实物一致,欢迎其他顾客放心选购。",
            "我们在后台没有找到与您账号相关的购买记录。",
            "{store}的每件商品出库前都经过质检并留有记录。",
            "核实订单之后,我们才能查明具体情况。",
            "商品详情页的参数与实物相符,欢迎查看。",
            "我们重视每一条评价,会逐一核实情况。",
            "我们会调取相关的发货与质检记录进行核查。",
            "您反馈的情况我们已记录,会逐项核对。",
        ],
        "closing": [
            "请通过店铺客服联系我们,我们会认真核实。",
            "如有疑问,欢迎携订单号联系在线客服。",
            "我们会依据平台规则处理此事。",
            "期待您提供订单信息,以便我们进一步核实。",
            "您可以随时通过店铺首页联系客服。",
            "如需帮助,请在工作时间联系在线客服。",
            "如需进一步沟通,欢迎通过平台消息联系我们。",
            "核实之后,我们会在这里说明结果。",
        ],
    },
    "en": {
        "opening": [
            "Hello, thank you for your message.",
            "Hello, we have read your review.",
            "Thank you for writing.",
            "Hello, this is {store} customer service.",
            "Thank you for taking the time to write.",
            "Hello, we have received your message.",
        ],
        "body": [
            "We could not find an order that matches this review.",
            "Every item from {store} is genuine and checked before it ships.",
            "To look into it, we need the order number.",
            "We have no purchase on record that matches this account.",
            "Each order from {store} is inspected and recorded before dispatch.",
            "The specifications on the product page match the item.",
            "We take every review seriously and look into each one.",
            "We are checking the dispatch and inspection records.",
            "What you describe has been noted and will be checked point by point.",
        ],
        "closing": [
            "Please contact our customer service with your order number.",
            "We will look into this under the platform's rules.",
            "We look forward to the order details so that we can check.",
            "Our customer service team can be reached from the store page.",
            "You are welcome to message us through the platform.",
            "We will post here once we have checked.",
            "Our team is glad to help with anything still unclear.",
        ],
    },
}

# The neutral pieces that tell buyers the store found no order or purchase for the review: true, and said, only of a
# review matching none of our orders; one suspected for another reason (a competitor marker) is on an order we have.
NO_ORDER_FOUND = {
    "zh": frozenset({"我们未能查到与这条评价对应的订单记录。", "我们在后台没有找到与您账号相关的购买记录。"}),
    "en": frozenset({"We could not find an order that matches this review.",
                     "We have no purchase on record that matches this account."}),
}  # fmt: skip

# The neutral pieces that ask the buyer for the order: said only of a review matching none of our orders. On one of
# our orders (suspected for a competitor marker) the store has it, and asking in public reads as not having looked.
ASKS_FOR_THE_ORDER = {
    "zh": frozenset({"为了核实情况,请您提供订单号。", "核实订单之后,我们才能查明具体情况。",
                     "如有疑问,欢迎携订单号联系在线客服。", "期待您提供订单信息,以便我们进一步核实。"}),
    "en": frozenset({"To look into it, we need the order number.",
                     "Please contact our customer service with your order number.",
                     "We look forward to the order details so that we can check."}),
}  # fmt: skip
