from django.utils.translation import gettext_lazy as _

from crm.errors import DomainError, InvalidInput, NotFound


class LetterTemplateInvalid(InvalidInput):
    code = "letter_template_invalid"
    default_message = _("The letter template is not valid.")


class LetterRuleInvalid(InvalidInput):
    code = "letter_rule_invalid"
    default_message = _("The letter rule is not valid.")


class ParcelInsertInvalid(InvalidInput):
    code = "parcel_insert_invalid"
    default_message = _("The parcel insert is not valid.")


class LetterWordingsExhausted(DomainError):
    """Every wording the template can make is already in a letter of the day: more wordings are needed."""

    code = "letter_wordings_exhausted"
    http_status = 409
    default_message = _("Every wording of this letter template is already used today; add more wordings.")


class BatchNotFound(NotFound):
    code = "print_batch_not_found"
