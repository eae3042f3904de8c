"""What the local Twilio-speaking server knows: its fault settings, its record, and the signed callbacks it sends.

Used by devtools.twilio_server; see there.
"""

import itertools
import queue
import random
import threading
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime

from twilio.request_validator import RequestValidator

API = "/2010-04-01/Accounts/"
FAULTS = ("", "500", "500_after_record", "timeout", "429")


@dataclass
class Faults:
    latency: float = 0.0  # seconds added to every API request
    mode: str = ""  # one of FAULTS, applied to creates
    count: int = 0  # apply `mode` to the next `count` creates ...
    rate: float = 0.0  # ... or to this share of them
    hang: float = 5.0  # how long a "timeout" create hangs before answering
    opted_out: set[str] = field(default_factory=set)  # numbers that answer 21610 (a keyword received adds one)
    # Numbers whose messages are refused at create with this Twilio error code (21211: not a valid phone number).
    rejected: dict[str, str] = field(default_factory=dict)
    # Numbers whose messages are accepted and then reported by their status callbacks as the carrier left them: `sent`,
    # then `undelivered` with this error code (30003 unreachable, 30005 unknown handset, 30006 landline); or, for a
    # code given as "failed:<code>", `failed` with it (Twilio could not send it at all).
    undelivered: dict[str, str] = field(default_factory=dict)
    callbacks: bool = True  # send status callbacks (and fetch call TwiML)
    call_statuses: tuple[str, ...] = ("initiated", "ringing", "in-progress", "completed")


def public(resource: dict) -> dict:
    return {k: v for k, v in resource.items() if not k.startswith("_")}


def rfc2822(moment: datetime) -> str:
    return format_datetime(moment, usegmt=False).replace("-0000", "+0000")


# Twilio's default keywords (help.twilio.com, "Twilio support for opt-out keywords (SMS STOP filtering)"): a message
# that is one of them, as a whole, trimmed, in any case, blocks (or lifts the block on) the number it came from.
TWILIO_OPT_OUT = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"})
TWILIO_OPT_IN = frozenset({"START", "YES", "UNSTOP"})


class TwilioState:
    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid, self.auth_token = account_sid, auth_token
        self.lock = threading.Lock()
        self.faults = Faults()
        self.requests: list[dict] = []
        self.messages: list[dict] = []
        self.calls: list[dict] = []
        self.received: set[str] = set()  # the sids of the customers' messages delivered to a webhook
        self._ids = itertools.count(1)
        self._callbacks: queue.Queue = queue.Queue()
        threading.Thread(target=self._deliver_callbacks, daemon=True, name="twilio-callbacks").start()

    # -- control -------------------------------------------------------------------------------------------
    def configure(self, **changes) -> None:
        with self.lock:
            for name, value in changes.items():
                if not hasattr(self.faults, name):
                    raise ValueError(f"unknown setting {name}")
                if name == "mode" and value not in FAULTS:
                    raise ValueError(f"unknown fault {value}")
                if name == "opted_out":
                    value = set(value)
                if name in ("rejected", "undelivered"):
                    value = {str(number): str(code) for number, code in dict(value).items()}
                if name == "call_statuses":
                    value = tuple(value)
                setattr(self.faults, name, value)

    def reset(self) -> None:
        with self.lock:
            self.faults = Faults()
            self.requests.clear()
            self.messages.clear()
            self.calls.clear()
            self.received.clear()

    def keyword_received(self, *, sender: str, body: str, sid: str) -> None:
        """A customer's message came in: one of Twilio's keywords blocks the sender's number (21610) or lifts it, as
        Twilio does before it posts the message on. A webhook delivered again (the same sid) is no new message."""
        with self.lock:
            if sid in self.received:
                return
            self.received.add(sid)
            keyword = body.strip().upper()
            if keyword in TWILIO_OPT_OUT:
                self.faults.opted_out.add(sender)
            elif keyword in TWILIO_OPT_IN:
                self.faults.opted_out.discard(sender)

    def fault_for_create(self) -> str:
        with self.lock:
            faults = self.faults
            if faults.mode and faults.count > 0:
                faults.count -= 1
                return faults.mode
            if faults.mode and faults.rate and random.random() < faults.rate:
                return faults.mode
            return ""

    def sid(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):032x}"

    # -- callbacks -----------------------------------------------------------------------------------------
    def signed_post(self, url: str, params: dict[str, str]) -> tuple[int, str]:
        signature = RequestValidator(self.auth_token).compute_signature(url, params)
        request = urllib.request.Request(  # noqa: S310 (URLs the test itself configured)
            url, data=urllib.parse.urlencode(params).encode(), headers={"X-Twilio-Signature": signature}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")
        except OSError as exc:
            return 0, str(exc)

    def _deliver_callbacks(self) -> None:
        while True:
            job = self._callbacks.get()
            job()

    def queue_callback(self, job) -> None:
        self._callbacks.put(job)
