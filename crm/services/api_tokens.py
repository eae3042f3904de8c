"""Creating and revoking the keys order systems use. The key is returned once and never stored."""

import secrets

from django.db import transaction
from django.utils import timezone

from crm.api.auth import hash_key
from crm.errors import InvalidInput, NotFound
from crm.models import ApiToken, Store

KEY_PREFIX = "crm_"


@transaction.atomic
def api_token_create(*, store_codes: list[str], name: str) -> tuple[ApiToken, str]:
    """A token covering these stores; returns it with its key, which only the caller ever sees."""
    if not store_codes:
        raise InvalidInput("A token covers at least one store.", field="stores")
    stores = list(Store.objects.filter(code__in=store_codes))
    missing = sorted(set(store_codes) - {store.code for store in stores})
    if missing:
        raise NotFound(f"No store with code {', '.join(missing)}.", field="stores")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(name=name, key_prefix=key[:8], key_hash=hash_key(key))
    token.stores.set(stores)
    return token, key


def api_tokens_revoke(*, token_ids: list[int]) -> int:
    """Revoke at once: the next request with these keys gets 401. Returns how many were still active."""
    return ApiToken.objects.filter(pk__in=token_ids, revoked_at__isnull=True).update(revoked_at=timezone.now())
