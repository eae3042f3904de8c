"""The built-in letter, in Chinese and English, used where a store has written no template that fits.

Four parts, one wording each: a greeting, thanks for the purchase, the invitation to bring any problem to us
first (with the manager's hotline: it is in every closing), and a sign-off. Never mention reviews here: the
platform rules (crm.platform_rules) forbid tying anything to one, and a letter that asks for one reads as a trade.
"""

DEFAULT_PARTS = {
    "zh-hans": {
        "openings": [
            "亲爱的{customer}，您好！",
            "尊敬的{customer}：",
            "{customer}，见字如面。",
            "亲爱的{customer}：",
            "{customer}您好，这是一封来自{store}的感谢信。",
            "致亲爱的{customer}：",
        ],
        "bodies": [
            "感谢您选择{store}的{product}。它出库前经过了我们逐件检查，希望它能陪伴您很久。",
            "谢谢您对{store}的信任。您的{product}由我们亲手包装，愿它打开的那一刻让您欢喜。",
            "您挑选的{product}已经在路上了。每一件商品都凝结着匠人的心血，也承载着我们对您的感谢。",
            "能为您准备{product}，是我们的荣幸。我们仔细核对了您的订单，希望它完全符合您的期待。",
            "感谢您在众多选择中选了{store}。这份{product}，我们包装得格外用心。",
            "收到您的订单，整个团队都很开心。{product}已经过质检，正在发往您的身边。",
            "每一位顾客的信任都让我们不敢懈怠。您的{product}我们检查了两遍，才放心地交给快递。",
            "谢谢您给了我们为您服务的机会。愿这份{product}为您的日子添一点美好。",
        ],
        "closings": [
            "如果物流、质量、做工、设计或售后有任何不如意，请随时联系我们的客服；"
            "如果客服的答复不能让您满意，请直接拨打店长热线 {hotline}。",
            "无论是物流、质量、做工、设计还是售后，只要有一点不满意，请先告诉我们的客服；"
            "若答复未能让您满意，欢迎致电店长 {hotline}。",
            "收货后如发现物流、质量、做工或设计上的任何问题，请随时找我们的客服；"
            "客服处理得不好，请拨打店长电话 {hotline}，我们一定负责到底。",
            "若您对物流、质量、做工、设计或售后有任何意见，请第一时间联系客服；"
            "如果仍不满意，店长热线 {hotline} 随时为您服务。",
            "任何关于物流、质量、做工、设计或售后的问题，都请先联系我们的客服；"
            "对答复不满意时，请拨打店长热线 {hotline}。",
            "如有物流、质量、做工、设计或售后方面的不满，请随时联系客服；"
            "若客服的答复不能令您满意，请直接致电店长 {hotline}。",
        ],
        "signoffs": [
            "{store} 全体同仁 敬上",
            "祝您生活愉快！{store}",
            "此致 敬礼！{store} 客服团队",
            "期待再次为您服务。{store}",
            "顺颂时祺！{store} 敬上",
        ],
    },
    "en": {
        "openings": [
            "Dear {customer},",
            "Hello {customer},",
            "Dear {customer}, a note from all of us at {store}.",
            "To {customer}, with thanks,",
            "Dear {customer}, thank you.",
        ],
        "bodies": [
            "Thank you for choosing your {product} from {store}. We checked it by hand before it left us.",
            "Your {product} was packed with care, and we hope it brings you joy for a long time.",
            "It was a pleasure to prepare your {product}. We checked your order twice before it shipped.",
            "Thank you for trusting {store}. Your {product} is on its way to you.",
            "Every {product} we send is inspected by our team, and yours was no exception.",
            "We are grateful you chose {store}, and we hope your {product} is everything you expected.",
        ],
        "closings": [
            "If anything about shipping, logistics, quality, workmanship, design or after-sales is not right, "
            "contact our customer service at any time; if their answer does not satisfy you, call the store "
            "manager at {hotline}.",
            "Should shipping, quality, workmanship, design or after-sales fall short in any way, please tell our "
            "customer service first; if you are not satisfied with their answer, the store manager is at {hotline}.",
            "If anything is not right (delivery, quality, workmanship, design or after-sales), our customer "
            "service is there for you; and if their answer is not enough, please call the store manager at "
            "{hotline}.",
            "Please contact our customer service about anything to do with delivery, quality, workmanship, design "
            "or after-sales; if you are still not satisfied, call the store manager directly at {hotline}.",
            "Whatever the problem, shipping, quality, workmanship, design or after-sales, tell our customer "
            "service first; if their answer does not satisfy you, the store manager's line is {hotline}.",
        ],
        "signoffs": [
            "Warm regards, the team at {store}",
            "With thanks, {store}",
            "Yours sincerely, {store} customer care",
            "We look forward to serving you again. {store}",
        ],
    },
}

# What {customer} reads as when the customer's name shows nothing (only spaces, a zero-width space, a blank filler).
NO_CUSTOMER = {"zh-hans": "顾客", "en": "valued customer"}
# What {product} reads as when an order names no product.
NO_PRODUCT = {"zh-hans": "宝贝", "en": "order"}
