"""Tests run against real PostgreSQL and Redis; there is no fall back to SQLite."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://root@127.0.0.1:5432/crm")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("CELERY_BROKER_URL", os.environ["REDIS_URL"])

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = "test-only-not-secret"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TELEPHONY_BACKEND = env("TELEPHONY_BACKEND", default="callbacks.telephony.memory.InMemoryBackend")
TRACKING_BACKEND = env("TRACKING_BACKEND", default="logistics.tracking.memory.InMemoryBackend")
KUAIDI100_SALT = "test-salt"
# Tests never run collectstatic: serve from the finders, and don't point WhiteNoise at a missing folder.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
