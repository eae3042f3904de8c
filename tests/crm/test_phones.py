import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm.errors import InvalidPhoneNumber
from crm.phones import mask_phone, normalise_phone, normalise_phone_quick


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+86-138-0013-8000",
        "+8613800138000",
        " 8613800138000 ",
    ],
)
def test_chinese_mobile_numbers_normalise_to_e164(raw):
    assert normalise_phone(raw) == "+8613800138000"


def test_numbers_with_their_own_country_code_keep_it():
    assert normalise_phone("+49 30 12345678") == "+493012345678"


@pytest.mark.parametrize("raw", ["", "   ", "hello", "1380013800", "138001380001", "12345", "+86 000 0000 0000"])
def test_invalid_numbers_are_rejected_with_the_field(raw):
    with pytest.raises(InvalidPhoneNumber) as excinfo:
        normalise_phone(raw, field="customer.phone")
    assert excinfo.value.field == "customer.phone"
    assert excinfo.value.code == "invalid_phone"


def test_mask_hides_the_middle_of_a_mobile_number():
    assert mask_phone("+8613812341234") == "138****1234"
    assert "1234" not in mask_phone("+8613812341234")[:4]
    assert mask_phone("") == ""


def _outcome(normalise, raw: str) -> str:
    try:
        return normalise(raw)
    except InvalidPhoneNumber:
        return "invalid"


@settings(max_examples=500, deadline=None)
@given(
    prefix=st.sampled_from(["", "+86", "86", "+86 ", "+86-", "0086", "+1", " "]),
    # Mostly 11 digits starting with 1, the shape the quick path takes, so every mobile prefix is tried.
    digits=st.one_of(
        st.text(alphabet="0123456789", min_size=10, max_size=10).map("1".__add__),
        st.text(alphabet="0123456789", min_size=9, max_size=13),
    ),
    separator=st.sampled_from(["", " ", "-"]),
)
def test_the_quick_path_agrees_with_phonenumbers_on_any_number(prefix, digits, separator):
    raw = prefix + separator.join([digits[:3], digits[3:7], digits[7:]])

    assert _outcome(normalise_phone_quick, raw) == _outcome(normalise_phone, raw)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789+- ()", max_size=20))
def test_the_quick_path_agrees_with_phonenumbers_on_any_text(raw):
    assert _outcome(normalise_phone_quick, raw) == _outcome(normalise_phone, raw)
