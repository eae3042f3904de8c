"""How to answer each personality type from the customer's "emotional archive"."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from crm.models import CustomerPersonality

ANSWERING_STRATEGIES: dict[str, Promise] = {
    CustomerPersonality.DOMINANT: _("Brief, decisive answers: come to the point and offer one clear solution."),
    CustomerPersonality.EXPRESSIVE: _("Listen and affirm: let them tell the whole story, acknowledge the feeling."),
    CustomerPersonality.AMIABLE: _("Help them choose: suggest two options and recommend one, gently."),
    CustomerPersonality.ANALYTICAL: _("Give data and firm commitments: exact dates, amounts and the next step."),
}


def answering_strategy(personality_type: str) -> Promise | None:
    return ANSWERING_STRATEGIES.get(personality_type)
