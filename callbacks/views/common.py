from django.http import HttpRequest
from django.utils.translation import gettext as _

from crm.errors import PermissionDenied
from crm.models import Agent


def request_agent(request: HttpRequest) -> Agent:
    agent = Agent.objects.filter(user=request.user).select_related("user").first()
    if agent is None:
        raise PermissionDenied(_("Your account has no agent profile."))
    return agent
