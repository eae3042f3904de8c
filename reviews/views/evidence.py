"""The evidence pack for a complaint to the platform (the evidence files themselves are served by crm)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from crm.downloads import file_response

from ..selectors import reviews_for_user
from ..services.evidence_pack import evidence_pack_export


@login_required
@require_POST
def evidence_pack(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(reviews_for_user(user=request.user), pk=pk)
    name, content = evidence_pack_export(review=review, actor=request.user)
    return file_response(content, filename=name, content_type="application/zip")
