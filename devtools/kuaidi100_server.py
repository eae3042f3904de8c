"""A local HTTP server speaking Kuaidi100's subscribe API and sending its signed pushes, for tests, bench and demo.

- `POST /poll` with form fields `schema=json` and `param` = {company, number, key, parameters: {callbackurl,
  salt, resultv2, phone?}}: checks the key, records the subscription, answers Kuaidi100's JSON
  ({"result":true,"returnCode":"200","message":"提交成功"}; 501 for a number already subscribed; 700 for a
  malformed param; 600 for a wrong key).
- Pushes: a form POST to the subscription's callbackurl with `param` (the push JSON: status, message,
  lastResult {message, state, status, condition, ischeck, com, nu, data[] newest first}) and
  `sign` = MD5(param + salt) upper case, exactly as Kuaidi100 signs them (kuaidi100-api/java-demo).
- A schedule per number: `scenario(number, name, step_seconds)` moves the parcel one checkpoint per step along
  `on_time` (picked up → in transit → out for delivery → signed for), `stalled` (picked up, in transit, then
  nothing), `exception` (… → 疑难), `returned` (… → 退签 → 退回). A new subscription with no schedule follows
  `default_scenario` (None: wait to be told).
- `push(number, state, data, status)` sends one push at once and returns our answer (tests use it for repeats,
  out-of-order pushes and forged signatures).

In-process: `server = Kuaidi100Server(key="k").start(); ...; server.stop()`.
From a shell: `python -m devtools.kuaidi100_server --port 8766 --plan "*=on_time,SF2=stalled" --step 20`;
`POST /_control` with {"number", "scenario", "step_seconds"}; `GET /_subscriptions`, `GET /_pushes`.
"""

import argparse
import contextlib
import hashlib
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
OK = {"result": True, "returnCode": "200", "message": "提交成功"}

# (state, context, area) per step. States: 0 在途, 1 揽收, 2 疑难, 3 签收, 4 退签, 5 派件, 6 退回, 7 转投.
_PICKED_UP = ("1", "【杭州市】顺丰速运 已收取快件", "浙江,杭州市")
_HUB = ("0", "快件到达【杭州萧山集散中心】", "浙江,杭州市")
_LEFT_HUB = ("0", "快件已发车，下一站【上海浦东集散中心】", "浙江,杭州市")
_ARRIVED = ("0", "快件到达【上海浦东集散中心】", "上海,上海市")
_OUT = ("5", "快件交给王师傅，正在派送途中（联系电话：13800000000）", "上海,上海市")
SCENARIOS: dict[str, list[tuple[str, str, str]]] = {
    "on_time": [_PICKED_UP, _HUB, _LEFT_HUB, _ARRIVED, _OUT, ("3", "已签收，签收人：本人，感谢使用", "上海,上海市")],
    "stalled": [_PICKED_UP, _HUB],
    "hold": [],  # subscribed, never pushed
    # The last leg only: for parcels whose earlier checkpoints are already known (the demo's).
    "arriving": [_ARRIVED, _OUT, ("3", "已签收，签收人：本人，感谢使用", "上海,上海市")],
    "exception": [_PICKED_UP, _HUB, _LEFT_HUB, ("2", "收件地址不详，快件暂存网点，待联系收件人", "上海,上海市")],
    "returned": [_PICKED_UP, _HUB, _ARRIVED, _OUT, ("4", "收件人拒收，快件退回", "上海,上海市"),
                 ("6", "快件已退回寄件网点", "浙江,杭州市")],
}  # fmt: skip


def sign(param: str, salt: str) -> str:
    return hashlib.md5((param + salt).encode()).hexdigest().upper()  # noqa: S324 (the provider's scheme)


def beijing_time(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class Parcel:
    company: str
    number: str
    callbackurl: str
    salt: str
    data: list[dict] = field(default_factory=list)  # newest first, as pushed
    state: str = "0"
    scenario: str | None = None
    step_seconds: float = 0.0
    step: int = 0
    next_at: float = 0.0


class _State:
    def __init__(self, key: str, plan: dict[str, str], step_seconds: float) -> None:
        self.lock = threading.Lock()
        self.key = key
        self.plan = plan
        self.step_seconds = step_seconds
        self.parcels: dict[str, Parcel] = {}
        self.subscriptions: list[dict] = []
        self.pushes: list[dict] = []


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: _State
    server_ref: "Kuaidi100Server"

    def log_message(self, *args) -> None:
        pass

    def _send(self, status: int, body: object) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if path in ("/_subscriptions", "/_pushes"):
            with self.state.lock:
                self._send(200, list(getattr(self.state, path[2:])))
        else:
            self._send(404, {"message": "not found"})

    def do_POST(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        raw = self._body()
        if path == "/_control":
            order = json.loads(raw or b"{}")
            self.server_ref.scenario(order["number"], order["scenario"], float(order.get("step_seconds", 0)))
            self._send(200, {"ok": True})
        elif path == "/poll":
            self._subscribe(dict(urllib.parse.parse_qsl(raw.decode(), keep_blank_values=True)))
        else:
            self._send(404, {"message": "not found"})

    def _subscribe(self, form: dict[str, str]) -> None:
        try:
            param = json.loads(form.get("param", ""))
            company, number = param["company"], param["number"]
            callbackurl = param["parameters"]["callbackurl"]
        except (ValueError, KeyError, TypeError):
            self._send(200, {"result": False, "returnCode": "700", "message": "订阅参数错误"})
            return
        if form.get("schema") != "json":
            self._send(200, {"result": False, "returnCode": "700", "message": "schema 须为 json"})
            return
        if param.get("key") != self.state.key:
            self._send(200, {"result": False, "returnCode": "600", "message": "您不是合法的订阅者"})
            return
        with self.state.lock:
            self.state.subscriptions.append({"param": param, "at": time.time()})
            parcel = self.state.parcels.get(number)
            if parcel is not None and parcel.state != "abort":
                self._send(200, {"result": False, "returnCode": "501", "message": "重复订阅"})
                return
            parcel = self.state.parcels[number] = Parcel(
                company=company, number=number, callbackurl=callbackurl, salt=param["parameters"].get("salt", "")
            )
            if scenario := self.state.plan.get(number, self.state.plan.get("*")):
                self.server_ref._schedule(parcel, scenario, self.state.step_seconds)
        self._send(200, OK)


class Kuaidi100Server:
    """The server in a thread, and a second thread that sends scheduled pushes."""

    def __init__(
        self,
        *,
        port: int = 0,
        key: str = "local-key",
        plan: dict[str, str] | None = None,
        step_seconds: float = 5.0,
        autorun: bool = True,
    ) -> None:
        self.state = _State(key, dict(plan or {}), step_seconds)
        handler = type("Handler", (_Handler,), {"state": self.state, "server_ref": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.httpd.daemon_threads = True
        self._stop = threading.Event()
        # autorun=False: nothing is pushed until the caller says so (run_due, advance, push): tests step by step.
        self.threads = [threading.Thread(target=self.httpd.serve_forever, daemon=True, name="kuaidi100-server")]
        if autorun:
            self.threads.append(threading.Thread(target=self._run_schedule, daemon=True, name="kuaidi100-pushes"))

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def poll_url(self) -> str:
        return f"{self.base_url}/poll"

    @property
    def key(self) -> str:
        return self.state.key

    def start(self) -> "Kuaidi100Server":
        for thread in self.threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def subscriptions(self) -> list[dict]:
        with self.state.lock:
            return list(self.state.subscriptions)

    @property
    def pushes(self) -> list[dict]:
        with self.state.lock:
            return list(self.state.pushes)

    # -- schedules --------------------------------------------------------------------------------------------
    def scenario(self, number: str, name: str, step_seconds: float = 0.0) -> None:
        """Move `number` along a scenario, one checkpoint every `step_seconds` (0: all steps at once, in order)."""
        with self.state.lock:
            self._schedule(self.state.parcels[number], name, step_seconds)

    def _schedule(self, parcel: Parcel, name: str, step_seconds: float) -> None:
        if name not in SCENARIOS:
            raise ValueError(f"unknown scenario {name!r}; one of {sorted(SCENARIOS)}")
        parcel.scenario, parcel.step_seconds, parcel.step = name, step_seconds, 0
        parcel.next_at = time.monotonic() + step_seconds

    def run_due(self) -> int:
        """Send every scheduled push that is due now; returns how many were sent."""
        sent = 0
        while True:
            with self.state.lock:
                due = [
                    p
                    for p in self.state.parcels.values()
                    if p.scenario and p.step < len(SCENARIOS[p.scenario]) and p.next_at <= time.monotonic()
                ]
                steps = []
                for parcel in due:
                    state, context, area = SCENARIOS[parcel.scenario][parcel.step]
                    parcel.step += 1
                    parcel.next_at = time.monotonic() + parcel.step_seconds
                    steps.append((parcel.number, state, context, area))
            if not steps:
                return sent
            for number, state, context, area in steps:
                self.advance(number, state=state, context=context, area=area)
                sent += 1

    def _run_schedule(self) -> None:
        while not self._stop.wait(0.2):
            with contextlib.suppress(Exception):  # a push that fails is logged in `pushes`; keep the schedule going
                self.run_due()

    # -- pushes -----------------------------------------------------------------------------------------------
    def advance(self, number: str, *, state: str, context: str, area: str = "", at: datetime | None = None) -> dict:
        """Add one checkpoint to the parcel's history and push the whole history, as Kuaidi100 does."""
        moment = at or datetime.now(BEIJING)
        with self.state.lock:
            parcel = self.state.parcels[number]
            item = {
                "context": context,
                "time": beijing_time(moment),
                "ftime": beijing_time(moment),
                "status": _STATUS_TEXT.get(state, "在途"),
                "areaName": area,
                "statusCode": state,
            }
            parcel.data.insert(0, item)
            parcel.state = state
            data = list(parcel.data)
        return self.push(number, state=state, data=data, status="shutdown" if state == "3" else "polling")

    def push_body(self, number: str, *, state: str, data: list[dict], status: str = "polling") -> str:
        with self.state.lock:
            parcel = self.state.parcels[number]
        body = {
            "status": status,
            "billstatus": "got",
            "message": "",
            "autoCheck": "0",
            "comOld": "",
            "comNew": "",
            "lastResult": {
                "message": "ok",
                "state": state,
                "status": "200",
                "condition": "F00",
                "ischeck": "1" if state == "3" else "0",
                "com": parcel.company,
                "nu": number,
                "data": data,
            },
        }
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"))

    def push(
        self, number: str, *, state: str, data: list[dict], status: str = "polling", sign_with: str | None = None
    ) -> dict:
        """POST one push to the parcel's callbackurl. `sign_with` overrides the signature (to forge one)."""
        with self.state.lock:
            parcel = self.state.parcels[number]
        param = self.push_body(number, state=state, data=data, status=status)
        signature = sign_with if sign_with is not None else sign(param, parcel.salt)
        return self.post(parcel.callbackurl, param=param, signature=signature, number=number)

    def post(self, url: str, *, param: str, signature: str, number: str = "") -> dict:
        form = urllib.parse.urlencode({"param": param, "sign": signature}).encode()
        request = urllib.request.Request(url, data=form, method="POST")  # noqa: S310 (our own callback URL)
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (a loaded test machine)
                answer = {"status": response.status, "body": response.read().decode()}
        except urllib.error.HTTPError as exc:
            answer = {"status": exc.code, "body": exc.read().decode()}
        except OSError as exc:
            answer = {"status": 0, "body": str(exc)}
        with self.state.lock:
            self.state.pushes.append({"number": number, "at": time.time(), **answer})
        return answer

    def abort(self, number: str) -> dict:
        """Kuaidi100 gave up on the number (no record for days): status abort, as it pushes it."""
        with self.state.lock:
            parcel = self.state.parcels[number]
            parcel.state = "abort"
            data, state = list(parcel.data), parcel.data[0]["statusCode"] if parcel.data else "0"
        return self.push(number, state=state, data=data, status="abort")


_STATUS_TEXT = {"0": "在途", "1": "揽收", "2": "疑难", "3": "签收", "4": "退签", "5": "派件", "6": "退回", "7": "转投"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--key", default="local-key")
    parser.add_argument("--plan", default="", help='scenario per number, e.g. "*=on_time,SF2=stalled"')
    parser.add_argument("--step", type=float, default=20.0, help="seconds between two checkpoints")
    args = parser.parse_args()
    plan = dict(item.split("=", 1) for item in args.plan.split(",") if "=" in item)
    server = Kuaidi100Server(port=args.port, key=args.key, plan=plan, step_seconds=args.step)
    server.threads[1].start()
    print(f"Kuaidi100-speaking server on {server.poll_url}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.httpd.serve_forever()


if __name__ == "__main__":
    main()
