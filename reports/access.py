"""Who may open the manager pages: store managers (for their own stores) and superusers."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from crm.selectors import stores_managed_by


def manager_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not stores_managed_by(user=request.user).exists():
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
