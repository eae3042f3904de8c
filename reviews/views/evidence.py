"""Evidence files, served only to users of the case's store, and the evidence pack for the platform."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET, require_POST

from crm.downloads import file_response
from crm.selectors import stores_for_user
from crm.uploads import upload_kind_of

from ..models.casework import CaseEvidence
from ..selectors import reviews_for_user
from ..services.evidence_pack import evidence_pack_export


@login_required
@require_GET
def evidence_file(request: HttpRequest, evidence_id: int) -> HttpResponse:
    evidence = get_object_or_404(
        CaseEvidence.objects.exclude(image=""), pk=evidence_id, case__store__in=stores_for_user(user=request.user)
    )
    photo = evidence.image.open("rb")
    # The type comes from the bytes, again: files stored before uploads were checked are served as a download.
    kind = upload_kind_of(photo)
    return file_response(
        photo,
        filename=f"evidence-{evidence.pk}.{kind.extension if kind else 'bin'}",
        content_type=kind.content_type if kind else "application/octet-stream",
        as_attachment=not (kind and kind.inline),
    )


@login_required
@require_POST
def evidence_pack(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(reviews_for_user(user=request.user), pk=pk)
    name, content = evidence_pack_export(review=review, actor=request.user)
    return file_response(content, filename=name, content_type="application/zip")
