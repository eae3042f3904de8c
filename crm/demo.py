"""The demo's catalogue: each demo store with its own products and its own customers.

Plain data, no database: `seed_demo` writes it, and every other app's demo seed (reviews, cases, shipments,
letters, segments ...) imports it so that what it adds fits the store (a review of a tea store is about tea,
a shipment carries that store's products to that store's customers). Use `demo_store(code)`,
`store.product(sku)` and `store.products_in(category)` rather than repeating names or SKUs.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class DemoProduct:
    sku: str
    name: str
    category: str  # the store's own word for the shelf it sits on ("scarves", "bangles", "oolong" ...)
    price: Decimal


@dataclass(frozen=True)
class DemoCustomer:
    external_id: str
    name: str
    phone: str  # E.164
    gender: str  # Customer.Gender values
    region: str
    birthday: date
    personality_type: str  # Customer.Personality values
    interests: tuple[str, ...]
    notes: str = ""
    contact_preference: str = "any"
    vip_tier: int = 0
    sku: str = ""  # what they ordered in the demo (one order each)


@dataclass(frozen=True)
class DemoHoliday:
    """Days a demo store closes every year (its next ones are recorded: always a closure still to come)."""

    name: str
    month: int
    day: int
    days: int


@dataclass(frozen=True)
class DemoClosure:
    """A one-off closure around the day the demo is first loaded (ADR 0035), its days counted from the store's today in
    its zone, recorded by one of the store's demo managers (once: a later run finds it by its name, whatever the day).
    One under way may have been ended early (the store opened again): seed_demo records and ends it before any call is
    planned, so it moved nothing. One still to come is recorded by seed_demo_logistics after a customer asked to be
    called back on its first day, which it moves."""

    name: str
    first: int  # days from today
    last: int
    recorded_by: str  # a DemoUser's username
    ended_early: bool = False
    call_back_note: str = ""  # what the customer said when they asked to be called back on its first day


@dataclass(frozen=True)
class DemoStore:
    code: str
    name: str
    platform: str  # Store.Platform values
    timezone: str
    hotline: str
    currency: str  # the currency its orders are placed in, and its own (its agents' remedy limit is in it)
    products: tuple[DemoProduct, ...]
    customers: tuple[DemoCustomer, ...] = field(default=())
    agent_remedy_limit: Decimal = Decimal("200.00")  # in the store's currency
    days_off: tuple[int, ...] = ()  # weekdays, Monday = 0: no SLA clock runs on them (ADR 0035)
    holidays: tuple[DemoHoliday, ...] = ()
    closures: tuple[DemoClosure, ...] = ()

    def product(self, sku: str) -> DemoProduct:
        return next(p for p in self.products if p.sku == sku)

    def products_in(self, category: str) -> list[DemoProduct]:
        return [p for p in self.products if p.category == category]

    @property
    def categories(self) -> list[str]:
        return list(dict.fromkeys(p.category for p in self.products))


def _customer(code: str, index: int, phone: str, name: str, gender: str, region: str, birthday: date, **extra):
    return DemoCustomer(
        external_id=f"{code}-c{index:03d}", name=name, phone=phone, gender=gender, region=region, birthday=birthday,
        **extra,
    )  # fmt: skip


# Prices span the follow-up tiers (ADR 0004's defaults: under 300 nothing, SMS, call from 1,000, a dedicated
# owner from 2,000), so every store shows every kind of follow-up.
SILK = DemoStore(
    code="silk-tmall",
    name="丝韵旗舰店 Silk Rhyme",
    platform="tmall",
    timezone="Asia/Shanghai",
    hotline="+86 400 820 8820",
    currency="CNY",
    # The stock-take was to close the shop from yesterday to tomorrow; it was done early and the shop opened again
    # today (listed as ended early on the policy page).
    closures=(DemoClosure("仓库盘点", first=-1, last=1, recorded_by="demo-manager", ended_early=True),),
    products=(
        DemoProduct("SILK-HANKY", "真丝手帕", "accessories", Decimal("128.00")),
        DemoProduct("SILK-SCARF", "桑蚕丝印花围巾", "scarves", Decimal("560.00")),
        DemoProduct("SILK-PJ", "真丝睡衣套装", "sleepwear", Decimal("1399.00")),
        DemoProduct("SILK-QIPAO", "手工真丝旗袍", "qipao", Decimal("3888.00")),
    ),
    customers=(
        _customer(
            "silk-tmall",
            0,
            "+8613800100000",
            "王芳",
            "female",
            "上海",
            date(1978, 3, 12),
            personality_type="expressive",
            interests=("旗袍", "摄影"),
            notes="喜欢晚上联系",
            vip_tier=2,
            sku="SILK-QIPAO",
        ),
        _customer(
            "silk-tmall",
            1,
            "+8613800100001",
            "李娜",
            "female",
            "杭州",
            date(1985, 6, 2),
            personality_type="amiable",
            interests=("茶道", "刺绣"),
            sku="SILK-SCARF",
        ),
        _customer(
            "silk-tmall",
            2,
            "+8613800100002",
            "陈静",
            "female",
            "苏州",
            date(1990, 9, 21),
            personality_type="analytical",
            interests=("瑜伽",),
            sku="SILK-PJ",
        ),
        _customer(
            "silk-tmall",
            3,
            "+8613800100003",
            "赵敏",
            "female",
            "南京",
            date(1982, 11, 5),
            personality_type="dominant",
            interests=("收藏",),
            vip_tier=3,
            sku="SILK-QIPAO",
        ),
        _customer(
            "silk-tmall",
            4,
            "+8613800100004",
            "周杰",
            "male",
            "上海",
            date(1988, 2, 14),
            personality_type="amiable",
            interests=("旅行",),
            notes="给太太买礼物",
            sku="SILK-SCARF",
        ),
        _customer(
            "silk-tmall",
            5,
            "+8613800100005",
            "黄婷",
            "female",
            "宁波",
            date(1995, 7, 30),
            personality_type="expressive",
            interests=("汉服", "摄影"),
            contact_preference="no_calls",
            sku="SILK-HANKY",
        ),
        _customer(
            "silk-tmall",
            6,
            "+8613800100006",
            "孙丽",
            "female",
            "无锡",
            date(1972, 4, 18),
            personality_type="analytical",
            interests=("刺绣",),
            vip_tier=1,
            sku="SILK-PJ",
        ),
        _customer(
            "silk-tmall",
            7,
            "+8613800100007",
            "吴倩",
            "female",
            "上海",
            date(1993, 12, 8),
            personality_type="amiable",
            interests=("瑜伽", "烘焙"),
            sku="SILK-HANKY",
        ),
    ),
)

JADE = DemoStore(
    code="jade-jd",
    name="玉石之家 Jade House",
    platform="jd",
    timezone="Asia/Urumqi",
    hotline="+86 400 610 6100",
    currency="CNY",
    # The whole team is at a jade appraisal course tomorrow. The customer whose parcel stalled had asked to be called
    # back tomorrow evening: the closure moves that call to the next day the shop is open.
    closures=(
        DemoClosure(
            "玉石鉴定培训（全员停业一天）",
            first=1,
            last=1,
            recorded_by="demo-lead",
            call_back_note="顾客来电：这两天在外地出差，请明晚七点半再打",
        ),
    ),
    products=(
        DemoProduct("JADE-BEADS", "和田玉手串", "bracelets", Decimal("128.00")),
        DemoProduct("JADE-PENDANT", "和田玉平安扣吊坠", "pendants", Decimal("560.00")),
        DemoProduct("JADE-RING", "和田玉戒指", "rings", Decimal("1399.00")),
        DemoProduct("JADE-BANGLE", "和田玉手镯", "bangles", Decimal("3888.00")),
    ),
    customers=(
        _customer(
            "jade-jd",
            0,
            "+8613900200000",
            "张伟",
            "male",
            "乌鲁木齐",
            date(1969, 5, 3),
            personality_type="dominant",
            interests=("收藏", "书法"),
            vip_tier=3,
            sku="JADE-BANGLE",
        ),
        _customer(
            "jade-jd",
            1,
            "+8613900200001",
            "刘洋",
            "male",
            "北京",
            date(1980, 8, 19),
            personality_type="analytical",
            interests=("收藏",),
            notes="只在工作日联系",
            sku="JADE-PENDANT",
        ),
        _customer(
            "jade-jd",
            2,
            "+8613900200002",
            "马秀兰",
            "female",
            "喀什",
            date(1975, 1, 27),
            personality_type="amiable",
            interests=("刺绣",),
            sku="JADE-RING",
        ),
        _customer(
            "jade-jd",
            3,
            "+8613900200003",
            "郑浩",
            "male",
            "深圳",
            date(1987, 10, 11),
            personality_type="expressive",
            interests=("旅行", "摄影"),
            vip_tier=2,
            sku="JADE-BANGLE",
        ),
        _customer(
            "jade-jd",
            4,
            "+8613900200004",
            "高雪",
            "female",
            "西安",
            date(1991, 3, 25),
            personality_type="amiable",
            interests=("瑜伽",),
            sku="JADE-PENDANT",
        ),
        _customer(
            "jade-jd",
            5,
            "+8613900200005",
            "杨磊",
            "male",
            "成都",
            date(1984, 6, 6),
            personality_type="dominant",
            interests=("登山",),
            contact_preference="no_calls",
            sku="JADE-BEADS",
        ),
        _customer(
            "jade-jd",
            6,
            "+8613900200006",
            "古丽娜",
            "female",
            "伊犁",
            date(1979, 9, 9),
            personality_type="expressive",
            interests=("舞蹈",),
            vip_tier=1,
            sku="JADE-RING",
        ),
        _customer(
            "jade-jd",
            7,
            "+8613900200007",
            "何军",
            "male",
            "广州",
            date(1996, 2, 2),
            personality_type="analytical",
            interests=("健身",),
            sku="JADE-BEADS",
        ),
    ),
)

# Sells from Berlin to customers across Europe, in euros: its remedies and its agents' limit are in euros too (its
# follow-up policy converts EUR to its CNY tiers: see the seed).
TEA = DemoStore(
    code="tea-own",
    name="茶语 Tea Words (EU)",
    platform="own",
    timezone="Europe/Berlin",
    hotline="+49 30 12345678",
    currency="EUR",
    agent_remedy_limit=Decimal("30.00"),
    # Closed on Sundays and over Christmas, as shops in Berlin are: the policy page shows both.
    days_off=(6,),
    holidays=(DemoHoliday("圣诞节", 12, 24, 3),),
    products=(
        DemoProduct("TEA-SAMPLER", "茶样品鉴套装", "samplers", Decimal("18.00")),
        DemoProduct("TEA-LONGJING", "明前龙井礼盒", "green tea", Decimal("78.00")),
        DemoProduct("TEA-DAHONGPAO", "武夷大红袍礼盒", "oolong", Decimal("188.00")),
        DemoProduct("TEA-PUER", "老班章普洱茶饼", "pu-erh", Decimal("528.00")),
    ),
    customers=(
        _customer(
            "tea-own",
            0,
            "+4915112340000",
            "林晓",
            "female",
            "柏林",
            date(1983, 4, 4),
            personality_type="amiable",
            interests=("茶道", "烘焙"),
            vip_tier=2,
            sku="TEA-PUER",
        ),
        _customer(
            "tea-own",
            1,
            "+4915112340001",
            "Anna Schmidt",
            "female",
            "慕尼黑",
            date(1990, 10, 1),
            personality_type="analytical",
            interests=("茶道",),
            sku="TEA-LONGJING",
        ),
        _customer(
            "tea-own",
            2,
            "+4915112340002",
            "许明",
            "male",
            "汉堡",
            date(1977, 12, 24),
            personality_type="dominant",
            interests=("收藏", "茶道"),
            sku="TEA-DAHONGPAO",
        ),
        _customer(
            "tea-own",
            3,
            "+4915112340003",
            "Lukas Weber",
            "male",
            "柏林",
            date(1986, 7, 15),
            personality_type="expressive",
            interests=("旅行",),
            vip_tier=3,
            sku="TEA-PUER",
        ),
        _customer(
            "tea-own",
            4,
            "+4915112340004",
            "曹颖",
            "female",
            "法兰克福",
            date(1994, 5, 20),
            personality_type="amiable",
            interests=("瑜伽", "茶道"),
            sku="TEA-LONGJING",
        ),
        _customer(
            "tea-own",
            5,
            "+4915112340005",
            "Marie Dubois",
            "female",
            "科隆",
            date(1981, 2, 8),
            personality_type="analytical",
            interests=("烘焙",),
            contact_preference="no_calls",
            sku="TEA-SAMPLER",
        ),
        _customer(
            "tea-own",
            6,
            "+4915112340006",
            "宋健",
            "male",
            "杜塞尔多夫",
            date(1974, 8, 30),
            personality_type="dominant",
            interests=("书法",),
            vip_tier=1,
            sku="TEA-DAHONGPAO",
        ),
        _customer(
            "tea-own",
            7,
            "+4915112340007",
            "Jonas Becker",
            "male",
            "莱比锡",
            date(1998, 11, 11),
            personality_type="expressive",
            interests=("摄影",),
            sku="TEA-SAMPLER",
        ),
    ),
)

STORES: tuple[DemoStore, ...] = (SILK, JADE, TEA)

# What one unit of each store currency is worth in CNY, for the demo's follow-up policies (tiers are in CNY).
CNY_PER_UNIT = {"CNY": Decimal("1"), "EUR": Decimal("7.80")}


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str  # a crm.roles group, or "admin" for a superuser (no profile)
    first_name: str
    # The stores served, by code, each with the role held there (crm.models.StoreRole values, ADR 0045). Empty: every
    # demo store, in the group's role.
    store_roles: tuple[tuple[str, str], ...] = ()
    # Evening call capacities other than the default, by store code (ADR 0050: each store holds its own), set by that
    # store's demo manager on its policy page when the user first serves it.
    evening_capacities: tuple[tuple[str, int], ...] = ()

    def roles_in(self, codes: list[str]) -> dict[str, str]:
        """{store code: the role held there} over the demo stores `codes`."""
        if self.store_roles:
            return dict(self.store_roles)
        return dict.fromkeys(codes, "manager" if self.role == "store_manager" else "agent")

    @property
    def mixed_roles(self) -> str:
        """How a user with a different role in different stores is described to a visitor ("" for the others)."""
        managed = [demo_store(code).name for code, role in self.store_roles if role == "manager"]
        served = [demo_store(code).name for code, role in self.store_roles if role != "manager"]
        if not (managed and served):
            return ""
        return f"manages {', '.join(managed)}; an agent in {', '.join(served)}"


# Printed by `make run` (devtools/run_embedded.py) as the last thing it says. The admin reaches /admin/, where
# order systems' API keys are managed. The jade store's own manager helps out in the silk store as one of its agents
# (roles are per store, ADR 0045): they approve jade's remedies and read its manager pages, and in silk they work
# their own calls and cases only. The silk store's manager gives them fewer of its evening calls than the default (they
# run the jade store too); the jade store keeps the default: each store's policy page shows its own (ADR 0050).
DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("demo-agent", "demo-agent-pass", "agent", "小林"),
    DemoUser("demo-manager", "demo-manager-pass", "store_manager", "陈经理"),
    DemoUser(
        "demo-lead",
        "demo-lead-pass",
        "store_manager",
        "周店长",
        (("jade-jd", "manager"), ("silk-tmall", "agent")),
        evening_capacities=(("silk-tmall", 8),),
    ),
    DemoUser("demo-admin", "demo-admin-pass", "admin", "Admin"),
)


def demo_store(code: str) -> DemoStore:
    return next(s for s in STORES if s.code == code)
