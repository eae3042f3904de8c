"""What every retention page shares: the store the manager may see (404 otherwise)."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from crm.models import Store

from ..selectors import stores_for_retention


def managed_store(request: HttpRequest, store_id: int) -> Store:
    return get_object_or_404(stores_for_retention(user=request.user), pk=store_id)
