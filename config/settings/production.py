"""Production: PostgreSQL, Redis, gunicorn behind a TLS-terminating reverse proxy. Every secret must come from
the environment. `manage.py check --deploy --fail-level WARNING` passes with these defaults (make test runs it).
"""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")  # required: no default on purpose
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
# The proxy ends TLS and says so in X-Forwarded-Proto (it must overwrite, not pass on, a client's own header).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Health checks come from inside the network, over plain HTTP, and must not be redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz(/live)?$"]
# HSTS: a year by default. Lower SECURE_HSTS_SECONDS (e.g. 300) while first trying HTTPS on a new host.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
# One reverse proxy in front (see docs/decisions/0015-login-lockout.md): the login lockout counts the client
# address it reports. Set 0 when clients reach gunicorn directly.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
# The API's schema and Swagger UI: staff only unless API_DOCS_PUBLIC=true.
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
