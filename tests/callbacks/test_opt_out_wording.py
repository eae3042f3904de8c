"""The store's opt-out wording names the word a customer replies to opt out: that word is recognised, and a wording
that names none is refused (callbacks.services.opt_out)."""

import pytest

from callbacks.errors import PolicyInvalid
from callbacks.services.opt_out import reply_word
from callbacks.services.policy import policy_for_store, policy_update
from crm.models import Store
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("wording", "word"),
    [
        ("回T退订", "T"),
        ("退订回T", "T"),
        ("回复TD退订", "TD"),
        ("拒收请回复R", "R"),
        ("回复：N 拒收", "N"),
        ("回ＴＤ退订", "TD"),
        ("回复“取消”", "取消"),
        ("如需退订请回复退订", "退订"),
        ("Reply STOP to opt out", "STOP"),
        ("To stop text messages, reply stop", "STOP"),
        ("Text END to unsubscribe", "END"),
        ("Reply with 'QUIT' to opt out", "QUIT"),
    ],
)
def test_the_word_a_wording_tells_the_customer_to_reply(wording, word):
    assert reply_word(wording) == word


@pytest.mark.parametrize(
    ("field", "wording"),
    [("sms_opt_out_zh", "短信退订"), ("sms_opt_out_zh", "回复START退订"), ("sms_opt_out_en", "Unsubscribe any time")],
)
def test_a_wording_that_names_no_word_to_reply_is_refused_and_nothing_is_saved(field, wording):
    store = StoreFactory()
    with pytest.raises(PolicyInvalid) as refused:
        policy_update(store=store, actor=None, changes={field: wording})
    assert refused.value.field == field
    assert getattr(policy_for_store(store=Store.objects.get(pk=store.pk)), field) != wording
