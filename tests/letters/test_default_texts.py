"""The built-in letter: every closing invites the customer to customer service first, then the manager's hotline."""

import pytest

from crm.platform_rules import review_incentive_in
from letters.default_texts import DEFAULT_PARTS
from letters.models import LetterTemplate


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_default_closing_invites_contact_and_gives_the_hotline(language):
    service = {"zh-hans": "客服", "en": "customer service"}[language]
    manager = {"zh-hans": "店长", "en": "store manager"}[language]
    for closing in DEFAULT_PARTS[language]["closings"]:
        assert "{hotline}" in closing and service in closing and manager in closing


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_default_letter_has_every_part_and_breaks_no_platform_rule(language):
    parts = DEFAULT_PARTS[language]
    assert set(parts) == set(LetterTemplate.PARTS)
    for wordings in parts.values():
        assert len(wordings) >= 4 and len(set(wordings)) == len(wordings)
        assert all(review_incentive_in(text) is None for text in wordings)
