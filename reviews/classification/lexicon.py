"""The classifier's dictionaries: complaint phrases per cause, aspects and opinions, negators.

Patterns are regular expressions over Chinese and English text. Add a phrase where real reviews show it;
re-run `python -m reviews.evaluation` and keep the figures in docs/reviews.md honest (how to add a rule is there).
"""

import re

from crm.models import CaseCause as Cause

from .scanner import compile_word_class

# Clause punctuation is matched in both widths: platforms deliver Chinese text with full-width ，！？； and the
# labelled sets happen to use ASCII ones.
# Order matters only for display: the dictionaries are independent.
PHRASES: dict[str, list[str]] = {
    Cause.QUALITY: [
        r"质量(?:很|太|真|真的|非常|特别|有点|有些|比较|实在|也|就|超|极其|十分)?(?:差|不好|不行|一般|堪忧|太次|次|不过关|不咋地|不怎么样|垃圾|有问题)",
        r"质量问题",
        r"做工(?:很|太|非常|特别|有点|比较|实在)?(?:粗糙|差|不好|一般|不行|不精细|马虎)",
        r"粗糙",
        r"起球",
        r"掉色",
        r"褪色",
        r"开线",
        r"脱线",
        r"线头",
        r"破洞",
        r"(?:用|戴|穿|洗)了?[^,，。!！?？;；]{0,6}(?:就|便)(?:坏|断|裂|破|掉|开|变形|起球|褪色|掉色)",
        r"(?:表|手表)[^,，。!！?？;；]{0,6}(?:停了|不走了|走时不准|慢了|快了)",
        r"走时不准",
        r"机芯",
        r"(?:拉链|扣子|卡扣|搭扣)[^,，。!！?？;；]{0,6}(?:卡|不顺|坏|掉)",
        r"折痕",
        r"掉毛",
        r"(?:全|都)是(?:毛)?球",
        r"(?:镀层|电镀)[^,，。!！?？;；]{0,4}(?:掉|脱落|磨损)",
        r"黑点",
        r"(?:小坑|有坑|全是坑)",
        r"崩(?:开|了|坏)",
        r"(?:烟|怪|臭|漆|胶|塑料|霉|酸|焦)味",
        r"漏(?:了|液|油|电)",
        r"续航[^,，。!！?？;；]{0,6}(?:短|差|只)",
        r"\bleak(?:s|ed|ing)?\b",
        r"\bsnapp?(?:ed)?\b",
        r"棉絮",
        r"(?:头发|异物|虫子|沙子)",
        r"霉(?:味|点|斑)",
        r"(?:发苦|苦涩)",
        r"一泡就散",
        r"\bloose threads?\b",
        r"瑕疵",
        r"划痕",
        r"刮花",
        r"异味",
        r"(?:味道|气味)(?:很|太|特别|非常)?(?:大|重|难闻|刺鼻)",
        r"刺鼻",
        r"假货",
        r"不是正品",
        r"仿品",
        r"山寨",
        r"劣质",
        r"廉价感",
        r"质感(?:很|太)?(?:差|一般|廉价)",
        r"起毛",
        r"变形",
        r"漏水",
        r"漏气",
        r"(?<![券码])(?<!券.)(?<!券..)(?:领了)?(?:不能用|没法用|无法使用|用不了)",
        r"故障",
        r"失灵",
        r"氧化",
        r"生锈",
        r"掉漆",
        r"缩水",
        r"次品",
        r"残次",
        r"发霉",
        r"杂质",
        r"受潮",
        r"(?:茶|茶叶)[^,，。!！?？;；]{0,4}(?:碎末|陈|霉|不新鲜)",
        r"不新鲜",
        r"皮(?:子|料|质)?(?:很|太|比较|有点|有些)?(?:硬|差|薄|开胶|掉皮)",
        r"开胶",
        r"掉皮",
        r"\bpoor(?:ly)? (?:quality|made)\b",
        r"\bbad quality\b",
        r"\bcheap(?:ly)? (?:made|material|feel|quality)\b",
        r"\bfeels cheap\b",
        r"\b(?:fell apart|falling apart)\b",
        r"\bdefect(?:ive|s)?\b",
        r"\bstitching\b",
        r"\b(?:fake|counterfeit|knock-?off)\b",
        r"\bflimsy\b",
        r"\bscratch(?:ed|es)?\b",
        r"\b(?:smells?|odou?r)\b",
        r"\bstopped working\b",
        r"\bpilling\b",
        r"\bfad(?:ed|es|ing)\b",
        r"\b(?:tore|torn|ripped|frayed)\b",
        r"\bstale\b",
    ],
    Cause.DESCRIPTION_MISMATCH: [
        r"色差",
        r"颜色(?:和|跟|与)?(?:图片|图上|照片|详情页|描述)?[^,，。!！?？;；]{0,4}(?:不一样|不对|不符|不同|有差别|差别|差很多|差太多|偏差)",
        r"颜色(?:有点|有些|明显|稍微)?(?:偏|发)(?:黄|暗|深|浅|红|白|灰|紫|青)",
        r"(?:和|跟|与)(?:描述|图片|照片|详情页|宣传|介绍|主图|页面)[^,，。!！?？;；]{0,6}(?:不符|不一样|不同|差距|差别|相差|两回事|不搭边|差很多|差太多|差好多|差得远)",
        r"(?:实物|收到的|颜色|实际)?比(?:图片|图上|照片|描述|主图|详情页)[^,，。!！?？;；]{0,3}(?:暗|深|浅|黄|灰|差|薄|旧|丑|土)",
        r"(?:完全|根本)?(?:是)?两(?:回|码)事",
        r"不是(?:图片|图上|主图|详情页)(?:上)?(?:的|那个|那款|那种)",
        r"(?:实物|收到的|到手)(?:颜色)?(?:有点|有些|明显)?(?:发|偏)(?:灰|黄|暗|深|浅|红|白|紫|青)",
        r"\bcompared (?:to|with) the (?:product )?(?:photos?|pictures?|listing|description)\b",
        r"描述不符",
        r"图文不符",
        r"货不对板",
        r"照骗",
        r"买家秀",
        r"实物(?:和|跟|与)?(?:图片)?[^,，。!！?？;；无没不]{0,4}(?:差|不如|不一样|不符|差距|差别)",
        r"(?:不是|并非)(?:真丝|纯棉|羊皮|真皮|和田玉|纯银|足金|实木|原产)",
        r"(?:材质|材料|成分)[^,，。!！?？;；]{0,4}(?:不符|不对|不一样|和描述|写的)",
        r"(?:虚假|夸大)(?:宣传|描述)",
        r"没有(?:图片|图上|照片|宣传)(?:上|里|中)?(?:的|那么|那样|漂亮|好看)",
        r"\bcolou?rs? (?:is |are |was |were |looks? )?(?:different|off|wrong|not the same|darker|lighter|duller)\b",
        r"\bcolou?r difference\b",
        r"\bnot (?:as|what was) (?:described|pictured|shown|advertised)\b",
        r"\b(?:doesn'?t|does not|didn'?t|did not) (?:look|match) (?:like )?(?:the )?"
        r"(?:picture|photo|description|listing)s?\b",
        r"\blooks nothing like\b",
        r"\bdifferent from the (?:picture|photo|description|listing)s?\b",
        r"\bmisleading\b",
        # The page as the yardstick, in general form: the goods are "not like", "not as much as", "further from" what
        # the page, description or photos said, whatever the attribute.
        r"(?:不像|不太像|不是很像|没有|达不到|不如)(?:介绍|描述|宣传|页面|详情页?|图片|图上|主图|广告|商品页)(?:里|上|中)?"
        r"(?:说|写|讲|描述|宣传|展示|承诺)?的",
        r"(?:没有|没|达不到|不如|不到)(?:写|说|标|宣传|描述|介绍|承诺|标注)的(?:那么|那样|那种)",
        r"(?:和|跟|与|同)(?:描述|图片|照片|详情页?|宣传|介绍|主图|页面)(?:上|里|中)?(?:的|说的|写的)?[^,，。!！?？;；]{0,8}"
        r"(?:差太远|差很远|差得远|天差地别|天壤之别|对不上|不沾边|判若两)",
        r"(?:实物|收到的|到手的?|拿到的?)比(?:图片|图上|照片|描述|主图|详情页|宣传)[^,，。!！?？;；]{0,3}(?:淡|艳|糙|粗|模糊|廉价|普通|难看)",
        r"\b(?!(?:better|nicer|prettier|lovelier|greater|classier|softer|smoother|sturdier|comfier|richer|fresher)\b)"
        r"[a-z]+er than "
        r"(?:described|advertised|pictured|shown|listed|(?:in )?the (?:photos?|pictures?|description|listing|ad))\b",
        r"\bnothing like (?:the |its |what was )?"
        r"(?:description|photos?|pictures?|listing|advertised|described|shown|pictured)\b",
        r"\b(?:label|page|listing|description|tag|site) (?:says|said|claims|claimed|states|stated)\b[^.]{0,40}"
        r"\b(?:but|mine|actually|clearly|really)\b",
        # What the page, the blurb or the listing said, against what came (books and devices say 介绍/宣传/标称).
        r"(?:没有|没|不像|不象|不如)(?:网上|页面|商品|产品)?(?:的)?(?:所)?(?:介绍|宣传|描述|说明|广告|标称)(?:上|里|中)?(?:说|写)?(?:的|得)?",
        r"言过其实|虚假宣传|夸大宣传|宣传(?:过于|太|有点|得)?夸张",
        r"(?:与|和|跟)(?:介绍|描述|说明|宣传|参数|标称|标示|标注|网上说|所说|说的|写的|京东所标)的?[^,，。!！?？;；]{0,6}"
        r"(?:不符|不一样|不同)",
        r"宣传(?:的|得)?[^,，。!！?？;；]{0,4}(?:过头|有点过|太过|过分|夸张|吹)|(?:都是|全是|全靠)宣传",
        r"比(?:说明|标称|宣传|介绍)(?:上|的)?(?:少|短|差)",
        r"(?:描述|介绍|说明|书名|标题|图片|图)[^,，。!！?？;；]{0,6}(?:不符|是错的|有误)",
        # Deceived or misled: in a review of goods bought unseen, what deceived is the page, the blurb or the title
        # ("有种受骗的感觉", "京东有误导", "标题党", "挂羊头卖狗肉"); a bare 上当 is as often poor goods: not here.
        r"受骗|被骗|欺诈|误导|挂羊头卖狗肉|标题党|名不副实|名不符实",
    ],
    Cause.SIZE: [
        r"(?:尺码|尺寸|码数|鞋码|号码|大小|圈口)(?:很|太|有点|有些|明显|严重|完全)?(?:偏大|偏小|不准|不对|不标准|有问题|不合适|不符|太大|太小|小了|大了|不一样)",
        r"偏大",
        r"偏小",
        r"偏(?:长|短|肥|瘦|紧|松|宽|窄)",
        r"拖地",
        r"(?:掉跟|不跟脚)",
        r"(?:大|小)了?(?:一|两|二|半)(?:个)?(?:号|码|圈)",
        r"(?:长|短|大|小)了一截",
        r"比想象(?:中|的)?(?:的)?(?:小|大)",
        r"放不(?:进|下)",
        r"(?<![不没差距别])(?:太|有点|有些)(?:紧|松|长|短|肥|瘦|挤)了?(?![方气家概众学多小半贵遗问瑕失郁烦激生不儿重]|的(?:问题|毛病|瑕疵))",
        # Big or small said alone, not as the diminutive or intensive of what follows ("有点小麻烦", "有点小热",
        # "太大意", "有些小瑕疵"): the word must end there, before a particle, a conjunction or punctuation.
        r"(?<![不没差距别])(?:太|有点|有些|稍显|略显|稍微|稍|略)(?:大|小)了?"
        r"(?=$|[了的啊呀吧哦呢啦嘛哈喔噢哟咯点些一太又而且还也都就很不，,。.!！?？;；~～、\s…])(?!的(?:问题|毛病|瑕疵))",
        # Thick and wide are dimensions ("机身有点厚", "厚了不少", "屏幕边框太宽"); "厚道" and "厚实" are not.
        r"(?<![不没])(?:太|有点|有些|比较|偏|稍|略|过|也太|还是|很|挺|真|较)厚(?![道实度])|厚了(?:不少|很多|一些|点)?|厚重",
        r"(?:边框|黑边|屏幕的?边)[^,，。!！?？;；]{0,3}(?:太|有点|有些|比较|过于|过|很|也)?(?:宽|大)",
        r"(?:个头|体积|块头)(?:有点|有些|太|比较|较|偏|稍|过于)*(?:庞)?大",
        # Wished lighter or thinner ("如果轻些就好了", "应该再轻薄一点"): the weight or bulk is the complaint.
        r"(?:再|如果|要是|能|希望)(?:能|再)?(?:轻薄|轻|薄)(?:一)?(?:点|些)",
        # Weight and bulk are the goods' dimensions too ("机器太重", "有点沉", "笨重"); not 严重, 重装, 重新, 重要.
        r"(?<![不没严尊慎])(?:太|有点儿?|有一点儿?|有些|比较|偏|稍|略|过|也太|还是|挺|很|真|稍显|略显|稍感|略感|稍微|较|超|又|"
        r"而且|还|更)(?:重|沉)(?:的(?=$|[,，。.!！?？;；~～]))?"
        # 重 and 沉 in words of another sense ("重新", "重要", "沉迷") are not weight.
        r"(?![新装启要复视点做印版量心于的重口大任担伤创申置播来写买发回拾叠温演现看读迷默淀浸稳思])",
        # Heavier than thought, weight said not to be light ("比想象中重很多", "重量不轻").
        r"比(?:我)?想象(?:中|的)?(?:的)?(?:重|沉)|重量(?:也|并|可)?不轻",
        r"笨重|(?<![买严加慎])(?:重|沉)了(?:点|一点|些|一些|不少|很多)?|重量(?:较大|太大|偏大|很大|稍大|大了)",
        # The size of a screen, keyboard or print ("屏幕小了点", "字体小", "键盘分布比较密集").
        r"(?:屏幕|屏|键盘|按键|字体|字号|字)(?:再|稍|略|有点|有些|太|偏|比较|也|还是|实在)?(?:小|大)(?:了|点|一点|些|一些)",
        r"(?:屏幕|字体|字号|小字)(?:太|偏|有点|有些|比较|稍)?小(?![巧号说])|密密麻麻的小字|(?:键盘|按键)[^,，。!！?？;；]{0,4}密集",
        # The same with any run of degree words, the word ending there ("屏幕还是比较小的", "键盘小,").
        r"(?:屏幕|屏|键盘|按键|字体|字号|字)(?:还是|也|再|稍|略|有点|有些|太|偏|比较|较|实在|真|很|显得|感觉)*(?:小|窄)"
        r"(?:了|点|一点|些|一些|的)?(?=$|[,，。.!！?？;；~～\s])",
        r"不合身",
        r"穿不(?:上|进|下)",
        r"戴不(?:上|进|下)",
        r"套不进",
        r"挤脚",
        r"磨脚",
        r"勒(?:得|的)?(?:慌|疼|难受|手|脖子)",
        r"\btoo (?:small|big|large|tight|loose|long|short|narrow|wide)\b",
        r"\bruns (?:small|large|big)\b",
        r"\b(?:doesn'?t|does not|didn'?t|did not) fit\b",
        r"\bsiz(?:e|ing) (?:is |was )?(?:off|wrong|inaccurate)\b",
        r"\bwrong size\b",
        r"\bfits? (?:poorly|badly)\b",
    ],
    Cause.PRICE: [
        r"降价",
        r"价格(?:很|太|有点|也)?(?:贵|偏贵|不透明|不值|混乱|坑)",
        r"虚高",
        r"被坑",
        r"比平(?:时|常)(?:还|都)?(?:高|贵)",
        r"便宜(?:不少|很多|好多|一大截)",
        r"贵了",
        r"买一送一",
        r"(?:没有|没给|少了|少发|不送)(?:赠品|礼品)",
        r"(?:太|有点|偏|真)贵",
        r"不值(?:这个价|这价|这个钱|这钱|得)?(?!得?(?:去|再)?一?(?:看|读|提|收藏|推荐|信|期待|拥有|买|购买|购))",
        r"跌价|掉价",
        r"浪费(?:钱|银子|了?\s*(?:\d+|[一二三四五六七八九十两几]+)\s*(?:块|元))|白花钱|冤枉钱",
        r"性价比[^,，。!！?？;；]{0,8}(?:不高|低|差|不如|没有)",
        r"买早了",
        r"买贵了",
        r"差价",
        r"保价",
        r"价保",
        r"优惠券",
        r"满减",
        r"(?:活动|优惠|促销|规则|折扣)[^,，。!！?？;；]{0,6}(?:不清楚|没说清|说不清|坑|套路|不明|看不懂|不兑现|没兑现|没有兑现|复杂)",
        r"套路",
        # The guideline's "promotion not honoured": it ended, or was withdrawn, while the customer counted on it.
        r"(?:活动|优惠|促销|满减)[^,，。!！?？;；]{0,6}(?:已经|早就|提前)?(?:结束|过期|取消|下架)了",
        r"先涨(?:价)?后降",
        r"(?:便宜|降|少)了\s*(?:\d+|[一二三四五六七八九十两百千几]+)(?![\d一二三四五六七八九十两百千几]*\s*(?:公分|厘米|cm|毫米|mm|个|件|天|克|g|颗|粒|只|根|片|包|盒|瓶|条|双|张|支|斤|本|套|册|页|次))",
        r"(?:赠品|礼品|赠送)[^,，。!！?？;；]{0,4}(?:没有|没给|没收到|少了|不见)",
        r"说好的(?:赠品|礼品|返现|优惠|折扣)",
        r"返现",
        r"\bprice (?:drop(?:ped)?|went down|protection|difference|cut)\b",
        r"\boverpriced\b",
        r"\bnot worth\b",
        r"\b(?:coupon|promo(?:tion)?|discount)s?\b",
        r"\bcheaper\b",
        r"\brefund the difference\b",
        r"\btoo expensive\b",
        # A drop told by its amount ("又降了100", "掉了500"), a price conceded as high, money paid on top.
        r"(?:掉|跌|降)(?:了)?\s*(?:\d+|[一二三四五六七八九十两几]+[百千])(?:元|块|大洋)?",
        r"价(?:格|钱)(?:也|又|还)?(?:不低|不便宜)",
        r"价格保护",
        r"(?:那么|这么)贵",
        r"价(?:格|钱)[^,，。!！?？;；]{0,4}再(?:低|便宜)",
        r"(?:并非|不是|谈不上|算不上)物(?:有|超)所值",
        r"多(?:花|付)了",
        # A drop right after buying told without its amount ("前天买的书，今天就降了"), a price called high in other
        # words ("又贵又差", "也不便宜", "比别的贵不少"), money spent for nothing, a promotion just missed.
        r"(?:就|又|已经|马上|立马|立刻|隔天|第二天)降(?:了|价)",
        r"又贵|很贵|挺贵|贵不少|贵哦|(?:也|又|并)不便宜",
        r"心疼(?:我的)?(?:银子|钱)|白花了?(?:我的)?(?:钱|银子)|花冤枉|可惜钱|省(?:几百|好几百|一百|几十)",
        r"(?:没|没有)赶上[^,，。!！?？;；]{0,12}(?:活动|特价|促销|优惠|送)|(?:返券|返卷|送券)",
    ],
    Cause.LOGISTICS: [
        r"(?:物流|快递|配送|送货|运输|发货|到货|派送)(?:速度|服务)?(?:很|太|真|真的|超|特别|非常|有点|实在|也)?(?:慢|差|拖|磨蹭|龟速)",
        r"(?:迟迟|一直|好久|很久)(?:都)?(?:不|没|没有)?(?:发货|到货|送到|送货|更新)",
        r"(?:慢|晚|迟)了\s*(?:\d+|[一二三四五六七八九十两]+)\s*(?:天|周)",
        r"(?:物流|快递)[^,，。!！?？;；]{0,6}(?:没|不)(?:有)?更新",
        r"没(?:有)?更新物流",
        r"磕(?:坏|破|掉|碎)",
        r"第\s*(?:\d+|[一二三四五六七八九十两]+)\s*天才(?:发|到|送)",
        r"(?:放|停|卡|压|躺)了\s*(?:\d+|[一二三四五六七八九十两]+)\s*(?:多)?(?:天|周)",
        r"撞(?:凹|坏|破|瘪)",
        r"\bstuck\b",
        r"\bno (?:tracking )?updates?\b",
        r"\b(?:soaked|ruined)\b",
        r"(?:没有|没)(?:缓冲|泡沫|防震)",
        r"等了\s*(?:整整)?\s*(?:\d+|[一二三四五六七八九十两半]+)\s*(?:多)?(?:天|周|个星期|星期|礼拜)",
        r"(?:\d+|[一二三四五六七八九十两半]+)\s*(?:多)?(?:个)?(?:天|周|星期|礼拜|月)(?:才|都没|还没)(?:到|收到|送到|发货|发出)",
        r"好几天才到",
        r"(?:送货|发货|到货|配送|物流)[^,，。!！?？;；]{0,2}(?:近|将近|足足|整整)\s*(?:\d+|[一二三四五六七八九十两半]+)\s*(?:多)?(?:个)?"
        r"(?:天|周|星期|礼拜|月)",
        r"(?:多日|多天|好几天|几天|半个月|一个月)[^,，。!！?？;；]{0,4}(?:不见|未见|没见)(?:送货|发货|到货|货)",
        r"(?:自提点|提货点)[^,，。!！?？;；]{0,10}(?:不好找|难找|很乱|好乱|电话[^,，。!！?？;；]{0,4}不通)",
        r"没有?(?:用)?(?:塑料袋|塑封|包装)(?:包装|包)?",
        r"(?:包装|外包装|盒子|箱子|纸箱|纸盒|礼盒)[^,，。!！?？;；]{0,8}(?:破|烂|坏|压|瘪|简陋|太差|很差|湿|变形|泡软|鞋印|脚印)",
        r"压坏",
        r"压扁",
        r"破损",
        r"摔(?:坏|碎|裂)",
        r"(?:快递员|快递小哥|送货员|配送员|快递师傅|派件员)[^,，。!！?？;；]{0,8}(?:态度|不送|扔|甩|放|凶|骂|差|没打电话|不打电话)",
        r"不送上门",
        r"没(?:有)?送(?:货)?上门",
        r"放(?:在|到|了)?(?:驿站|快递柜|门口|丰巢)",
        r"暴力(?:运输|快递|分拣|装卸)",
        r"丢件",
        r"少件",
        r"漏发",
        r"\b(?:shipping|delivery|courier) (?:was |is )?(?:slow|late|terrible|awful|delayed)\b",
        r"\btook (?:\d+|two|three|four|five|six|ten|ages|forever) ?(?:days|weeks)?\b",
        r"\b(?:late|slow|delayed) (?:delivery|shipping)\b",
        r"\barrived (?:late|damaged|broken|crushed|dented|smashed)\b",
        r"\b(?:box|package|parcel|packaging) (?:was |were |is )?(?:crushed|damaged|dented|torn|wet|smashed|broken)\b",
        r"\b(?:courier|driver|delivery (?:guy|man|person|driver))(?: \w+)? (?:was |is )?"
        r"(?:rude|threw|left|refused|hung up)\b",
        r"\bdelivered (?:it )?to the wrong\b",
        r"(?:送|派送|投递|放)错(?:了)?(?:地址|地方|驿站|快递柜|小区)",
        r"\bleft (?:it )?(?:at the door|outside)\b",
        r"\bmissing (?:item|part|piece)s?\b",
        # The order's own events are in rules/delivery.py; these are the carrier chosen or the parcel's wrapping.
        r"(?:一层|薄薄的|简单的)(?:泡沫|纸|塑料)",
    ],
    Cause.SERVICE_ATTITUDE: [
        r"(?:客服|售后|卖家|商家|店家|掌柜)(?:的)?(?:态度|服务|回复)?(?:很|太|真|非常|特别|极其|也)?(?:差|恶劣|不好(?!意思)|冷淡|冷漠|敷衍|凶|傲慢|差劲|垃圾|不耐烦|不专业)",
        r"(?:态度|语气|口气)(?:很|太|真|非常|特别|极其|也|还)*(?:差|恶劣|不好|冷漠|敷衍|傲慢|差劲|不耐烦|冲|凶|难听)",
        r"不理人",
        r"爱答不理",
        r"(?:不|没|没有)(?:人)?(?:回|回复|回消息|理我|理会|处理)",
        r"没人(?:回|理|管|处理)",
        r"敷衍",
        r"推卸(?:责任)?",
        r"推来推去",
        r"(?:被怼|怼人|怼我)",
        r"说话(?:很|太|特别)?(?:冲|难听|凶)",
        r"(?:客服|售后|卖家|商家)(?:还|直接)?(?:骂|怼|凶)",
        r"(?:客服|售后)(?:的)?(?:回复|回消息|处理|响应)?(?:得)?(?:很|太|特别|非常|也|较|比较|有点)?慢",
        r"问题(?:一直|还|始终|至今)?(?:没|没有|未)(?:解决|处理)",
        # Shirking, stonewalling, nowhere to complain: the idioms of it ("推三阻四", "遮遮掩掩", "投诉无门").
        r"推脱|推三[阻挡推]四|遮遮掩掩|投诉无门",
        # The service named after its bad word ("非常差的服务", "冷漠的客服"), not only before it.
        r"(?:差|烂|恶劣|糟糕|垃圾|差劲|冷淡|冷漠)的(?:服务(?!器)|态度|客服|售后)",
        # No answer of any kind came back ("没有任何反馈", "没人给我答复").
        r"(?:没有|没|无)(?:任何|人)?(?:给我)?(?:反馈|答复|回应|回音)",
        r"踢皮球",
        r"(?:售后|客服)(?:也|都|根本)?(?:不管|没人管|不处理|联系不上|找不到人)",
        r"(?:联系|找)不(?:上|到)(?:客服|售后|卖家|商家|人)|(?:也|都|根本)不管(?:我|了)",
        r"(?:投诉|反映|留言|邮件|去信|催)[^,，。!！?？;；]{0,8}(?:没有?回音|石沉大海|没有?(?:人)?回复|无人回复|没有?反应)",
        r"(?:客服|售后|工作人员|店员)[^,，。!！?？;；]{0,6}(?:居然|竟然)",
        r"(?:始终|一直|总是|每次都|永远)(?:是)?一个(?:答复|回答)",
        r"(?:删除|删了|删掉)(?:了)?(?:我的)?(?:评论|留言|评价)|(?:评论|留言|评价)[^,，。!！?？;；]{0,6}(?:被)?(?:删除|删了|删掉)",
        r"(?:不给|拒绝)(?:退|换|处理|补偿|解决)(?!差价)",
        r"(?:机器人|自动)回复",
        r"答非所问",
        r"拉黑",
        r"(?:让|要)我(?:先)?(?:给|打)?好评",
        r"[让要]我自己(?:去)?(?:和[^,，。!！?？;；]{0,8})?(?:联系|找|处理)",
        r"(?<!能)不能(?:退|换|更换|退货|换货)(?!差价)",  # "能不能换货？" asks
        # Not told: the shop let the customer find out alone (out of stock, a book left out, a change of plan).
        r"(?:也|都|并)?(?:不|没|没有)(?:事先|提前|及时|主动)?(?:通知|告知|说明|解释)(?:我|一下|一声)?|没有?(?:任何|一句|个)?(?:解释|说明|交代|理由|说法)(?!书|不)|"
        r"没(?:有)?(?:人)?(?:主动)?(?:联系|打电话给)我",
        r"(?:服务|态度)(?:实在|真的|还|也)?(?:有待|需要|还需)(?:提高|改善|改进|加强)",
        # The staff's knowledge wanting, or the staff not knowing ("客服专业知识有待提高", "客服也不知道怎么指导").
        r"(?:客服|售后|工作人员)[^,，。!！?？;；]{0,6}(?:有待|需要|还需)(?:提高|改善|改进|加强)|"
        r"(?:客服|售后|工作人员)(?:也|都|根本|竟然|居然)?(?:不知道|不清楚|说不清楚|搞不清楚|一问三不知|答不上来)",
        r"\b(?:leave|give) (?:a |them a )?(?:good|positive|5-star|five-star) review\b",
        r"\b(?:customer service|seller|support|staff|store) (?:was |is |were )?"
        r"(?:rude|terrible|awful|unhelpful|useless|dismissive|arrogant)\b",
        r"\b(?:never|didn'?t|did not|doesn'?t|won'?t) (?:reply|replied|respond|responded|answer|answered|get back)\b",
        r"\bno (?:reply|response|answer)\b",
        r"\bignored (?:me|my)\b",
        r"\brude\b",
        r"\brefused to (?:refund|exchange|help|return)\b",
        # Service events, not only adjectives: canned answers, a promise the staff go back on, stalling.
        r"复制粘贴|已读不回|甩锅",
        r"\bcopy-?past(?:e|ed|es|ing)\b",
        r"\b(?:canned|scripted|automated|template) (?:reply|replies|response|responses|answers?)\b",
        r"(?:客服|售后|卖家|商家|店家|掌柜)[^,，。!！?？;；]{0,6}(?:一直|只会|总是|就会|反复|每次都|每天|天天)(?:都)?(?:说|回|让|推)",
        r"(?:客服|售后|卖家|商家|店家|掌柜)[^,，。!！?？;；]{0,8}(?:不认账|耍赖|抵赖|赖账|改口|装死|失联|不承认)",
        r"(?:客服|售后|卖家|商家|店家|掌柜)(?:说好|答应|承诺)(?:的|了)?[^,，。!！?？;；]{0,10}(?:结果|却|但|可)[^,，。!！?？;；]{0,4}"
        r"(?:没有|没给|不给|不认|没兑现|没做到)",
        r"\b(?:claimed|said|insisted|pretended) (?:they|that they|it) (?:had )?(?:never|didn'?t|did not) "
        r"(?:offer|promise|say|agree)\w*\b",
        # The shop unreachable, or handing the problem to someone else.
        r"电话[^,，。!！?？;；]{0,6}(?:打不通|打不进|难打|打不了|占线|没人接|无人接听|没有人接)",
        r"(?:没有?人|无人)接(?:听|电话)",
        r"(?:责任)?推给(?:了)?(?:厂家|厂商|快递|我)|往厂家推",
        r"不负责(?:任)?",
    ],
}

# Aspect + opinion: a clause that names an aspect of the purchase and says something bad about it
# ("质量真的不敢恭维", "价格太高了", "光泽很差") is a complaint about that aspect, even when no listed
# phrase matches. The opinion must come after the aspect and must not itself be negated ("质量不差").
ASPECTS: dict[str, list[str]] = {
    Cause.QUALITY: [
        r"质量|做工|品质|质感|手感|光泽|面料|皮质|皮料|五金|走线|针脚|工艺|效果|功能|防水|口感|表镜|表带|鞋底|表面|扣眼|"
        r"续航|电池|喷头|拉链|皮带",
        r"\b(?:quality|material|leather|stitching|zip(?:per)?|strap|craftsmanship|fabric|clasp)\b",
    ],
    Cause.DESCRIPTION_MISMATCH: [
        r"颜色|色泽|描述|图片|图上|详情|宣传|款式|实物",
        r"\b(?:colou?rs?|photos?|pictures?|description|listing)\b",
    ],
    Cause.SIZE: [
        r"尺码|尺寸|码数|版型|圈口|圈号|裤腰|腰围|胸围|肩宽|领口|袖子|袖长|裤长|大小",
        r"\b(?:size|sizing|fit|sleeves?|shoulders?|waist)\b",
    ],
    Cause.LOGISTICS: [
        r"物流|快递|发货|到货|中转站|配送|送货|派送|包裹|外箱|运输|顺丰|中通|圆通|韵达|申通|邮寄|EMS|邮政",
        r"\b(?:delivery|shipping|courier|parcel|package)\b",
    ],
    Cause.PRICE: [r"价格|价钱|售价|标价|优惠|活动|折扣|赠品", r"\b(?:price|coupon|discount|promotion)\b"],
    Cause.SERVICE_ATTITUDE: [
        r"客服|售后|(?<!物流)(?<!快递)(?<!送货)(?<!配送)服务(?!器)|卖家|商家|店家|回复|退款",
        r"\b(?:customer service|seller|support|store|refund|response)\b",
    ],
}
OPINIONS = [
    r"差(?!不多|距|价|别|异|额)|不好(?!意思)|不行|一般|糟糕|垃圾|烂|失望|不满意|不敢恭维|堪忧|有问题|不对|不符|不一样|不像|慢|贵|太高|偏高|不清楚|"
    r"敷衍|坑|骗|误导|打不通|不理|不解决|没(?:有)?结果|不到账|拖|只会|俗|艳|暗|不准|太(?:大|小|紧|松|长|短|高|低|薄|慢)|"
    r"歪|硬|随意|凹|崩|漏|不值|不回|不是很好|不太好|不怎么好|没以前好|不如以前|不是很满意|不太满意",
    r"\b(?:bad|poor|terrible|awful|horrible|disappointing|cheap|wrong|slow|late|off|useless|peel(?:ed|s|ing)?|"
    r"misleading|greener|darker|lighter|tight|loose|disappoint(?:ed|ing))\b",
]


# Breakage is the product's fault unless the review also says the parcel arrived damaged.
BREAKAGE = compile_word_class(
    r"(?:坏了|坏掉|断了|碎了|(?<!收到)(?<!拆开)(?:裂了|裂开|开裂|有裂纹|裂纹)|\b(?:broke|broken|cracked|cracks?)\b)",
    re.IGNORECASE,
)
# Broken in use, or found broken on arrival ("收到就碎了", "到手裂了一个"): the transport's fault only when the review
# speaks of the shipping as well (SHIPPING_CONTEXT), otherwise the product's (a cup "收到就有裂纹" was made so).
BROKEN = compile_word_class(
    r"(?:收到|拆开|到手|送到)[^,，。!！?？;；]{0,6}(?:碎|破|裂|坏|断)|" + BREAKAGE.pattern, re.IGNORECASE
)
# Where breakage happened in transit: the parcel, its packing or its carrier is named. In the labelled sets breakage
# told with one of these is labelled logistics (beside quality only for a fault of another kind), without it quality.
SHIPPING_CONTEXT = compile_word_class(
    r"包装|泡沫|纸箱|箱子|外箱|外盒|快递|物流|运输|运货|运送|邮寄|路上|包裹|"
    r"\b(?:box|packag\w*|parcel|courier|shipping|delivery|transit)\b",
    re.IGNORECASE,
)
# Damage that transport does (broken, dented, leaked, scratched, crushed): beside a complaint about the parcel or the
# courier it is the transport's doing, not a fault of the goods ("外箱压烂了，瓶子漏了").
TRANSIT_DAMAGE = compile_word_class(
    r"坏|断|碎|裂|破|漏|变形|压|凹|瘪|撒|划痕|刮花|磕|\b(?:broke|broken|cracked|dented|crushed|scratch(?:ed|es)?|"
    r"leak(?:ed|s|ing)?|smashed|damaged)\b",
    re.IGNORECASE,
)
# "以后坏了去哪修": breakage only imagined is no complaint.
HYPOTHETICAL = compile_word_class(r"(?:以后|万一|如果|要是|假如|将来|\bif\b)[^,，。!！?？;；]{0,8}$", re.IGNORECASE)
# "价格是有点贵，不过一分钱一分货": a high price conceded and then accepted as fair is no price complaint, as long as
# the acceptance is the last word on the price ("…对得起价格，三星是给价格的" still complains).
PRICE_ACCEPTED = compile_word_class(
    r"一分钱一分货|物有所值|物超所值|贵有贵的道理|对得起(?:这个|这|它的)?(?:价格|价钱|价位|价|钱)?|"
    r"(?<![不没])值(?:这个价|这价|这个钱|这钱|得)|"
    r"\b(?:worth it|worth the (?:money|price)|worth every)\b",
    re.IGNORECASE,
)
EXPENSIVE = compile_word_class(r"贵|价|\b(?:price[ds]?|pricey|expensive|costly)\b", re.IGNORECASE)
# "说是真丝, 收到是涤纶": what was promised, then what came, across two clauses.
PROMISED_VS_RECEIVED = compile_word_class(
    r"(?P<promised>(?:说好|说|写|标|宣传|图片|图上|主图|详情页|描述|说明|配置表|参数)(?:上|里|中)?(?:的)?(?:是|着|写的是|显示)|"
    r"(?:是写|写的|标的|标称))"
    r"[^。!！?？;；]{1,12}(?:[,，]|\s)\s*(?:但|但是|可|可是|而|却)?"
    r"(?P<received>收到|结果|实际|实物|拿到|检测|到手|谁知|没想到|发现)[^。!！?？;；]{0,12}"
)
# A bare "态度差" is the courier's when the review talks about the courier and not about the shop's staff.
COURIER = compile_word_class(
    r"快递|物流|送货员|配送员|投递员|派件|发货人员|EMS|邮政|圆通|申通|中通|韵达|顺丰|"
    r"\bcourier\b|\bdriver\b|\bdelivery (?:man|guy)\b",
    re.IGNORECASE,
)
SHOP_STAFF = compile_word_class(
    r"客服|售后|卖家|商家|店家|掌柜|\bseller\b|\bcustomer service\b|\bstore\b|\bsupport\b", re.I
)
ATTITUDE = compile_word_class(r"态度|服务|凶|骂|rude", re.IGNORECASE)

CLAUSE_SPLIT = compile_word_class(r"[,，。.!！?？;；\n~～、]+|(?:但是|不过|可是|然而|就是|只是|\bbut\b|\bhowever\b)")

# Words that negate what follows them in the same clause (as jieba tokens).
NEGATORS = frozenset(
    [
        "不",
        "没",
        "没有",
        "无",
        "并不",
        "并没有",
        "毫无",
        "不是",
        "未",
        "从不",
        "从没",
        "没什么",
        "绝无",
        "并无",
        "毫不",
        "非",
        "不算",
        "不太",
        "并非",
        "不怎么",
        "说不上",
        "谈不上",
        "算不上",
    ]
)
# "没打电话直接放快递柜": an adverb that starts a new predicate ends the negation before it.
NEGATION_BREAKS = frozenset(["直接", "就", "却", "反而", "而是", "结果", "居然", "竟然"])
NEGATOR_CHARS = compile_word_class(r"[不没无未非毫]")
# "唯一不满意的是满减券没用上": a negated praise that introduces the complaint after it does not negate it.
# "不知道是不是二手": a suspicion asked as a question does not negate it either.
COMPLAINT_INTRO = compile_word_class(
    r"(?:(?:不满意|不足|不好|不爽|不太满意)(?:的|之处|的地方)(?:是|就是)?|是不是|是否)\s*$"
)
NEGATOR_FILLER = frozenset(
    [
        "任何",
        "什么",
        "一点",
        "一丝",
        "半点",
        "明显",
        "太",
        "很",
        "啥",
        "多少",
        "丝毫",
        "是",
        "的",
        "出现",
        "发现",
        "看到",
    ]
)
# "色差一点都没有", "色差不大": negation after the phrase; "线头没剪" is not (没 is followed by a verb).
POST_NEGATION = compile_word_class(
    r"^\s*(?:也|都|完全|基本|几乎|一点|一点也|一点都|丝毫|根本|并|真的|确实)?\s*"
    r"(?:(?:没有|没|无)(?=$|[了的啊呢吧哦呀\s])|不大|不明显|很小|极小|可以忽略|看不出|不存在)"
)
# "线头处理得很干净": the phrase is named to be praised.
POST_PRAISE = compile_word_class(r"^\s*(?:也|都)?(?:处理|剪|修|做)?得?(?:很|非常|特别|超级)?(?:干净|整齐|好|到位)")
EN_NEGATION = compile_word_class(
    r"\b(?:no|not|never|without|isn'?t|wasn'?t|aren'?t|weren'?t|didn'?t|don'?t|doesn'?t|hardly|zero)\b(?:\s+\w+){0,2}\s*$",
    re.IGNORECASE,
)

# A worry ("之前担心会有色差") is not a complaint when the next clause says it did not come true: it negates
# ("收到后完全没有", "结果一点也不扎", "no damage") or praises ("结果很合身"); a negated praise there
# ("结果还是不合适") confirms it instead.
WORRY = compile_word_class(r"担心|害怕|生怕|\b(?:worried|afraid)\b", re.IGNORECASE)
ALLAYED = compile_word_class(
    r"没有|没|不|无|完好|很|挺|特别|非常|\b(?:no|not|never|perfect(?:ly)?|fine|well|safely|intact)\b|n't\b",
    re.IGNORECASE,
)

# Complaint polarity for a cause only the model found: on a 4-5 star review it stands only when the clause holding
# its evidence also says something is wrong. A negative opinion (OPINIONS), a mild complaint's hedge ("有点",
# "偏", "a bit"), a regret ("可惜", "唯一的缺点"), or a negated praise word ("一点都不软", "not soft"). The
# negative opinions must not themselves be negated ("一点都不差"); the negated praise carries its own negator.
COMPLAINT_SIGNALS = [
    *OPINIONS,
    r"有点|有些|稍微|略|偏|可惜|遗憾|缺点|不足|美中不足|希望|建议|问题|毛病|麻烦|担心|难|怎么|为什么|居然|竟然|还要",
    r"\b(?:a bit|a little|slightly|too|only|unfortunately|wish|problem|issue|took|should|could have)\b",
]
NEGATED_PRAISE = [
    r"(?:不|没|没有)(?:太|怎么|够|那么|是很|算)?(?:好(?!意思)|软|舒服|满意|准|合适|合身|新鲜|值|香|亮|正|清楚|及时|专业|耐心|热情|快|结实|到位|便宜|实惠)",
    r"\b(?:not|isn'?t|wasn'?t|aren'?t|weren'?t|never)\b(?:\s+\w+)?\s+(?:good|great|soft|fresh|comfortable|accurate|"
    r"helpful|fast|quick|worth|right|as (?:described|pictured|shown))\b",
]
# Praise: a clause with one of these and no complaint signal speaks well of what it names ("颜色不错"), so a cause
# the model reads from it is dropped whatever the rating, and one the dictionaries found on a 4-5 star review.
PRAISE = [
    r"不错|很好|挺好|真好|好看|漂亮|满意|喜欢|标准|合适|合身|舒服|及时|耐心|热情|专业|精致|很快|挺快|超快|神速|新鲜|"
    r"划算|实惠|推荐|完美|好评|给力|很正|挺正|很准|无可挑剔",
    # The shop's price compared with elsewhere: "比实体店便宜不少" praises it (a drop after buying is "便宜了80").
    r"比(?:实体店|专柜|线下|商场|超市|外面|别家|其他家|官网)[^,，。!！?？;；]{0,4}(?:便宜|实惠|划算)",
    r"\b(?:good|great|nice|lovely|perfect|beautiful|gorgeous|fast|quick|helpful|excellent|love|recommend)\b",
]

# "发错了颜色马上给补发了，好评": a problem the shop put right at once, told on a 4-5 star review, is no complaint.
RESOLVED = compile_word_class(
    r"(?:马上|立刻|立即|很快|及时|当天|第二天|主动)[^,，。.!！?？;；]{0,4}(?:补发|补寄|重发|重新发|换|退|处理|解决|补开|开了|寄|补)|"
    r"已(?:经)?(?:解决|处理好|补发|换好|补开)|"
    r"\b(?:quickly|promptly|immediately|right away)\b[^.]{0,30}\b(?:sent|replaced|fixed|resolved|refunded|reissued)\b|"
    r"\b(?:resolved|sorted (?:it )?out)\b",
    re.IGNORECASE,
)

# Complaints of a kind no specific cause covers (docs/reviews.md, labelling guideline): such a review is "other",
# and a specific cause read from the same words ("赠品没给" in the price dictionary, 划痕 on a resold watch) is
# not. Each phrase states the problem itself ("没开发票", "发错货"), so a review that only mentions an invoice or a
# manual is not a complaint; a phrase negated before it ("不是二手的") does not count.
# Promised in one clause, missing in the next: "发票说月底寄，结果一直没收到".
_THEN_MISSING = (
    r"[^,，。.!！?？;；]{0,12}[,，]\s*[^,，。.!！?？;；]{0,10}"
    r"(?:还没|一直没|都没|至今没|没收到|没给|没开|没寄|没发|没有?下文)"
)
OTHER_KINDS: dict[str, list[str]] = {
    "invoice": [
        r"(?:没|没有|未|不给|不能|不肯|不开|拒绝)(?:开|给|寄|补|提供)?(?:电子)?发票",
        r"发票[^,，。.!！?？;；]{0,10}(?:没|未|不|错|慢|迟|拖|等|催)",
        rf"发票{_THEN_MISSING}",
        r"\binvoices?\b[^.,;!?，。！？；]{0,30}\b(?:never|not|missing|wrong|still)\b",
        r"\b(?:no|never (?:got|received|sent)(?: an?| the)?|missing|without an?) invoices?\b",
    ],
    "missing_item": [
        r"(?:赠品|礼品|礼包|礼盒|赠送的|说明书|证书|保卡|配件|附件)[^,，。.!！?？;；]{0,8}(?:没有|没给|没发|没收到|没寄|少了|漏发|漏了|不见|晚|迟|单独寄|全是英文|看不懂)",
        rf"(?:赠品|礼品|说明书|证书|保卡){_THEN_MISSING}",
        r"(?:没有|没给|没发|少了|少发|漏发|不送|缺|无)[^,，。.!！?？;；]{0,6}(?:赠品|礼品|礼盒|说明书|证书|保卡|配件|附件|防尘袋)",
        # Accessories the buyer expected in the box (a mouse, a bag, the recovery or driver disc, a bookmark).
        r"(?:不送|没送|没有送|不带|没带|没有附带|没附带|不附带|不附送|没有赠送|没赠送|不赠送|没有配|没配|没有随机|连)"
        r"[^,，。.!！?？;；]{0,6}(?:鼠标|包包|电脑包|内胆包|便携包|背包|包|光盘|系统盘|恢复盘|驱动盘|书签|藏书票|附件)",
        r"(?:没有|没|无)(?:给|附|配|随机|自带|附带|配送|赠送|附送|原装|原版)?(?:个|一个|的)?(?:(?:系统|恢复|驱动|安装)(?:及|和|、)?)+(?:光)?(?:盘|碟)",
        # Nothing, or no software, came with it ("什么都没有送", "没送东西", "不赠送杀毒软件"); an accessory the box
        # lacks ("缺少原装包"), or that not even it came ("连个VISTA、驱动光盘都不送").
        r"什么(?:都|也)没(?:有)?(?:送|给|配|带)|(?:没|没有|不)(?:送|赠送|附送)(?:任何|什么|啥)?(?:东西|礼物)|"
        r"(?:不|没|没有)(?:赠送|附送|送|配|带)(?:个|一个|任何)?[^,，。.!！?？;；]{0,4}软件",
        r"(?:缺少|缺)(?:个|一个|了)?(?:原装|随机)?(?:电脑包|内胆包|原装包|礼包|包包|鼠标|光盘|系统盘|驱动盘)",
        r"连[^,，。.!！?？;；]{0,12}(?:鼠标|包|光盘|系统盘|恢复盘|驱动盘)[^,，。.!！?？;；]{0,3}(?:都|也)(?:不|没)",
        r"(?:鼠标|电脑包|内胆包|便携包|包)(?:和|、|及)(?:鼠标|电脑包|内胆包|包)[^,，。.!！?？;；]{0,2}(?:也|都)?(?:没有|没送|没给|不送)",
        # Wished for in the box ("要是送个包就好了", "再送个鼠标垫就好了"): the accessory was not there.
        r"(?:再|能|要是|如果|应该|应)?(?:送|附送|配|赠送|带)(?:个|一个|一些|点|上)?[^,，。.!！?？;；]{0,6}"
        r"(?:鼠标|鼠标垫|包|光盘|系统盘|驱动盘|赠品|膜)[^,，。.!！?？;；]{0,4}(?:就好|更好|就更|才对|比较好)",
        r"(?:没有|没|无)(?:外包|鼠标|包包|电脑包|内胆包)(?:、|，|,|和|及|也)",
        r"\b(?:no|missing|without (?:a|the|any)?) ?(?:[a-z]+ )?(?:manual|instructions?|certificate|free gift|gift)"
        r"(?: card| box| wrap(?:ping)?)?\b",
        r"\b(?:manual|instructions|certificate|gift)\b[^.,;!?，。！？；]{0,40}"
        r"\b(?:missing|never|not included|only in)\b",
    ],
    "wrong_item": [
        r"发错|错发|寄错|发成了?",
        r"(?:买|拍|下单|订|要)的是[^,，。.!！?？;；]{1,10}(?:给我?|却|结果|但)(?:发|寄)(?:了|的是|的|成)",
        r"\b(?:wrong (?:item|model|product|one)|different (?:item|model|product|one) than (?:I|we) ordered)\b",
        r"\bsent (?:me )?the wrong\b",
    ],
    "resold": [
        r"退回来的|二手|翻新|使用(?:过的)?痕迹|被(?:人)?用过|有人用过|旧货|拆过",
        r"条(?:形)?码[^,，。.!！?？;；]{0,4}(?:被)?(?:撕|割|刮)|包装是打开的|被打开过",
        r"\b(?:second-?hand|refurbished|resold|pre-?owned|previously used|signs of (?:use|wear))\b",
    ],
    "after_sales": [
        r"扣了?两次|重复扣|被扣了?两次|扣(?:了)?两(?:次|遍)",
        r"缺货|没货|没有货|断货|无货",
        r"(?:钱|款|退款)[^,，。.!！?？;；]{0,6}(?:还没|没|未)(?:有)?(?:到账|退)",
        r"订单[^,，。.!！?？;；]{0,4}(?:被)?(?:无故|直接)?取消",
        r"定制(?:款|品)?(?:不退|不能退|不支持)",
        r"\b(?:charged twice|double[- ]charged|duplicate (?:charge|payment))\b",
        r"\border (?:was )?cancell?ed\b",
    ],
}
