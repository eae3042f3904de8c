"""One write per page form: a form that creates something carries a one-time token (crm.forms.SubmitOnceForm).

The token is rendered with the form (nothing is stored then: showing a page writes nothing) and stored by the
write, in the write's transaction, as the primary key of a `FormSubmission` with what the write made. A second
submit of the same form (a manager's double click, a browser resending a slow form) tries to store the same key:
at the same instant it waits for the first transaction, then finds its row, and is given what the first one made
instead of making it again. A write that fails stores nothing, token included, so the corrected form is saved.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from crm.errors import SubmissionTokenUsed
from crm.models import FormSubmission

# A double submit comes within seconds; a day covers a browser resending a form from its history after a night.
RETENTION = timedelta(hours=24)


@dataclass(frozen=True)
class Submitted:
    object_id: int
    created: bool  # False: an earlier submit with the token made object_id


@transaction.atomic
def submission_once(*, token: uuid.UUID, user, form: str, create: Callable[[], models.Model]) -> Submitted:
    """Run `create` (a service that writes and returns the object it made) once per token.

    `form` names the form ("retention.campaign"); a token sent by another user or another form is refused
    (SubmissionTokenUsed, field "submission") rather than answered with an object that is not theirs.
    """
    try:
        with transaction.atomic():
            FormSubmission.objects.create(token=token, user=user, form=form, created_at=timezone.now())
    except IntegrityError:
        earlier = FormSubmission.objects.get(pk=token)  # committed: the first transaction held the key until then
        if earlier.user_id != user.pk or earlier.form != form:
            raise SubmissionTokenUsed(field="submission") from None
        return Submitted(object_id=earlier.object_id, created=False)
    made = create()
    FormSubmission.objects.filter(pk=token).update(object_id=made.pk)
    return Submitted(object_id=made.pk, created=True)


def submissions_purge(*, now: datetime | None = None) -> int:
    deleted, _ = FormSubmission.objects.filter(created_at__lte=(now or timezone.now()) - RETENTION).delete()
    return deleted
