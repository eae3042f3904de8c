"""The number fields of every page form: digits 0-9 only, the rule the API keeps too (crm.validators).

Django's IntegerField and DecimalField read any script's decimal digits ("١٢٣", an input method's fullwidth
"１２３") and Python's own spellings ("1_000", "1e3") as numbers, so what looked like text to the person typing was
saved as an amount. These refuse them before Django converts, with an error on the field that says which digits
the page takes. Page forms build their number fields from here, ModelForms through `number_formfield`
(tests/crm/test_form_numbers.py sweeps every page form).
"""

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.validators import is_ascii_decimal


class AsciiDigits:
    """Refuses a number written with anything but the digits 0-9, a point between digits and a leading minus
    (a negative is then refused by the field's own minimum, with its own message)."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip() and not is_ascii_decimal(value.strip()):
            raise forms.ValidationError(self.error_messages["non_ascii_digits"], code="non_ascii_digits")
        return super().to_python(value)


class IntegerField(AsciiDigits, forms.IntegerField):
    default_error_messages = {"non_ascii_digits": _("Write a whole number with the digits 0-9.")}


class DecimalField(AsciiDigits, forms.DecimalField):
    default_error_messages = {"non_ascii_digits": _("Write the number with the digits 0-9 and a point, like 99.50.")}


def number_formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    """A ModelForm's `Meta.formfield_callback`: a model's number fields become the fields above."""
    if isinstance(db_field, models.DecimalField):
        kwargs.setdefault("form_class", DecimalField)
    elif isinstance(db_field, models.IntegerField) and not db_field.choices:
        kwargs.setdefault("form_class", IntegerField)
    return db_field.formfield(**kwargs)
