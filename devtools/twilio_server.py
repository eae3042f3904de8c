"""A local HTTP server speaking the part of Twilio's REST API this project uses, for tests and benchmarks.

- `POST/GET /2010-04-01/Accounts/{sid}/Messages.json`, `POST/GET .../Calls.json`, `GET .../Calls/{sid}.json`,
  with HTTP basic auth (account SID and auth token) and the account SID in the path, answering Twilio's JSON.
- Records every request it receives (`requests`), and every message and call it accepted (`messages`, `calls`).
- Faults on demand, for the next N creates or a share of them: added latency, a 500 that records nothing (the
  provider failed to take it), a 500 after recording the message or call, a hang after recording (the client times
  out), 429, and error 21610 for opted-out numbers.
- Sends status callbacks signed like Twilio's (X-Twilio-Signature), and for a call fetches its TwiML URL. A message's
  resource says what its callbacks said (`status`, `error_code`); `settle_message` moves it on with no callback.
- Delivers a customer's reply (`receive_sms`) to a webhook URL as Twilio posts an inbound message, signed; the
  same message can be delivered again, as Twilio redelivers a webhook whose answer it did not get. Like Twilio, a
  reply that is one of its opt-out keywords (STOP, CANCEL, END, ...) makes later messages to the sender's number
  answer 21610 until an opt-in keyword (START, YES, UNSTOP) comes from it.

In-process: `server = TwilioServer().start(); server.configure(latency=0.05); server.stop()`.
From a shell: `python -m devtools.twilio_server --port 8765`; then `POST /_control` with a JSON body of
`configure()` arguments, `GET /_requests`, `GET /_messages`, `GET /_calls`, `POST /_reset`.
"""

import argparse
import base64
import contextlib
import json
import socket
import threading
import time
import urllib.parse
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .twilio_state import API, TwilioState, public, rfc2822


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Twilio and the twilio client use
    state: TwilioState

    def setup(self) -> None:
        super().setup()
        # Answers go out in one write with Nagle off: no 40 ms delayed-ACK stalls on keep-alive connections.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args) -> None:  # quiet: tests read the record instead
        pass

    # -- plumbing -------------------------------------------------------------------------------------------
    def _send(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self._headers_buffer.append(b"\r\n" + data)  # headers and body in one send (end_headers flushes)
        self.flush_headers()

    def _error(self, status: int, code: int, message: str) -> None:
        self._send(status, {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
                            "status": status})  # fmt: skip

    def _form(self) -> dict[str, str] | None:
        """The form body, or None when the client went away mid-request (like Twilio, accept nothing then)."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if len(raw) < length:
            self.close_connection = True
            return None
        return dict(urllib.parse.parse_qsl(raw.decode(), keep_blank_values=True))

    def _authorised(self) -> bool:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return (user, password) == (self.state.account_sid, self.state.auth_token)

    def _record(self, method: str, path: str, params: dict, status: int, accepted: bool, sid: str = "") -> None:
        with self.state.lock:
            self.state.requests.append({"method": method, "path": path, "params": params, "status": status,
                                        "accepted": accepted, "sid": sid, "at": time.time()})  # fmt: skip

    # -- routing --------------------------------------------------------------------------------------------
    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path in ("/_requests", "/_messages", "/_calls"):
            with self.state.lock:
                self._send(200, list(getattr(self.state, url.path[2:])))
            return
        resource = self._api_resource(url.path)
        if resource is None:
            return
        query = dict(urllib.parse.parse_qsl(url.query))
        self._record("GET", url.path, query, 200, False)
        if resource == ("Messages", ""):
            self._send(200, self._page("messages", self._filter_messages(query), url))
        elif resource == ("Calls", ""):
            with self.state.lock:  # newest first, as Twilio lists them
                calls = [c for c in reversed(self.state.calls) if not query.get("To") or c["to"] == query["To"]]
            self._send(200, self._page("calls", [public(c) for c in calls], url))
        elif resource[0] == "Calls":
            call = next((c for c in self.state.calls if c["sid"] == resource[1]), None)
            if call is None:
                self._error(404, 20404, "The requested resource was not found")
            else:
                self._send(200, public(call))
        else:
            self._error(404, 20404, "The requested resource was not found")

    def do_POST(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/_control":
            length = int(self.headers.get("Content-Length") or 0)
            try:
                self.state.configure(**json.loads(self.rfile.read(length) or b"{}"))
            except (ValueError, TypeError) as exc:
                self._send(400, {"error": str(exc)})
                return
            self._send(200, {"ok": True})
            return
        if url.path == "/_reset":
            self.state.reset()
            self._send(200, {"ok": True})
            return
        resource = self._api_resource(url.path)
        if resource is None:
            return
        params = self._form()
        if params is None:
            self._record("POST", url.path, {}, 0, False)
            return
        if resource == ("Messages", ""):
            self._create_message(url.path, params)
        elif resource == ("Calls", ""):
            self._create_call(url.path, params)
        else:
            self._error(404, 20404, "The requested resource was not found")

    def _api_resource(self, path: str) -> tuple[str, str] | None:
        """("Messages", "") for the list, ("Calls", sid) for one; None after answering an error."""
        if not path.startswith(API) or not path.endswith(".json"):
            self._error(404, 20404, "The requested resource was not found")
            return None
        if not self._authorised():
            self._error(401, 20003, "Authenticate")
            return None
        account, _, rest = path[len(API) : -len(".json")].partition("/")
        if account != self.state.account_sid:
            self._error(404, 20404, "The requested resource was not found")
            return None
        if self.state.faults.latency:
            time.sleep(self.state.faults.latency)
        kind, _, sid = rest.partition("/")
        return kind, sid

    # -- messages -------------------------------------------------------------------------------------------
    def _create_message(self, path: str, params: dict[str, str]) -> None:
        to = params.get("To", "")
        if to in self.state.faults.opted_out:
            self._record("POST", path, params, 400, False)
            self._error(400, 21610, "Attempt to send to unsubscribed recipient")
            return
        if to in self.state.faults.rejected:
            code = int(self.state.faults.rejected[to])
            self._record("POST", path, params, 400, False)
            self._error(400, code, REJECTIONS.get(code, "The message was refused").format(to=to))
            return
        fault = self._fault_for_create_or_throttle(path, params)
        if fault is None:
            return
        now = datetime.now(UTC)
        message = {
            "sid": self.state.sid("SM"), "account_sid": self.state.account_sid, "to": to,
            "from": params.get("From", ""), "body": params.get("Body", ""), "status": "queued",
            "direction": "outbound-api", "num_segments": "1", "api_version": "2010-04-01",
            "date_created": rfc2822(now), "date_updated": rfc2822(now), "date_sent": None,
            "error_code": None, "error_message": None, "price": None, "price_unit": "USD",
            "messaging_service_sid": None, "subresource_uris": {},
            "_status_callback": params.get("StatusCallback", ""), "_created": now.timestamp(),
        }  # fmt: skip
        message["uri"] = f"{API}{self.state.account_sid}/Messages/{message['sid']}.json"
        with self.state.lock:
            self.state.messages.append(message)
        self._record("POST", path, params, 201 if not fault else 500, True, message["sid"])
        if message["_status_callback"] and self.state.faults.callbacks:
            self.state.queue_callback(lambda: self._message_callbacks(message))
        self._answer_created(fault, message)

    def _fault_for_create_or_throttle(self, path: str, params: dict) -> str | None:
        fault = self.state.fault_for_create()
        if fault == "429":
            self._record("POST", path, params, 429, False)
            self._error(429, 20429, "Too Many Requests")
            return None
        if fault == "500":
            self._record("POST", path, params, 500, False)
            self._error(500, 20500, "Internal Server Error")
            return None
        return fault

    def _answer_created(self, fault: str, resource: dict) -> None:
        if fault == "500_after_record":
            self._error(500, 20500, "Internal Server Error")
        elif fault == "timeout":
            time.sleep(self.state.faults.hang)
            self.close_connection = True
        else:
            self._send(201, public(resource))

    def _message_callbacks(self, message: dict) -> None:
        fate = self.state.faults.undelivered.get(message["to"], "")
        if not fate:
            statuses = [("sent", ""), ("delivered", "")]
        elif fate.startswith("failed:"):
            statuses = [("failed", fate.removeprefix("failed:"))]
        else:
            statuses = [("sent", ""), ("undelivered", fate)]
        for status, code in statuses:
            message_status_post(self.state, message, status, code)

    def _filter_messages(self, query: dict[str, str]) -> list[dict]:
        after = query.get("DateSent>") or query.get("DateSent>=")
        since = datetime.fromisoformat(after.replace("Z", "+00:00")).timestamp() if after else None
        with self.state.lock:
            found = [m for m in self.state.messages if not query.get("To") or m["to"] == query["To"]]
        if since is not None:
            found = [m for m in found if m["_created"] >= since]
        return [public(m) for m in found]

    def _page(self, key: str, items: list[dict], url) -> dict:
        return {key: items, "page": 0, "page_size": len(items), "start": 0, "end": max(len(items) - 1, 0),
                "uri": url.path, "first_page_uri": url.path, "next_page_uri": None,
                "previous_page_uri": None}  # fmt: skip

    # -- calls ----------------------------------------------------------------------------------------------
    def _create_call(self, path: str, params: dict[str, str]) -> None:
        fault = self._fault_for_create_or_throttle(path, params)
        if fault is None:
            return
        now = datetime.now(UTC)
        call = {
            "sid": self.state.sid("CA"), "account_sid": self.state.account_sid, "to": params.get("To", ""),
            "from": params.get("From", ""), "status": "queued", "direction": "outbound-api",
            "duration": None, "date_created": rfc2822(now), "date_updated": rfc2822(now),
            "api_version": "2010-04-01", "subresource_uris": {},
            # Not part of Twilio's resource: kept for tests (underscore keys are never served).
            "_url": params.get("Url", ""), "_status_callback": params.get("StatusCallback", ""), "_twiml": None,
        }  # fmt: skip
        call["uri"] = f"{API}{self.state.account_sid}/Calls/{call['sid']}.json"
        with self.state.lock:
            self.state.calls.append(call)
        self._record("POST", path, params, 201 if not fault else 500, True, call["sid"])
        if self.state.faults.callbacks:
            self.state.queue_callback(lambda: self._call_progress(call))
        self._answer_created(fault, call)

    def _call_progress(self, call: dict) -> None:
        base = {"CallSid": call["sid"], "AccountSid": self.state.account_sid, "From": call["from"],
                "To": call["to"], "Direction": "outbound-api"}  # fmt: skip
        for status in self.state.faults.call_statuses:
            call["status"] = status
            if status == "in-progress" and call["_url"]:  # the agent answered: fetch the bridging TwiML
                _, call["_twiml"] = self.state.signed_post(call["_url"], {**base, "CallStatus": status})
            if status == "completed":
                call["duration"] = "42"
            if call["_status_callback"]:
                extra = {"CallDuration": call["duration"]} if call["duration"] else {}
                self.state.signed_post(call["_status_callback"], {**base, "CallStatus": status, **extra})


# What Twilio answers for the create-time refusals the server can be configured with (`rejected`).
REJECTIONS = {
    21211: "The 'To' number {to} is not a valid phone number.",
    21614: "'To' number is not a valid mobile number",
}


def message_status_set(message: dict, status: str, error_code: str = "") -> None:
    """The message's resource moves on as Twilio's does: its status, and for a final `failed` or `undelivered` its
    `error_code` (an integer in Twilio's JSON), which a list or fetch of it then returns."""
    message["status"] = status
    if error_code:
        message["error_code"] = int(error_code)


def message_status_post(state: TwilioState, message: dict, status: str, error_code: str = "") -> tuple[int, str]:
    """A message's status callback, signed and posted as Twilio posts it: a final `failed` or `undelivered` carries the
    error code (`ErrorCode`), as Twilio's does, and the message's resource says so too."""
    message_status_set(message, status, error_code)
    params = {"MessageSid": message["sid"], "SmsSid": message["sid"], "MessageStatus": status, "SmsStatus": status,
              "AccountSid": state.account_sid, "To": message["to"], "From": message["from"],
              "ApiVersion": "2010-04-01"}  # fmt: skip
    if error_code:
        params["ErrorCode"] = error_code
    return state.signed_post(message["_status_callback"], params)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Benchmarks open dozens of keep-alive connections at once; the default backlog of 5 would drop SYNs.
    request_queue_size = 256


class TwilioServer:
    """The server on 127.0.0.1 in a background thread. `base_url` is what TWILIO_API_BASE_URL should be."""

    def __init__(self, *, port: int = 0, account_sid: str = "AC" + "0" * 32, auth_token: str = "local-token"):  # noqa: S107
        self.state = TwilioState(account_sid, auth_token)
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.httpd = _Server(("127.0.0.1", port), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True, name="twilio-server")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    @property
    def account_sid(self) -> str:
        return self.state.account_sid

    @property
    def auth_token(self) -> str:
        return self.state.auth_token

    def start(self) -> "TwilioServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def configure(self, **changes) -> None:
        self.state.configure(**changes)

    def reset(self) -> None:
        self.state.reset()

    def receive_sms(self, *, url: str, sender: str, body: str, to: str = "", sid: str = "") -> tuple[int, str]:
        """A customer's SMS to our number, posted (signed) to `url` as Twilio posts an incoming message; `sid`
        delivers a message again. Returns the webhook's status code and body."""
        params = {
            "MessageSid": sid or self.state.sid("SM"), "AccountSid": self.state.account_sid, "From": sender,
            "To": to, "Body": body, "NumMedia": "0", "NumSegments": "1", "SmsStatus": "received",
            "ApiVersion": "2010-04-01",
        }  # fmt: skip
        params["SmsSid"] = params["SmsMessageSid"] = params["MessageSid"]
        self.state.keyword_received(sender=sender, body=body, sid=params["MessageSid"])
        return self.state.signed_post(url, params)

    def report_message(self, *, sid: str, status: str, error_code: str = "") -> tuple[int, str]:
        """Post one more status callback for the message `sid` (to the URL its create gave), as Twilio posts a status
        again or late: a `delivered` after an `undelivered`, the same one twice. Returns the webhook's status code
        and body."""
        with self.state.lock:
            message = next(m for m in self.state.messages if m["sid"] == sid)
        return message_status_post(self.state, message, status, error_code)

    def settle_message(self, *, sid: str, status: str, error_code: str = "") -> None:
        """The message `sid` moves on at Twilio (`failed`, `undelivered` with its error code, ...) with no status
        callback reaching us (none asked, or each one lost): only a list or fetch of it tells."""
        with self.state.lock:
            message = next(m for m in self.state.messages if m["sid"] == sid)
            message_status_set(message, status, error_code)

    @property
    def requests(self) -> list[dict]:
        with self.state.lock:
            return list(self.state.requests)

    @property
    def messages(self) -> list[dict]:
        with self.state.lock:
            return list(self.state.messages)

    @property
    def calls(self) -> list[dict]:
        with self.state.lock:
            return list(self.state.calls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--account-sid", default="AC" + "0" * 32)
    parser.add_argument("--auth-token", default="local-token")
    args = parser.parse_args()
    server = TwilioServer(port=args.port, account_sid=args.account_sid, auth_token=args.auth_token)
    print(f"Twilio-speaking server on {server.base_url} (account {server.account_sid})", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.httpd.serve_forever()


if __name__ == "__main__":
    main()
