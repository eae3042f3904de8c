"""The transport under the official twilio client: `http.client`, one kept-alive connection per thread.

twilio's `Client` takes any `twilio.http.HttpClient` (its documented `http_client=` extension point); the
client still builds every request (URL, form fields, auth, headers) and parses every answer into its
resource objects. Only the wire underneath changes. The default, `TwilioHttpClient`, goes through
`requests`: preparing, merging settings, hooks, cookies and its pool cost about three quarters of the CPU of
one message in our dispatch workers (profiled with py-spy, see docs/performance.md); this is a few calls of
the standard library per request.

It also says what is known about the provider's side when a request fails, because dispatch must never resend
a message the provider may have accepted:

- the connection (or the proxy tunnel, or TLS) could not be set up: nothing left, `ProviderBusy`;
- anything after the first byte of the request may have been sent: `OutcomeUnknown` (looked up, not resent).

There are no retries here, as with twilio's default client.
"""

import base64
import http.client
import json
import logging
import select
import ssl
import threading
import urllib.parse
import urllib.request

import certifi
from twilio.http import HttpClient
from twilio.http.response import Response

from .base import OutcomeUnknown, ProviderBusy

_logger = logging.getLogger("twilio.http_client")
_JSON_TYPES = ("application/json", "application/scim+json")


def _basic(user: str, password: str) -> str:
    # Latin-1, as requests encodes basic auth (account SIDs and tokens are ASCII anyway).
    return "Basic " + base64.b64encode(f"{user}:{password}".encode("latin-1")).decode("ascii")


def _dropped(conn: http.client.HTTPConnection) -> bool:
    """A kept-alive connection the server has closed (or that has unread bytes) must not carry a request."""
    poller = select.poll()
    poller.register(conn.sock, select.POLLIN)
    return bool(poller.poll(0))


class KeepAliveHttpClient(HttpClient):
    """Thread-safe: each thread has its own connection per origin. Not fork-safe: build one per process."""

    def __init__(self, *, timeout: float, logger: logging.Logger = _logger) -> None:
        super().__init__(logger, is_async=False, timeout=timeout)
        # Read once: the environment's proxies (HTTPS_PROXY, NO_PROXY...) do not change while we run.
        self._proxies = urllib.request.getproxies_environment()
        # The same CA bundle requests would use, loaded once instead of per connection.
        self._tls = ssl.create_default_context(cafile=certifi.where())
        self._local = threading.local()

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,  # never followed: twilio's API answers what it means
    ) -> Response:
        timeout = self.timeout if timeout is None else timeout
        if timeout <= 0:
            raise ValueError(timeout)
        headers = dict(headers or {})
        if self.logger.isEnabledFor(logging.INFO):
            self.log_request({"method": method, "url": url, "params": params, "headers": headers})
        target = urllib.parse.urlsplit(url)
        path = target.path or "/"
        query = urllib.parse.urlencode(params or {}, doseq=True)
        if target.query or query:
            path += "?" + "&".join(q for q in (target.query, query) if q)
        body = None
        if data is not None and method.upper() not in ("GET", "HEAD"):
            if headers.get("Content-Type") in _JSON_TYPES:
                body = json.dumps(data).encode()
            else:
                body = urllib.parse.urlencode(data, doseq=True).encode()
        if auth is not None:
            headers["Authorization"] = _basic(*auth)

        conn = self._connection(target, timeout)
        try:
            conn.request(method.upper(), path, body=body, headers=headers)
            answer = conn.getresponse()
            content = answer.read()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            raise OutcomeUnknown(f"{method} {target.netloc}{target.path}: {exc!r}", code="no_answer") from exc
        if answer.will_close:
            conn.close()
        if self.logger.isEnabledFor(logging.INFO):
            self.log_response(answer.status, answer)
        self._test_only_last_response = Response(answer.status, content.decode("utf-8", "replace"), answer.headers)
        return self._test_only_last_response

    def _connection(self, target: urllib.parse.SplitResult, timeout: float) -> http.client.HTTPConnection:
        """This thread's open connection to the target's origin; nothing has been sent if this raises."""
        connections = self._local.__dict__.setdefault("connections", {})
        key = (target.scheme, target.hostname, target.port)
        conn = connections.get(key)
        if conn is not None and conn.sock is not None and _dropped(conn):
            conn.close()
        if conn is None:
            conn = connections[key] = self._new_connection(target)
        conn.timeout = timeout
        try:
            if conn.sock is None:
                conn.connect()
            else:
                conn.sock.settimeout(timeout)
        except OSError as exc:  # refused, unresolvable, connect timeout, proxy refusal, TLS failure
            conn.close()
            raise ProviderBusy(f"cannot reach {target.netloc}: {exc!r}", code="unreachable") from exc
        return conn

    def _new_connection(self, target: urllib.parse.SplitResult) -> http.client.HTTPConnection:
        https = target.scheme == "https"
        port = target.port or (443 if https else 80)
        proxy = self._proxy_for(target)
        host, connect_port = (proxy.hostname, proxy.port or 80) if proxy else (target.hostname, port)
        if https:
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(host, connect_port, context=self._tls)
        else:
            conn = http.client.HTTPConnection(host, connect_port)
        if proxy:  # a CONNECT tunnel through the proxy, for http as for https
            tunnel_headers = {}
            if proxy.username:
                credentials = (urllib.parse.unquote(proxy.username), urllib.parse.unquote(proxy.password or ""))
                tunnel_headers["Proxy-Authorization"] = _basic(*credentials)
            conn.set_tunnel(target.hostname, port, headers=tunnel_headers)
        return conn

    def _proxy_for(self, target: urllib.parse.SplitResult) -> urllib.parse.SplitResult | None:
        proxy = self._proxies.get(target.scheme)
        if not proxy or urllib.request.proxy_bypass_environment(target.hostname, self._proxies):
            return None
        return urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
