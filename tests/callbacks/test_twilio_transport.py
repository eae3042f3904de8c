"""The transport under the official twilio client: what it knows about the provider's side when a request fails
decides whether dispatch may retry (nothing left) or must look the message up first (it may have been sent)."""

import json
import select
import socket
import threading
import urllib.parse

import pytest

from callbacks.telephony import OutcomeUnknown, ProviderBusy
from callbacks.telephony.twilio import TwilioBackend

SID = "AC" + "0" * 32


def _message(sid: str) -> bytes:
    body = json.dumps({"sid": sid, "to": "+8613000000001", "body": "hi", "status": "queued"}).encode()
    return b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    while len(body) < length:
        body += conn.recv(65536)
    return head + b"\r\n\r\n" + body


class _ScriptedServer:
    """Each accepted connection runs the next script step: ("answer", n) answers n requests then closes the
    connection without a word (as an idle keep-alive timeout does); ("drop",) reads the request and closes."""

    def __init__(self, steps: list[tuple]) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.steps, self.requests, self.connections = steps, [], 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def _serve(self) -> None:
        for step in self.steps:
            conn, _ = self.listener.accept()
            self.connections += 1
            with conn:
                for _ in range(step[1] if step[0] == "answer" else 1):
                    self.requests.append(_read_request(conn))
                    if step[0] == "answer":
                        conn.sendall(_message(f"SM{len(self.requests)}"))


@pytest.fixture
def backend_to(settings):
    def build(base_url: str, sid: str = SID, token: str = "token") -> TwilioBackend:
        settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = sid, token
        settings.TWILIO_API_BASE_URL, settings.TWILIO_FROM_NUMBER = base_url, "+8610000000000"
        settings.TWILIO_HTTP_TIMEOUT = 2
        return TwilioBackend()

    return build


def test_requests_share_one_kept_alive_connection_and_a_closed_one_is_replaced_before_sending(backend_to):
    server = _ScriptedServer([("answer", 2), ("answer", 1)])
    backend = backend_to(server.base_url)
    sids = [backend.send_sms(to="+8613000000001", body="hi", status_callback="https://x/1").sid for _ in range(2)]
    # The server has closed the idle connection: the next request goes out on a new one, once.
    sids.append(backend.send_sms(to="+8613000000001", body="hi", status_callback="https://x/1").sid)
    assert sids == ["SM1", "SM2", "SM3"]
    assert (server.connections, len(server.requests)) == (2, 3)
    head, _, body = server.requests[0].decode().partition("\r\n\r\n")
    assert head.startswith(f"POST /2010-04-01/Accounts/{SID}/Messages.json HTTP/1.1")
    assert "Authorization: Basic " in head and "twilio-python/" in head
    form = dict(urllib.parse.parse_qsl(body))
    assert form == {"To": "+8613000000001", "From": "+8610000000000", "Body": "hi", "StatusCallback": "https://x/1"}


def test_a_request_sent_but_unanswered_is_an_unknown_outcome_not_a_refusal(backend_to):
    server = _ScriptedServer([("drop",)])
    backend = backend_to(server.base_url)
    with pytest.raises(OutcomeUnknown):
        backend.send_sms(to="+8613000000001", body="hi", status_callback="https://x/1")
    assert len(server.requests) == 1  # it did arrive: only a lookup may tell whether it was accepted


def test_no_connection_means_nothing_was_sent(backend_to):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
    backend = backend_to(f"http://127.0.0.1:{port}")  # nothing listens there any more
    with pytest.raises(ProviderBusy):
        backend.send_sms(to="+8613000000001", body="hi", status_callback="https://x/1")


def _connect_proxy(seen: list[str]) -> socket.socket:
    """A CONNECT-only proxy: records the tunnel target and pipes bytes both ways."""
    listener = socket.create_server(("127.0.0.1", 0))

    def pipe(client: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            head += client.recv(4096)
        seen.append(head.decode())
        host, _, port = head.split()[1].decode().rpartition(":")
        upstream = socket.create_connection((host, int(port)))
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        with client, upstream:
            while True:
                readable, _, _ = select.select([client, upstream], [], [], 5)
                if not readable:
                    return
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    (upstream if source is client else client).sendall(data)

    def serve() -> None:
        while True:
            client, _ = listener.accept()
            threading.Thread(target=pipe, args=(client,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return listener


def test_the_environments_proxy_is_used_through_a_tunnel(backend_to, twilio_server, monkeypatch):
    seen: list[str] = []
    proxy = _connect_proxy(seen)
    monkeypatch.setenv("HTTP_PROXY", f"http://user:secret@127.0.0.1:{proxy.getsockname()[1]}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    backend = backend_to(twilio_server.base_url, twilio_server.account_sid, twilio_server.auth_token)
    message = backend.send_sms(to="+8613000000001", body="hi", status_callback="https://x/1")
    assert [m["sid"] for m in twilio_server.messages] == [message.sid]
    (tunnel,) = seen
    assert tunnel.startswith(f"CONNECT {twilio_server.base_url.removeprefix('http://')} HTTP/")
    assert "Proxy-Authorization: Basic dXNlcjpzZWNyZXQ=" in tunnel
