"""The order API's latency while someone floods the login page with wrong passwords, against the same flood of
plain page views.

    python bench/login_flood.py [--requests N]

Builds a fresh PostgreSQL database (BENCH_DATABASE_URL, default crm_bench_login on 127.0.0.1) with a store, an
order, an API token and a user; serves production settings under gunicorn (4 workers) on loopback. Measured in the
same run, N sequential GETs of the order through the API each time:
  - quiet: nobody else on the server;
  - pages (the reference): six threads loop two GETs of the login page, as fast as they can;
  - logins: the same six threads loop a GET of the login page and a wrong-password POST (a fresh username each
    time, the CSRF token read first, as a script would).
Every login must be refused and every API answer must be 200. Goal: once the address has failed
AXES_FAILURE_LIMIT times it is locked out (429) without a password being hashed, so at most that many attempts of
the whole flood hash one (a refused attempt that still hashes answers 200 with the form). Any flood of requests
queues the API behind it: the API's medians quiet, under the page flood and under the login flood show what a
wrong password costs beside a page view (before the lockout existed, six such loops took the API's median from
14 ms to 1.4 s). Last line: one JSON object.
"""

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/crm_bench_login")

from bench.dashboard import BENCH_DATABASE_URL  # noqa: E402  (the URL from BENCH_DATABASE_URL, set above)

FLOODERS, WORKERS = 6, 4


def _setup() -> str:
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from crm.models import Customer, Order, Store
    from crm.services.api_tokens import api_token_create

    call_command("migrate", verbosity=0)
    store = Store.objects.create(code="silk-tmall", name="丝韵旗舰店", platform="tmall")
    customer = Customer.objects.create(store=store, external_id="c1", name="王芳", phone="+8613800000001")
    Order.objects.create(store=store, customer=customer, external_id="TM-1", total_amount=Decimal("1299"),
                         placed_at=timezone.now())  # fmt: skip
    get_user_model().objects.create_user(username="agent", password="the-right-one")
    return api_token_create(store_codes=[store.code], name="bench")[1]


def _api_latencies(port: int, key: str, count: int) -> list[float]:
    took = []
    for _ in range(count):
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", "/api/v1/orders/TM-1", headers={"Authorization": f"Token {key}"})
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status != 200:
            raise SystemExit(f"the API answered {response.status} during the measurement")
        took.append((time.perf_counter() - started) * 1000)
    return took


def _flood(port: int, stop: threading.Event, answers: dict[int, int], lock: threading.Lock, seed: int,
           login: bool) -> None:  # fmt: skip
    n = 0
    while not stop.is_set():
        n += 1
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", "/accounts/login/")
        page = connection.getresponse()
        body = page.read().decode()
        cookie = page.getheader("Set-Cookie", "").split(";")[0]
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if found is None:
            raise SystemExit(f"the login page answered {page.status} without a form: {body[:300]!r}")
        token = found.group(1)
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": f"guess{seed}-{n}",
                                       "password": "wrong"})  # fmt: skip
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)  # gunicorn closes after each answer
        if login:
            connection.request("POST", "/accounts/login/", body=form, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
                "Referer": f"http://127.0.0.1:{port}/accounts/login/"})  # fmt: skip
        else:
            connection.request("GET", "/accounts/login/")
        response = connection.getresponse()
        response.read()
        connection.close()
        with lock:
            answers[response.status] = answers.get(response.status, 0) + 1


def _under_flood(port: int, key: str, count: int, answers: dict[int, int], *, login: bool) -> list[float]:
    stop, lock = threading.Event(), threading.Lock()
    flooders = [
        threading.Thread(target=_flood, args=(port, stop, answers, lock, seed, login)) for seed in range(FLOODERS)
    ]
    for thread in flooders:
        thread.start()
    time.sleep(1)  # the flood under way (and, for logins, the lockout reached) before measuring
    try:
        return _api_latencies(port, key, count)
    finally:
        stop.set()
        for thread in flooders:
            thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="API requests per measurement")
    args = parser.parse_args()
    from served import free_port, production_env, recreate_database, start_gunicorn

    recreate_database(BENCH_DATABASE_URL)
    import django

    django.setup()
    key = _setup()

    # Production serves the login page's static files from a manifest: collect them, as a deployment does.
    env = {**production_env(BENCH_DATABASE_URL), "VAR_DIR": tempfile.mkdtemp(prefix="bench-login-")}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    port = free_port()
    server = start_gunicorn(port, WORKERS, env)
    try:
        _api_latencies(port, key, 20)  # warm every worker
        quiet = _api_latencies(port, key, args.requests)
        page_answers, login_answers = {}, {}
        pages = _under_flood(port, key, args.requests, page_answers, login=False)
        logins = _under_flood(port, key, args.requests, login_answers, login=True)
    finally:
        server.terminate()
        server.wait()
    if not login_answers or set(login_answers) - {200, 429} or set(page_answers) != {200}:
        raise SystemExit(f"the flood's answers: pages {page_answers}, wrong-password logins {login_answers}")
    pages_median, logins_median = statistics.median(pages), statistics.median(logins)
    from django.conf import settings

    result = {
        "bench": "login_flood",
        "requests": args.requests,
        "flooders": FLOODERS,
        "login_answers": {str(status): count for status, count in sorted(login_answers.items())},
        "page_views": sum(page_answers.values()),
        "api_median_ms_quiet": round(statistics.median(quiet), 2),
        "api_median_ms_page_flood": round(pages_median, 2),
        "api_median_ms_login_flood": round(logins_median, 2),
        "api_p95_ms_page_flood": round(statistics.quantiles(pages, n=20)[18], 2),
        "api_p95_ms_login_flood": round(statistics.quantiles(logins, n=20)[18], 2),
        "login_flood_over_page_flood": round(logins_median / pages_median, 2),
        "login_flood_over_quiet": round(logins_median / statistics.median(quiet), 2),
        "passwords_hashed": login_answers.get(200, 0),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "goal_met": login_answers.get(200, 0) <= settings.AXES_FAILURE_LIMIT,
        "load_average_1min": os.getloadavg()[0],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
