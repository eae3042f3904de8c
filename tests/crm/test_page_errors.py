"""The one page-error path (crm.pages, crm.middleware): a domain error on a page becomes a message, or the 403 page
when it is a refusal, the same way on every page."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from crm.errors import Conflict, InvalidInput, PermissionDenied
from crm.middleware import DomainErrorPageMiddleware
from crm.pages import form_error, page_attempt, page_message


class _Form(forms.Form):
    reason = forms.CharField()


class _CostForm(forms.Form):
    reason = forms.CharField(label="Why")
    cost = forms.DecimalField(label="Cost (CNY)")

    def clean(self):
        raise forms.ValidationError("Nothing can be changed now.")


def _request(method="post", htmx=False):
    request = getattr(RequestFactory(), method)("/somewhere/")
    request.session = {}
    request._messages = FallbackStorage(request)
    request.htmx = htmx
    return request


def _raise(error):
    def action():
        raise error

    return action


def test_a_domain_error_becomes_one_message_and_the_text_comes_back():
    request = _request()
    text = page_attempt(request, _raise(InvalidInput("Too late to change this.", field="reason"))).error
    assert text == "Too late to change this."
    assert [str(m) for m in get_messages(request)] == ["Too late to change this."]


def test_with_a_form_the_error_also_sits_next_to_its_field():
    request = _request()
    form = _Form({"reason": "x"})
    page_attempt(request, _raise(InvalidInput("Not this reason.", field="reason")), form=form)
    assert form.errors["reason"] == ["Not this reason."]


def test_an_invalid_form_is_a_message_and_the_action_never_runs():
    request, ran = _request(), []
    text = page_attempt(request, lambda: ran.append(1), form=_Form({})).error
    assert ran == [] and "required" in text


def test_an_invalid_form_s_message_names_each_field_it_faults():
    """The message shown above the page (away from the form) said "This field is required.; Enter a number." with no
    field named: the agent could not tell which one."""
    text = page_attempt(_request(), lambda: None, form=_CostForm({"cost": "abc"})).error
    assert text == "Why: This field is required.; Cost (CNY): Enter a number.; Nothing can be changed now."


def test_a_refusal_is_never_a_message_but_the_403_page():
    request = _request()
    with pytest.raises(PermissionDenied):
        page_attempt(request, _raise(PermissionDenied("Only a manager may approve.")))
    with pytest.raises(PermissionDenied):
        form_error(_Form({}), PermissionDenied("Only a manager may approve."))
    assert list(get_messages(request)) == []
    response = DomainErrorPageMiddleware(lambda r: None).process_exception(
        _request("get"), PermissionDenied("Only a manager may approve.")
    )
    assert response.status_code == 403 and b'data-testid="forbidden"' in response.content


@pytest.mark.django_db
def test_other_uncaught_domain_errors_are_the_error_page_with_their_status():
    response = DomainErrorPageMiddleware(lambda r: None).process_exception(_request("get"), InvalidInput("Bad date."))
    assert response.status_code == 400 and b"Bad date." in response.content


def test_a_write_that_went_through_gives_back_what_it_made_and_says_nothing():
    request = _request()
    attempt = page_attempt(request, lambda: "the batch", form=_Form({"reason": "x"}))
    assert (attempt.ok, attempt.result, attempt.error, attempt.status) == (True, "the batch", "", 200)
    assert list(get_messages(request)) == []


def test_a_view_rendering_the_error_in_place_gets_its_text_and_status_and_no_message():
    request = _request(htmx=True)
    attempt = page_attempt(request, _raise(Conflict("The campaign is already running.")), message=False)
    assert (attempt.ok, attempt.result, attempt.error, attempt.status) == (
        False,
        None,
        "The campaign is already running.",
        409,
    )
    invalid = page_attempt(request, lambda: None, form=_Form({}), message=False)
    assert (invalid.ok, invalid.status) == (False, 400) and "required" in invalid.error
    assert list(get_messages(request)) == []
    with pytest.raises(PermissionDenied):
        page_attempt(request, _raise(PermissionDenied("Only a manager may start it.")), message=False)


def test_an_error_caught_beside_a_more_particular_one_is_the_same_message_as_page_attempt_s():
    by_attempt, by_message = _request(), _request()
    error = InvalidInput("Too late to change this.")
    page_attempt(by_attempt, _raise(error))
    assert page_message(by_message, error) == "Too late to change this."
    assert [str(m) for m in get_messages(by_message)] == [str(m) for m in get_messages(by_attempt)]
    with pytest.raises(PermissionDenied):
        page_message(by_message, PermissionDenied())
