"""Demo cases of every source for `make run` (after seed_demo and seed_demo_reviews): a complaint from an evening
call for the demo agent to work to a close, an inbound SMS (with the customer's photos of the scratch, drawn here), a
logistics exception, one opened by hand and a return visit, plus two waiting for the manager's approval (a refund
above the agent's limit, a coupon that takes what the customer is given above it). Idempotent: a store that has them
is left alone."""

import io
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from PIL import Image, ImageDraw

from crm.models import Agent, Case, Customer, Order, Store
from crm.money import money_text
from crm.services.cases import case_open, remedy_propose
from crm.services.casework import evidence_add
from crm.services.complaint import complaint_assess, complaint_confirm
from crm.services.waiting import case_wait
from crm.uploads import uploads_discard_uncommitted

# (source, cause, summary, about an order) per demo case; an order's case is opened on a demo order that has
# none yet, the others on a customer without an order.
DEMO_CASES = [
    (Case.Source.CALL, Case.Cause.LOGISTICS, "晚间回访:外箱压坏了,里面的东西还好", True),
    (Case.Source.CALL, Case.Cause.PRICE, "晚间回访:刚买就降价了,希望补差价", True),
    (Case.Source.INBOUND_SMS, Case.Cause.QUALITY, "短信回复:收到的时候有一道划痕", True),
    (Case.Source.LOGISTICS, Case.Cause.LOGISTICS, "物流异常:包裹三天没有更新", True),
    (Case.Source.MANUAL, Case.Cause.SIZE, "顾客打进热线:尺码偏小,想换大一号", False),
    (Case.Source.RETURN_VISIT, Case.Cause.SERVICE_ATTITUDE, "回访时提到:客服回复太慢", False),
]
# What the price case's customer asks back, in the store's currency (its order's): above the demo agent's limit
# (crm.demo: 200 CNY, 30 EUR in Berlin), so it waits for the manager.
PRICE_DIFFERENCE = {"CNY": Decimal("300"), "EUR": Decimal("40")}
# The scratch's gift and then a coupon, each within the demo agent's limit: together above it, so the coupon waits for
# the manager, whose approvals page shows what the customer is given in total (ADR 0039).
SCRATCH_REMEDIES = {"CNY": (Decimal("120"), Decimal("100")), "EUR": (Decimal("18"), Decimal("15"))}


# The goods in the customer's photos, per store: (its colour, and how it is drawn: a folded scarf, a bangle, a tin).
PHOTO_GOODS = {
    "silk-tmall": ((178, 34, 52), "cloth"),
    "jade-jd": ((96, 160, 110), "ring"),
    "tea-own": ((40, 80, 60), "tin"),
}
# What the customer sent with their SMS reply about the scratch: a photo of the whole piece and a close-up.
SCRATCH_PHOTOS = (("顾客短信发来的照片：整体", 1.0), ("顾客短信发来的照片：划痕近景", 2.2))


def scratch_photo(store_code: str, zoom: float, seed: int) -> bytes:
    """A customer's phone photo of the goods on a wooden table, the scratch circled in red: a JPEG drawn with Pillow,
    `zoom` times closer for a close-up."""
    rng = random.Random(seed)
    colour, shape = PHOTO_GOODS.get(store_code, PHOTO_GOODS["silk-tmall"])
    width, height = 640, 480
    image = Image.new("RGB", (width, height), (196, 160, 118))
    draw = ImageDraw.Draw(image)
    for y in range(0, height, 6):  # the table's grain
        shade = rng.randint(-18, 12)
        draw.line([(0, y), (width, y + rng.randint(-4, 4))], fill=(186 + shade, 150 + shade, 108 + shade), width=3)
    cx, cy, r = width // 2, height // 2, int(150 * zoom)
    box = (cx - r, cy - int(r * 0.7), cx + r, cy + int(r * 0.7))
    if shape == "ring":
        draw.ellipse(box, outline=colour, width=int(46 * zoom))
    elif shape == "tin":
        draw.rectangle(box, fill=colour)
        draw.rectangle((box[0], cy - int(18 * zoom), box[2], cy + int(18 * zoom)), fill=(201, 162, 39))
    else:
        draw.rounded_rectangle(box, radius=int(24 * zoom), fill=colour)
        for x in range(box[0], box[2] - int(40 * zoom), int(26 * zoom)):
            draw.line(
                [(x, box[1]), (x + int(40 * zoom), box[3])], fill=tuple(min(255, c + 30) for c in colour), width=2
            )
    # The scratch, a pale jagged line on the goods, and the customer's red circle around it.
    sx, sy = cx + int(40 * zoom), box[1] + int(30 * zoom)
    points = [(sx + i * int(9 * zoom), sy + i * int(6 * zoom) + rng.randint(-2, 2)) for i in range(9)]
    draw.line(points, fill=(235, 235, 225), width=max(2, int(3 * zoom)))
    mid = points[len(points) // 2]
    ring = int(70 * zoom)
    draw.ellipse((mid[0] - ring, mid[1] - ring, mid[0] + ring, mid[1] + ring), outline=(220, 20, 20), width=5)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


class Command(BaseCommand):
    help = "Open demo cases of every source for the demo agent (run after seed_demo and seed_demo_reviews)."

    def handle(self, *args, **options):
        try:
            self._seed()
        finally:
            uploads_discard_uncommitted()  # a seed that rolled back leaves no photo in storage (crm.uploads)

    @transaction.atomic
    def _seed(self) -> None:
        user = get_user_model().objects.filter(username="demo-agent").first()
        agent = Agent.objects.filter(user=user).first()
        manager = Agent.objects.filter(user__username="demo-manager").first()
        opened = 0
        for store in Store.objects.filter(agents=agent).order_by("code"):
            if Case.objects.filter(store=store, source=Case.Source.MANUAL).exists():
                continue
            opened += self._store_cases(store, agent, manager)
        self.stdout.write(self.style.SUCCESS(f"Demo cases ready; {opened} opened."))

    def _store_cases(self, store: Store, agent: Agent, manager: Agent | None) -> int:
        # seed_demo's orders (it ships them; the purchase history and today's new orders are not shipped), one case
        # each: a parcel gone quiet is one still on its way, what was said on the evening call or in an SMS reply is
        # about one signed for.
        orders = list(
            Order.objects.filter(store=store, shipped_at__isnull=False)
            .exclude(cases__isnull=False)
            .select_related("customer")
            .order_by("id")
        )

        def next_order(source: str, at_least: Decimal = Decimal("0")) -> Order | None:
            for order in orders:
                if order.total_amount < at_least:
                    continue
                if source == Case.Source.LOGISTICS and order.delivered_at is not None:
                    continue
                if source in (Case.Source.CALL, Case.Source.INBOUND_SMS) and order.delivered_at is None:
                    continue
                orders.remove(order)
                return order
            return None

        customers = iter(Customer.objects.filter(store=store).order_by("-id"))
        opened = 0
        for source, cause, summary, about_order in DEMO_CASES:
            # The price difference refunded below is at most what the order cost.
            difference = PRICE_DIFFERENCE.get(store.currency, PRICE_DIFFERENCE["CNY"])
            at_least = difference if cause == Case.Cause.PRICE else Decimal("0")
            order = next_order(source, at_least) if about_order else None
            customer = order.customer if order else next(customers, None)
            if customer is None:
                continue
            case, _created = case_open(
                store=store,
                customer=customer,
                order=order,
                source=source,
                cause=cause,
                summary=summary,
                actor=agent.user,
                assignee=agent,
            )
            opened += 1
            if cause == Case.Cause.PRICE:
                # Worked up to the negotiation, with a remedy above the agent's limit waiting for the manager.
                asks = f"补差价 {money_text(difference, case.remedy_currency)}"
                complaint_confirm(case=case, actor=agent.user, customer_asks=asks)
                complaint_assess(case=case, actor=agent.user, severity="minor", asked_amount=difference)
                remedy_propose(case=case, agent=agent, kind="partial_refund", cost=difference, description="补差价")
            elif source == Case.Source.INBOUND_SMS:
                for index, (caption, zoom) in enumerate(SCRATCH_PHOTOS):
                    photo = SimpleUploadedFile("IMG.jpg", scratch_photo(store.code, zoom, case.pk * 10 + index))
                    evidence_add(case=case, actor=agent.user, photo=photo, caption=caption)
                gift, coupon = SCRATCH_REMEDIES.get(store.currency, SCRATCH_REMEDIES["CNY"])
                remedy_propose(case=case, agent=agent, kind="gift", cost=gift, description="赠送真丝保养套装")
                remedy_propose(case=case, agent=agent, kind="coupon", cost=coupon, description="下次购物优惠券")
            elif source == Case.Source.CALL:
                # Answered on the call, asked for photos of the crushed box for the courier's claim: the case waits
                # on the customer, its resolution clock stopped (ADR 0034).
                case_wait(case=case, actor=agent.user, asked="请顾客拍下外箱压坏处的照片发来,用于向快递索赔")
        # The demo agent is the dedicated owner of the store's top customers ("my customers").
        top = Customer.objects.filter(store=store, vip_tier__gte=2, dedicated_owner__isnull=True)
        top.update(dedicated_owner=agent)
        return opened
