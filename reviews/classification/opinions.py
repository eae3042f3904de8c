"""General Chinese evaluative vocabulary for reading complaints about the product itself (ADR 0007).

Not phrases of any one review: the common words customers use to speak ill of a thing (PRODUCT_FAULTS), the praise
words whose negation is a complaint (PRAISE_NEGATED), the parts and attributes of goods they speak of (PRODUCT_PARTS:
general goods, books and media, electronics), and the topics that belong to another cause (OTHER_TOPICS), where a
complaint word is about the shipping, the staff, the price or the paperwork rather than the product.
"""

import re

from .scanner import compile_word_class

PRODUCT_FAULTS = compile_word_class(
    r"差劲|很差|太差|较差|比较差|极差|真差|差了点|质量差|烂|糟糕|垃圾|劣质|粗糙|廉价|鸡肋|"
    r"失望|后悔|上当|无聊|没意思|乏味|空洞|肤浅|浅显|幼稚|啰嗦|废话|牵强|做作|平淡|平庸|俗气|不知所云|看不下去|读不下去|"
    r"别扭|麻烦|费劲|费事|折腾|困难|难用|难装|难看|难懂|难受|丑|"
    r"慢|卡顿|很卡|有点卡|死机|蓝屏|黑屏|花屏|闪屏|重启|故障|坏了|坏掉|坏点|亮点|暗点|噪音|噪声|底噪|杂音|吵|响声|异响|很响|太响|"
    r"烫|发热|过热|热量大|温度高|不稳定|缺陷|毛病|瑕疵|错字|错别字|印刷错误|盗版|缺页|掉页|散架|开胶|松动|空白页|"
    r"折痕|划痕|指纹|脏|异味|臭|刺鼻|"
    r"不足|缺点|不合理|不人性化|不方便|不习惯|不爽|不好用|不实用|不喜欢|不值得|不兼容|不支持|不能用|用不了|无法|不灵|"
    r"失败|忽悠|炒作|名不副实|名不符实|误导|受不了|无法忍受|郁闷|不行|一般般|很一般|比较一般|太一般|"
    r"太少|太短|太低|太弱|太薄|太重|太沉|偏重|有点沉|有点重|不够|过时|没用|无用|没啥用|"
    r"不清楚|不清晰|模糊|不理想|不给力|不专业|不咋地|不怎么样|不敢恭维|空话|内容空|错误|拼错|印错|"
    r"[小少差慢短低弱薄]了(?:一)?点|(?:稍|略|偏)(?:差|弱|低)|(?<=[的得])一般|偷工减料|陈旧|离奇|虚伪|煽情|夸大|不可理解|难以理解|"
    r"不知道(?:怎么|如何)(?:装|用|弄|打开)"
)
# Praise that, negated ("不太实用", "没有想象中的好", "并不喜欢"), is a complaint.
PRAISE_NEGATED = compile_word_class(
    r"(?:不|没|没有|并不|不太|不是很|不是太|不怎么|没什么|没多少|毫无|谈不上|算不上)"
    r"(?:太|很|那么|想象中的|想像中的|预想的|期待的|多|什么)?"
    r"(?:好(?!意思)|喜欢|实用|方便|稳定|流畅|清晰|满意|合理|人性化|灵敏|结实|精彩|有趣|趣味|感人|新意|意思|价值|帮助|启发|"
    r"理想|专业|吸引|共鸣|兴趣|感兴趣|可读性|深度|内涵|逻辑|条理|系统性|好用|好看|耐用|用处|作用|可信|真实|通用|清楚|详细)"
)
PRODUCT_PARTS = compile_word_class(
    r"书|内容|故事|情节|文笔|语言|作者|文字|插图|图画|画面|图片|印刷|纸张|纸质|装订|封面|翻译|观点|例子|排版|字体|"
    r"作品|小说|事例|案例|序言|章节|单词|词汇|句子|知识|理论|"
    r"光盘|碟|"
    r"屏幕|屏|电池|续航|系统|驱动|键盘|按键|触摸板|触控板|散热|风扇|声音|音质|音量|喇叭|音箱|耳机|声卡|显卡|内存|硬盘|"
    r"光驱|接口|USB|usb|摄像头|外壳|机身|做工|设计|配置|性能|速度|运行|开机|软件|分区|网卡|蓝牙|无线|充电器|适配器|电源|"
    r"CPU|cpu|主板|BIOS|bios|Vista|vista|VISTA|XP|xp|Linux|linux|[Ww]indows|WINDOWS|[Ww]in7|反应|"
    r"质量|材质|材料|功能|效果|外观|手感|机器|电脑|本本|笔记本|本子|产品|商品|塑料|模具|边角|顶盖|按钮|插槽|指示灯|螺丝|"
    r"味道|气味|颜色|表面|重量"
)
# A clause about one of these speaks of another cause's matter, not of the product.
OTHER_TOPICS = compile_word_class(
    r"快递|物流|送货|发货|到货|配送|邮寄|收到货|包装|运输|客服|售后|服务|态度|电话|价格|价钱|价位|售价|钱|贵|便宜|降价|"
    r"性价比|优惠|赠|送了|没送|不送|发票|订单|退货|换货|退款|"
    # The shop or the platform itself ("京东的系统还是不够完善", "对当当失望"): its service, not the goods.
    r"当当|京东|卓越|亚马逊|淘宝|天猫|商城|网站|网店|店家|商家|卖家|掌柜|店铺"
)

# What an "other" complaint is about, by the labelling guideline: an invoice, a gift or accessory, the manual, a wrong,
# used or out-of-stock item, returns, refunds, a cancelled order, the warranty. The learned model's "other" stands only
# on such words: read from anything else ("订单", "过程中") it is the model's noise, not a complaint of that kind.
OTHER_MATTERS = compile_word_class(
    r"赠|附送|附带|送的|没送|不送|没有送|配件|附件|鼠标|(?<!包)包(?!装|裹)|光盘|系统盘|驱动盘|恢复盘|说明书|书签|藏书票|"
    r"发票|开票|票|报销|退|换货|补发|补寄|寄回|无理由|卡|券|卷|缺货|没货|现货|取消|二手|旧|全新|用过|拆过|发错|错发|保修|质保|售后|"
    r"维修|"
    r"\b(?:invoice|receipt|gift|manual|refund|return|warranty|cancel\w*|second-?hand|used|wrong)\b",
    re.IGNORECASE,
)

# Size is about dimensions: "太小" of memory, sound, battery or a child's age is a magnitude of something else.
DIMENSIONAL = compile_word_class(
    r"尺寸|尺码|码数|大小|长度|宽度|厚度|高度|个头|体积|开本|版式|字体|字号|字|屏幕尺寸|寸|键|触摸板|触控板|鼠标|线|"
    r"包|书本|本子|机身|外壳|边框|厚|薄|宽|窄|腰|肩|袖|裤|鞋|码|圈|带|重量|笨重|沉|屏幕|屏"
)
# Money or the price named outright: a price complaint in these words is one whatever else the review says.
MONEY = compile_word_class(r"价|钱|银子|贵|便宜")
# Weight: heavy, light, bulky ("太重", "有点沉", "笨重"), a dimension of the goods by the labelling guideline.
WEIGHT = compile_word_class(r"重|沉|轻")
# Loose or tight said of a part of a device or a book (a keyboard, a hinge, a battery, a binding) is its build,
# not its fit: the fit of what is worn is size.
LOOSE_PART = compile_word_class(
    r"键盘|按键|键|转轴|触控板|触摸板|电池|接口|插口|电源口|充电口|连接处|连接的地方|[A-Da-d]面|外壳|螺丝|屏幕|屏|光驱|装订|书脊|"
    r"盖子|卡扣|左托|托|插头|机身"
)
MAGNITUDES = compile_word_class(
    r"声音|音量|噪声|噪音|响声|内存|硬盘|容量|空间|电量|续航|电池时间|时间|速度|发热|热量|温度|亮度|可视角|视角|分辨率|"
    r"刷新率|压力|误差|差距|年龄|(?<![女男])孩子|小孩|宝宝|儿童|字数|内容|作用|影响|帮助|意义|价格|价|钱|风扇|功率|信号|色域|"
    r"范围|力度|反应|延迟|缓存|显存|像素|画质|音质|信息量|工作量|篇幅|味道|气味|难度|[CDEcde]盘|分区|问题|风力|"
    # A book's text that runs long or short ("故事都太长了", "章节太短"): its content, not the book's size.
    r"故事|情节|文章|章节|句子|段落|"
    # Paper too thick or thin is the paper's quality, not the book's size.
    r"纸张|纸质|用纸|"
    # A feel or a sound ("塑料感太重", "光驱响动有点大"): its strength is a magnitude.
    r"(?<![感])感(?![觉到受])|响动|动静"
)

# The customer dealt with the shop's staff: contacted them, asked for an exchange or a return, complained.
SERVICE_CONTACT = compile_word_class(
    r"联系|申请|投诉|咨询|致电|打电话|客服|售后|换货|退货|退换|更换|(?:找|问)(?:了)?(?:卖家|商家|店家|掌柜|他们)"
)

# What the seller said of the goods: its page, blurb, title, advertising or specification ("介绍中的9.5小时",
# "书名起得吸引人", "号称130w"). A friend's or a reader's recommendation is not the seller's claim.
CLAIMS = compile_word_class(
    r"(?<![朋友别人同事网友大家])介绍|宣传|广告|书名|标题|题目|号称|宣称|标称|声称|说明上|说明中|说明里|网页|页面|"
    r"配置表|商品信息|写着|标明|标注|封面|推荐语|宣传语|简介|内容提要|编辑推荐|促销消息|标榜|(?<![我你他她来])形容(?!词)|资料上|"
    # Marked or stated on the goods or their page ("标有蓝牙标志", "京东标的不对", "说明是预装vista的").
    r"标有|标着|(?:京东|天猫|淘宝|当当|网上|页面|网页|商家|卖家|店家|官方|上面)标的|说明是"
)
# A figure the goods were stated to have, not met (rules/figures.py): "电池远没有8.5小时那么久", "没有9.5小时，", or
# stated ("标称320G", "参数说3个") and then found otherwise ("只见到298G", "实际大概2.5小时").
_FIGURE = (  # one group: a number and its unit
    r"(?:\d+(?:\.\d+)?\s*(?:个\s*)?(?:小时|G|GB|M|MB|T|TB|寸|英寸|W|w|瓦|毫安|mAh|核|芯|页|公斤|千克|克|斤|cm|厘米|毫米|mm|米|"
    r"万像素|像素)|\d+\s*个)"
)
FIGURE_NOT_REACHED = compile_word_class(
    r"(?:没有|没|达不到|不到)(?:传说中的?|说的|标称的?|写的|宣传的?|所说的|介绍的?)?\s*"
    + _FIGURE
    + r"(?=\s*(?:那么|那样|这么|呀|啊|吧|$|[,，。.!！?？;；]))"
)
FIGURE_STATED = compile_word_class(
    r"(?:标称|号称|宣称|标配|参数|配置表|写的是|写着|标注|标明|介绍|宣传)[^,，。.!！?？;；]{0,8}" + _FIGURE
)
FIGURE_FOUND = compile_word_class(r"(?:实际|其实|只|仅|才|显示|见到)[^,，。.!！?？;；]{0,8}" + _FIGURE)
# A letdown measured against a claim: the goods fall short of it, it misled, or it was simply untrue.
LETDOWN = compile_word_class(
    r"上当|受骗|被骗|骗人|骗子|忽悠|误导|言过其[词实辞]|吹嘘|吹得|吹的|夸大|夸张|名不副实|名不符实|挂羊头卖狗肉|"
    r"不符|不相符|不附和|不一致|有出入|两回事|不是|并非|其实|实际上|实际只|才知道|原来是|原来只|并不|没那么|"
    r"(?:远)?没有[^,，。!！?？;；]{0,10}(?:那么|那样|那般)|不如|迷惑|绰头|噱头|相反|不适合|言不由衷|"
    # The claim is told to differ, or to be wrong and to want correcting ("相差较大", "标的不对", "资料上要改改了").
    r"相差|有误|不对|错误|改正|更正|要改|"
    # A feature it claimed that cannot be found or used ("说带无线网卡插槽的，找了半天没找出来", "可是用不了").
    r"找不到|没找到|没找出来|找不着|用不了|不能用|没法用|无法使用|"
    # The claim, then what is not there ("标有蓝牙标志，但没有内置蓝牙").
    r"但没有|却没有|可没有"
)

# The price told as too high in words other than "贵" (rules/prices.py): named and called high ("定价高", "价格还是很
# 不菲"), wished lower ("价格可再降", "价格还有下降的余地"), no lower than elsewhere ("跟官网报价没差多少"), or money
# spent for nothing ("浪费了银子", "多掏钱").
PRICE_NOUN = r"(?:价格|价钱|价位|定价|报价|售价|标价)"
PRICE_HIGH = compile_word_class(
    PRICE_NOUN
    + r"(?:也|又|还|还是|就|真|实在|有点|有些|比较|很|太|偏|略|稍|相当|明显)*(?:高|不菲|昂贵)(?![档端级兴效手度])"
)
PRICE_WISHED_LOWER = compile_word_class(
    PRICE_NOUN + r"[^,，。.!！?？;；]{0,6}(?:再(?:降|低|便宜|往下|下调|少)|下降的?(?:空间|余地)|更(?:加)?(?:低|便宜)"
    r"(?:一些|一点|些|点)?就好)"
)
NO_CHEAPER = compile_word_class(
    PRICE_NOUN + r"[^,，。.!！?？;；]{0,12}(?:没差多少|差不多|相差无几|差不了多少)|"
    r"(?:和|跟|与)[^,，。.!！?？;；]{1,10}(?:价格|价钱|报价|售价)[^,，。.!！?？;；]{0,3}(?:没差多少|差不多|相差无几|差不了多少|一样)"
)
MONEY_WASTED = compile_word_class(
    r"(?:浪费|白花|百花|心疼|冤枉|白白|多掏|多花)了?(?:我的|那么多|这么多|这个|这些|这笔|这份)?(?:钱|银子|银两|大洋|人民币)"
)

# Deceit, and who it was told of (rules/deceit.py): misled by other buyers' word rather than the page, or a third
# party misled rather than the customer.
DECEIT = compile_word_class(r"受骗|被骗|欺诈|误导|骗|上当|言过其[词实辞]|名不副实|名不符实")
OTHERS_WORD = compile_word_class(r"评论|书评|评价|网友|网评|别人|他人|口碑|传言|传闻")
THIRD_PARTY_AFTER = compile_word_class(
    r"^(?:了|着)?(?:广大|很多|许多|一些)?(?:大众|读者|他们|大家|人们|别人|青少年|年轻人|孩子|学生|群众)"
)
THIRD_PARTY_BEFORE = compile_word_class(
    r"(?:大家|读者|别人|他们|人们|孩子)(?:千万|可|都)?(?:不要|别|会|容易)?(?:被|受)?$"
)
