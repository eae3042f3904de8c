"""How long the day's print batch takes to render to PDF for 2,000 orders.

    python bench/letters.py [--quick]

Builds a fresh PostgreSQL database (BENCH_DATABASE_URL, default crm_bench_letters on 127.0.0.1) with one store,
2,000 paid and unshipped orders of as many customers (--quick: 200), a store template variant and three parcel
cards; writes the day's letters (letters_prepare), then renders the batch: to HTML only (the reference: the
Django templates, the same letters) and to the PDF as the download does (letters.printing.letters_pdf: the
HTML, WeasyPrint layout in one process per core, fonts embedded, chunks joined), and counts the PDF's pages.
It also prints the CPU seconds the PDF cost (this process and its layout workers), which a busy machine changes
much less than the wall-clock time. Goal: the PDF in 30 s or less for 2,000 orders. Last line: one JSON object.
"""

import argparse
import io
import json
import os
import resource
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/crm_bench_letters")
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

GOAL_SECONDS = 30.0
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "芳娜伟洋静磊敏婷杰倩浩丽强军平刚桂英华明"


def build(orders: int, now: datetime):
    from crm.models import Customer, Order, Store
    from letters.models import LetterRule, LetterTemplate, ParcelInsert

    store = Store.objects.create(
        code="bench-letters", name="丝韵旗舰店", platform="tmall", manager_hotline="+86 400 820 8820"
    )
    LetterRule.objects.create(store=store, min_amount=Decimal("1000"))
    LetterTemplate.objects.create(
        store=store, name="女士", language="zh-hans", gender="female",
        openings="亲爱的{customer}女士：\n{customer}女士，您好！\n见字如面，{customer}女士：",
        bodies="感谢您挑选{product}，愿它衬托您的气质。\n您的{product}已经过逐件检查。\n谢谢您选择{store}的{product}。",
        closings="如果物流、质量、做工、设计或售后有任何不满意，请随时联系客服；"
        "如果客服的答复不能让您满意，请拨打店长热线 "
        "{hotline}。\n任何问题请先找客服；若仍不满意，店长热线 {hotline}。",
        signoffs="{store} 敬上\n祝您生活愉快！{store}",
    )  # fmt: skip
    ParcelInsert.objects.create(store=store, kind="brand_story", title="品牌故事", body="始于1998年的江南丝绸工坊。")
    ParcelInsert.objects.create(
        store=store, kind="care", title="真丝洗护", body="冷水手洗，阴干，勿暴晒。", category="silk"
    )
    ParcelInsert.objects.create(
        store=store, kind="offer", title="下次购物礼", body="下次购物凭码立减50元。", offer_code="THANKS50"
    )
    customers = Customer.objects.bulk_create(
        Customer(
            store=store,
            external_id=f"c{i}",
            name=SURNAMES[i % 20] + GIVEN[(i // 20) % 20] + GIVEN[(i // 400) % 20],
            gender=("female", "male", "unknown")[i % 3],
            region=("上海", "北京", "杭州", "成都")[i % 4],
        )
        for i in range(orders)
    )
    Order.objects.bulk_create(
        Order(
            store=store,
            external_id=f"T{100000 + i}",
            customer=customer,
            total_amount=Decimal(1000 + (i % 50) * 100),
            items=[{"sku": "SILK-01", "name": "真丝围巾", "category": "silk" if i % 2 else "scarf", "quantity": 1}],
            placed_at=now - timedelta(hours=3),
        )
        for i, customer in enumerate(customers)
    )
    return store


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 orders instead of 2,000")
    args = parser.parse_args()
    orders = 200 if args.quick else 2000

    from served import recreate_database

    recreate_database(DATABASE_URL)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from pypdf import PdfReader

    from bench.machine import python_loop_seconds
    from letters.printing import letters_html, letters_pdf
    from letters.selectors import batch_letters
    from letters.services import letters_prepare

    now = datetime.now(UTC)
    store = build(orders, now)

    started = time.perf_counter()
    batch = letters_prepare(store=store, now=now)
    prepare_s = time.perf_counter() - started

    letters = batch_letters(batch=batch)
    started = time.perf_counter()
    letters_html(store=store, letters=letters)
    html_s = time.perf_counter() - started

    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    pdf = letters_pdf(store=store, letters=letters)
    pdf_s = time.perf_counter() - started
    # This process and the layout workers it waited for: what the PDF costs whatever else the machine runs.
    pdf_cpu_s = _cpu_seconds() - cpu_before

    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    distinct = len({letter.fingerprint for letter in letters})
    print(f"letters written in {prepare_s:.2f} s ({len(letters)} letters, {distinct} distinct)", file=sys.stderr)
    print(f"HTML only {html_s:.2f} s; PDF {pdf_s:.2f} s, {pages} pages, {len(pdf) / 1e6:.1f} MB", file=sys.stderr)
    result = {
        "bench": "letters",
        "orders": orders,
        "letters": len(letters),
        "distinct_letters": distinct,
        "pages": pages,
        "prepare_s": round(prepare_s, 2),
        "html_s": round(html_s, 2),
        "pdf_s": round(pdf_s, 2),
        "pdf_over_html": round(pdf_s / html_s, 1) if html_s else None,
        "pdf_cpu_s": round(pdf_cpu_s, 2),
        "cpu_ms_per_page": round(1000 * pdf_cpu_s / pages, 1) if pages else None,
        "cores": os.cpu_count(),
        "pdf_mb": round(len(pdf) / 1e6, 2),
        "goal_s": GOAL_SECONDS if not args.quick else GOAL_SECONDS * orders / 2000,
        "goal_met": pdf_s <= (GOAL_SECONDS * orders / 2000),
        "python_loop_s": python_loop_seconds(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
