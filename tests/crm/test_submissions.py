"""One write per page form (crm.services.submissions): a token is used once, by its own form, user and store."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone, translation

from crm.errors import (
    InvalidInput,
    SubmissionTokenOfAnotherStore,
    SubmissionTokenOfAnotherSubject,
    SubmissionTokenUsed,
)
from crm.models import FormSubmission, Store
from crm.services.submissions import submission_once, submissions_purge
from tests.factories import StoreFactory, UserFactory
from tests.locking import hold_until_another_session_waits_or

pytestmark = pytest.mark.django_db


@pytest.fixture
def home():
    """The store whose address the forms are sent to."""
    return StoreFactory()


def _store(code):
    return lambda: Store.objects.create(code=code, name=code, platform="tmall")


def test_a_token_sent_twice_makes_one_object_and_answers_both_with_it(home):
    user, token = UserFactory(), uuid.uuid4()
    first = submission_once(token=token, user=user, form="test.store", store=home, create=_store("a"))
    second = submission_once(token=token, user=user, form="test.store", store=home, create=_store("b"))
    assert first.created and not second.created
    assert first.object_id == second.object_id == Store.objects.get(code="a").pk
    assert not Store.objects.filter(code="b").exists()


def test_a_refused_write_leaves_the_token_unused(home):
    user, token = UserFactory(), uuid.uuid4()

    def refused():
        Store.objects.create(code="half", name="half", platform="tmall")
        raise InvalidInput("no", field="name")

    with pytest.raises(InvalidInput):
        submission_once(token=token, user=user, form="test.store", store=home, create=refused)
    assert not FormSubmission.objects.exists() and not Store.objects.filter(code="half").exists()
    assert submission_once(token=token, user=user, form="test.store", store=home, create=_store("a")).created


def test_a_token_of_another_form_or_user_is_refused_not_answered_with_their_object(home):
    user, token = UserFactory(), uuid.uuid4()
    submission_once(token=token, user=user, form="test.store", store=home, create=_store("a"))
    with pytest.raises(SubmissionTokenUsed) as other_user:
        submission_once(token=token, user=UserFactory(), form="test.store", store=home, create=_store("b"))
    with pytest.raises(SubmissionTokenUsed):
        submission_once(token=token, user=user, form="test.other", store=home, create=_store("c"))
    assert (other_user.value.http_status, other_user.value.field) == (409, "submission")
    assert Store.objects.filter(code__in=["b", "c"]).count() == 0


def test_a_token_sent_again_to_another_stores_address_is_refused_not_answered_with_the_first_stores_object(home):
    user, token = UserFactory(), uuid.uuid4()
    submission_once(token=token, user=user, form="test.store", store=home, create=_store("a"))
    with pytest.raises(SubmissionTokenOfAnotherStore) as other_store:
        submission_once(token=token, user=user, form="test.store", store=StoreFactory(), create=_store("b"))
    assert (other_store.value.code, other_store.value.http_status) == ("submission_token_used", 409)
    assert other_store.value.field == "submission"
    assert not Store.objects.filter(code="b").exists()


def test_tokens_are_purged_after_a_day(home):
    user = UserFactory()
    submission_once(token=uuid.uuid4(), user=user, form="test.store", store=home, create=_store("a"))
    assert submissions_purge() == 0
    assert submissions_purge(now=timezone.now() + timedelta(hours=25)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_submits_at_the_same_instant_make_one_object(home):
    # The second submit arrives while the first one's transaction is still open: it waits on the token's key, then
    # finds the first one's object.
    user, token = UserFactory(), uuid.uuid4()
    created, other_done, answers = threading.Event(), threading.Event(), {}

    def first_submit():
        try:
            with transaction.atomic():
                answers["first"] = submission_once(
                    token=token, user=user, form="test.store", store=home, create=_store("a")
                )
                created.set()
                hold_until_another_session_waits_or(other_done)
        finally:
            created.set()
            connection.close()

    run = threading.Thread(target=first_submit)
    run.start()
    created.wait()
    try:
        answers["second"] = submission_once(token=token, user=user, form="test.store", store=home, create=_store("b"))
    finally:
        other_done.set()
        run.join()
    assert answers["first"].object_id == answers["second"].object_id
    assert (answers["first"].created, answers["second"].created) == (True, False)
    assert list(Store.objects.exclude(pk=home.pk).values_list("code", flat=True)) == ["a"]


def test_a_token_sent_again_about_another_object_of_the_same_store_is_refused_and_writes_nothing(home):
    # An evidence form's token, rendered on case A's page, sent again to case B of the same store (a crafted post)
    # was answered with A's evidence: B got nothing and the agent was told nothing.
    user, token = UserFactory(), uuid.uuid4()
    first, other = StoreFactory(), StoreFactory()  # stand-ins for two objects of the home store
    submission_once(token=token, user=user, form="test.store", store=home, subject=first, create=_store("a"))
    assert not submission_once(
        token=token, user=user, form="test.store", store=home, subject=first, create=_store("b")
    ).created
    with translation.override("en"), pytest.raises(SubmissionTokenOfAnotherSubject) as other_subject:
        submission_once(token=token, user=user, form="test.store", store=home, subject=other, create=_store("c"))
    assert (other_subject.value.code, other_subject.value.http_status) == ("submission_token_used", 409)
    assert other_subject.value.field == "submission"
    assert "another store" in other_subject.value.message  # the kind of object it was sent about, by its name
    assert not Store.objects.filter(code__in=["b", "c"]).exists()
