"""Token authentication for order systems and the store scope a token grants.

    Authorization: Token <key>

A token covers one store or a named set of stores (`ApiToken.stores`). Views read `request.auth`, an
`ApiToken`, and `request.user`, a `TokenPrincipal` whose `scope` resolves store codes; nothing outside the
scope is ever loaded, so another store's data answers 404 exactly like data that does not exist. The request
rate per token is crm.api.throttle's.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions

from crm.models import ApiToken, Store

KEYWORD = "Token"
# last_used_at is refreshed at most this often, so busy tokens do not turn every request into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class StoreScope:
    """The stores one token may read and write, by code."""

    stores: dict[str, Store] = field(default_factory=dict)

    @property
    def ids(self) -> list[int]:
        return [store.id for store in self.stores.values()]

    @cached_property  # read once per row of a batch
    def single(self) -> Store | None:
        """The store when the token covers exactly one, else None (then rows must name their store)."""
        return next(iter(self.stores.values())) if len(self.stores) == 1 else None

    def get(self, code: str) -> Store | None:
        return self.stores.get(code)


@dataclass(frozen=True)
class TokenPrincipal:
    """`request.user` for a token request: not a Django user, but authenticated and scoped."""

    token: ApiToken
    scope: StoreScope
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_staff: bool = False
    is_superuser: bool = False

    def __str__(self) -> str:
        return str(self.token)


class StoreTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header: send 'Token <key>'."))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        token = ApiToken.objects.filter(key_hash=hash_key(key), revoked_at__isnull=True).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        scope = StoreScope({store.code: store for store in token.stores.all()})
        return TokenPrincipal(token=token, scope=scope), token

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) when the key is missing or wrong.
        return KEYWORD


class HasStoreToken(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, ApiToken)


class ApiDocsAccess(permissions.BasePermission):
    """/api/docs and /api/schema: anyone when API_DOCS_PUBLIC is true, else staff (read on every request)."""

    def has_permission(self, request, view) -> bool:
        return settings.API_DOCS_PUBLIC or bool(getattr(request.user, "is_staff", False))
