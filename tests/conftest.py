"""Root fixtures. Before anything runs, PostgreSQL and Redis must answer: no silent fall back to SQLite."""

import socket

import pytest

# Shared assertion helpers: rewritten like the tests' own asserts, so a failure shows both sides.
pytest.register_assert_rewrite("tests.sms_faults")


def _unreachable(host: str, port: int) -> str | None:
    try:
        with socket.create_connection((host, port), timeout=3):
            return None
    except OSError as exc:
        return f"{host}:{port} ({exc})"


def pytest_sessionstart(session: pytest.Session) -> None:
    from urllib.parse import urlsplit

    from django.conf import settings

    db = settings.DATABASES["default"]
    problems = []
    if db["ENGINE"] != "django.db.backends.postgresql":
        problems.append(f"DATABASE_URL must point at PostgreSQL (engine is {db['ENGINE']})")
    elif failure := _unreachable(db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)):
        problems.append(f"DATABASE_URL unreachable at {failure}")
    redis = urlsplit(settings.REDIS_URL)
    if not settings.REDIS_URL:
        problems.append("REDIS_URL is not set")
    elif failure := _unreachable(redis.hostname or "127.0.0.1", redis.port or 6379):
        problems.append(f"REDIS_URL unreachable at {failure}")
    if problems:
        pytest.exit("Tests need real PostgreSQL and Redis: " + "; ".join(problems), returncode=3)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Browser tests last, whatever order the paths were given in: Playwright's driver keeps threads and an event
    # loop in this process until the session ends, and the exactly-once tests fork this process (a fork of a
    # process with other threads can hang on a lock one of them held).
    items.sort(key=lambda item: "/tests/e2e/" in str(item.path))


@pytest.fixture
def store(db):
    """The silk store most page and case tests work in (a module may override it with a store of its own)."""
    from tests.factories import StoreFactory

    return StoreFactory(name="丝韵旗舰店", timezone="Asia/Shanghai")


@pytest.fixture
def agent(store):
    """An agent of `store`, user "lin"."""
    from tests.factories import AgentFactory

    return AgentFactory(user__username="lin", stores=[store])


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    # Assertions read English messages; Chinese pages are asserted in their own tests.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def twilio_server():
    """The local Twilio-speaking server (devtools.twilio_server) in a thread: `.requests`, `.messages`, `.calls`."""
    from devtools.twilio_server import TwilioServer

    server = TwilioServer().start()
    yield server
    server.stop()


@pytest.fixture
def twilio_backend(twilio_server, settings):
    """Telephony through the official twilio client to the local server. Returns the server."""
    settings.TELEPHONY_BACKEND = "callbacks.telephony.twilio.TwilioBackend"
    settings.TWILIO_ACCOUNT_SID = twilio_server.account_sid
    settings.TWILIO_AUTH_TOKEN = twilio_server.auth_token
    settings.TWILIO_API_BASE_URL = twilio_server.base_url
    settings.TWILIO_FROM_NUMBER = "+8610000000000"
    return twilio_server


@pytest.fixture
def twilio_live(twilio_backend, live_server, settings):
    """As twilio_backend, and the server's signed callbacks (and TwiML fetches) reach the live test server."""
    settings.PUBLIC_BASE_URL = live_server.url
    return twilio_backend


@pytest.fixture
def sms_fast_recovery(settings):
    """The SMS sweeper's timings shrunk for fault-injection runs: short HTTP timeout, a stuck claim reconciled after
    1.2 s, small batches (tests.sms_faults)."""
    settings.TWILIO_HTTP_TIMEOUT = 0.4
    settings.SMS_RECONCILE_AFTER_SECONDS = 1.2
    settings.SMS_BATCH_SIZE = 4
    settings.SMS_SEND_THREADS = 4


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database as pytest-django makes it. Before pytest-django drops it, what is still connected to it is
    ended: a session the last browser test's live server left idle (seen after the whole suite, not after the
    browser tests alone), and this thread's own. PostgreSQL refuses to drop a database someone is connected to."""
    yield
    with django_db_blocker.unblock():
        from django.db import connection, connections

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        connections.close_all()
