"""One write per page form: a form that creates something carries a one-time token (crm.forms.SubmitOnceForm).

The token is rendered with the form (nothing is stored then: showing a page writes nothing) and stored by the
write, in the write's transaction, as the primary key of a `FormSubmission` with what the write made. A second
submit of the same form (a manager's double click, a browser resending a slow form) tries to store the same key:
at the same instant it waits for the first transaction, then finds its row, and is given what the first one made
instead of making it again. A write that fails stores nothing, token included, so the corrected form is saved.

A token is bound, when it is stored, to its user, its form, the store whose address it was sent to and, for a form
about one object (a case's evidence, a campaign's test message), that object (its `subject`): sent again by another
user, from another form, to another store's address or about another object of the store (a crafted post, a form
copied between tabs), it is refused (a 409 on the form) rather than answered with what the first submit made, which
is not theirs, not there or not about this object. A form that makes something new in the store (a campaign, a gift,
a segment) is about the store alone.

A form that asks a provider to act (a campaign's test SMS) cannot hold a transaction over the request: its token
is claimed and committed first (`submission_claim`), the request goes out with no transaction open, and a repeat
of the form finds the token taken and sends nothing.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from crm.errors import SubmissionTokenOfAnotherStore, SubmissionTokenOfAnotherSubject, SubmissionTokenUsed
from crm.models import FormSubmission, Store

# A double submit comes within seconds; a day covers a browser resending a form from its history after a night.
RETENTION = timedelta(hours=24)


@dataclass(frozen=True)
class Submitted:
    object_id: int
    created: bool  # False: an earlier submit with the token made object_id


def _subject_key(subject: models.Model | None) -> str:
    return f"{subject._meta.label_lower}:{subject.pk}" if subject is not None else ""


def _store_token(
    *, token: uuid.UUID, user, form: str, store: Store, subject: models.Model | None = None
) -> FormSubmission | None:
    """Store the token; None when it is new, else the earlier submit's row. A token sent by another user or another
    form (SubmissionTokenUsed), to another store's address (SubmissionTokenOfAnotherStore) or about another object
    (SubmissionTokenOfAnotherSubject) is refused with field "submission" rather than answered with what is not
    theirs, not in this store or not about this object."""
    key = _subject_key(subject)
    try:
        with transaction.atomic():
            FormSubmission.objects.create(
                token=token, user=user, form=form, store=store, subject=key, created_at=timezone.now()
            )
    except IntegrityError:
        earlier = FormSubmission.objects.get(pk=token)  # committed: the first transaction held the key until then
        if earlier.user_id != user.pk or earlier.form != form:
            raise SubmissionTokenUsed(field="submission") from None
        if earlier.store_id != store.pk:
            raise SubmissionTokenOfAnotherStore(field="submission") from None
        if earlier.subject != key:
            raise SubmissionTokenOfAnotherSubject(kind=subject._meta.verbose_name, field="submission") from None
        return earlier
    return None


@transaction.atomic
def submission_once(
    *,
    token: uuid.UUID,
    user,
    form: str,
    store: Store,
    create: Callable[[], models.Model],
    subject: models.Model | None = None,
) -> Submitted:
    """Run `create` (a service that writes and returns the object it made) once per token.

    `form` names the form ("retention.campaign"), `store` the store whose address the form was sent to, `subject` the
    object a form about one object was sent about (the case of an evidence form); see `_store_token` for a token of
    another user, form, store or object.
    """
    if (earlier := _store_token(token=token, user=user, form=form, store=store, subject=subject)) is not None:
        return Submitted(object_id=earlier.object_id, created=False)
    made = create()
    FormSubmission.objects.filter(pk=token).update(object_id=made.pk)
    return Submitted(object_id=made.pk, created=True)


def submission_claim(*, token: uuid.UUID, user, form: str, store: Store, subject: models.Model | None = None) -> bool:
    """Claim the token for an act no transaction can take back (a request to a provider: ADR 0011's claim): the token
    is committed before the act starts. True for the first submit; False for a repeat of the same form (a double
    click), which must not act again. Called outside any transaction, so the claim is committed when it returns."""
    return _store_token(token=token, user=user, form=form, store=store, subject=subject) is None


def submission_release(*, token: uuid.UUID) -> None:
    """Give a claimed token back when the act provably did not happen (the provider refused it): a repeat of the
    form may then try it again."""
    FormSubmission.objects.filter(pk=token).delete()


def submissions_purge(*, now: datetime | None = None) -> int:
    deleted, _ = FormSubmission.objects.filter(created_at__lte=(now or timezone.now()) - RETENTION).delete()
    return deleted
