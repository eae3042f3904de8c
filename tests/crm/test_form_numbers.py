"""One rule for numbers typed on a page: the digits 0-9, as the API takes them (crm.validators).

Django's IntegerField and DecimalField read any script's digits ("١٢٣", fullwidth "１２３") as numbers, so a cost
typed with an input method's fullwidth digits was saved as if it were plain. Every page form's number field is
one of crm.form_fields' and refuses them, naming the field.
"""

import ast
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import get_resolver

from crm.form_fields import AsciiDigits

ROOT = Path(__file__).resolve().parents[2]
APPS = ("crm", "callbacks", "reviews", "reports", "logistics", "letters", "retention")
OTHER_DIGITS = ["１２３", "١٢٣", "१२३", "12３", "1_000", "1e3"]


def _page_forms() -> list[type[forms.BaseForm]]:
    get_resolver().url_patterns  # noqa: B018 -- imports every view, so every form a page uses
    seen, todo = [], [forms.BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            module = sub.__module__
            if module.split(".")[0] in APPS and ".admin" not in module and "base_fields" in vars(sub):
                seen.append(sub)
    return seen


def _number_fields():
    for form in _page_forms():
        for name, field in form.base_fields.items():
            if isinstance(field, forms.IntegerField | forms.FloatField):  # DecimalField is an IntegerField
                yield pytest.param(field, id=f"{form.__module__}.{form.__name__}.{name}")


def test_the_sweep_finds_the_forms_it_should():
    names = {f.__name__ for f in _page_forms()}
    assert {
        "RemedyForm",
        "CampaignForm",
        "GiftForm",
        "LetterRuleForm",
        "ParcelInsertForm",
        "FollowUpPolicyForm",
    } <= names
    assert len(list(_number_fields())) >= 20


@pytest.mark.parametrize("field", list(_number_fields()))
def test_every_number_field_of_a_page_form_refuses_digits_other_than_0_to_9(field):
    assert isinstance(field, AsciiDigits)
    for text in OTHER_DIGITS:
        with pytest.raises(ValidationError) as caught:
            field.clean(text)
        assert caught.value.code == "non_ascii_digits", text
        assert "0-9" in caught.value.messages[0]


def test_no_page_form_builds_a_number_field_of_djangos_own():
    """Fields added in a form's __init__ (policy tiers, logistics thresholds) are not in base_fields: read the code."""
    own = {"IntegerField", "DecimalField", "FloatField"}
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if {"migrations", "models", "admin.py", "models.py"} & set(path.parts):
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if (
                    isinstance(node, ast.Attribute)
                    and node.attr in own
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "forms"
                ):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert [f for f in found if not f.startswith("crm/form_fields.py:")] == []
