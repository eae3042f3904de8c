"""Lists of clauses built in code (form errors said away from the form, options offered, SLA targets, an audit entry's
values, why a customer is in a segment) are set apart as the reader's language sets clauses apart: "A; B" on English
pages, "A；B" on Chinese ones (crm.punctuation.itemised), as lists of words are by crm.punctuation.listed."""

import pytest
from django import forms
from django.contrib.admin.sites import site
from django.template import Context, Template
from django.utils import translation

from crm.admin.agents import AgentAdmin
from crm.models import Agent, AuditLog
from crm.pages import form_errors_text
from crm.punctuation import itemised
from crm.readable.audit import audit_lines
from crm.readable.details import FIELDS
from crm.readable.policy import sla_targets_text
from tests.factories import AgentFactory, ManagerFactory, StoreFactory

pytestmark = pytest.mark.django_db


class _TwoFields(forms.Form):
    start = forms.DateField(label="From")
    end = forms.DateField(label="To")


@pytest.mark.parametrize(("language", "mark"), [("en", "; "), ("zh-hans", "；")])
def test_clauses_are_set_apart_in_the_readers_language(language, mark):
    with translation.override(language):
        assert itemised(["a", "b", 3]) == f"a{mark}b{mark}3"
        assert form_errors_text(_TwoFields({"start": "x", "end": "y"})).count(mark) == 1
        assert sla_targets_text(["priority/*: 60/720", "normal/*: 240/2880"]).count(mark) == 1
        assert FIELDS["offered"][1](["quality:refund", "logistics:coupon"]).count(mark) == 1
        rendered = Template("{% load crm_tags %}{{ why|itemised }}").render(Context({"why": ["<b>", "c"]}))
        assert rendered == f"&lt;b&gt;{mark}c"


def test_an_audit_entrys_list_and_dict_values_and_the_admins_memberships_read_chinese_on_chinese_pages():
    store = StoreFactory(name="丝韵旗舰店")
    agent = AgentFactory(stores=[store, StoreFactory(name="丝韵折扣店")])
    # A setting no model names, changed from a list to a dict: each value as stored, in words.
    entry = AuditLog(
        action="test_unregistered", data={"changes": {"x": {"from": ["甲", "乙"], "to": {"甲": 1, "乙": 2}}}}
    )
    with translation.override("zh-hans"):
        assert [line.value for line in audit_lines(entry)] == ["甲；乙 → 甲：1；乙：2"]
        shown = AgentAdmin(Agent, site).stores_and_roles(Agent.objects.get(pk=agent.pk))
        assert shown.count("；") == 1 and "; " not in shown


def test_the_report_says_its_form_errors_with_chinese_marks_on_a_chinese_page(client):
    store = StoreFactory()
    client.force_login(ManagerFactory(stores=[store]).user)
    answer = client.get(
        "/manager/reports/agents.csv",
        {"store": store.code, "start": "x", "end": "y"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    text = answer.content.decode()
    assert answer.status_code == 400 and "；" in text and "; " not in text
