"""Every page, with markup in every text that others write (customers through the order system and the review
platforms, agents, managers): the markup is shown as text, never as markup, on any page or HTMX fragment."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse

from crm.models import Store

from .test_page_scoping import _patterns, _targets, victim  # noqa: F401 -- victim is a fixture

pytestmark = pytest.mark.django_db

MARKUP = "\"'><x-xss>"
# The texts others write, by model. Codes, numbers and addresses are checked where they are written.
TEXTS = {
    "crm.Store": ["name"],
    "crm.Customer": ["name", "region", "notes"],
    "crm.Case": ["summary", "manager_decision_note"],
    "crm.CaseEvent": ["message"],
    "crm.CaseStep": ["note"],
    "crm.CaseEvidence": ["caption"],
    "crm.Remedy": ["description", "decision_reason", "fulfilment_reference"],
    "crm.RemedyPlay": ["script"],
    "crm.RootCause": ["label"],
    "crm.StoreClosure": ["name"],
    "crm.AuditLog": ["target"],
    "callbacks.FollowUp": ["note", "script", "message_body"],
    "callbacks.CallAttempt": ["note"],
    "callbacks.CallScript": ["body", "case_body"],
    "reviews.Review": ["buyer", "product", "sku", "text", "appended_text", "order_ref"],
    "reviews.KeywordMonitor": ["phrase"],
    "reviews.ReviewReply": ["text"],
    "reviews.ReplyTemplate": ["text"],
    "reviews.PlatformComplaint": ["platform_reference", "outcome_note"],
    "logistics.Shipment": ["last_event_text", "last_event_location"],
    "logistics.Checkpoint": ["text", "location"],
    "logistics.ShipmentDelay": ["last_event_text"],
    "logistics.ShipmentNotice": ["message_body"],
    "retention.Segment": ["name"],
    "retention.Campaign": ["name"],
    "retention.CampaignContact": ["message_body"],
    "retention.Gift": ["name", "description"],
    "retention.GiftTask": ["note"],
    "letters.LetterTemplate": ["name"],
    "letters.ParcelInsert": ["title", "body"],
    "letters.Letter": ["text", "signed_by", "variant"],
    "letters.LetterInsert": ["title", "body"],
}


def _mark_up_every_text():
    for label, fields in TEXTS.items():
        model = apps.get_model(label)
        model.objects.update(**{name: models.functions.Concat(models.Value(MARKUP), name) for name in fields})
    apps.get_model("retention.Campaign").objects.update(wordings=[MARKUP + "{name}"])
    for order in apps.get_model("crm.Order").objects.all():
        order.items = [{**item, "name": MARKUP + str(item.get("name", ""))} for item in order.items or []]
        order.save(update_fields=["items"])
    apps.get_model("crm.CustomerChange").objects.update(old_value=MARKUP, new_value=MARKUP)
    get_user_model().objects.update(first_name=MARKUP)


def test_no_page_shows_markup_that_others_wrote(client, victim):  # noqa: F811
    _mark_up_every_text()
    store = Store.objects.get(pk=victim.pk)
    client.force_login(get_user_model().objects.get(username="demo-manager"))
    targets = _targets(store, store)
    shown = []
    for _route, name, kwargs in _patterns():
        for arguments in targets[name] if kwargs else [{}]:
            url = reverse(name, kwargs=arguments or None)
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(url, {"store": store.code}, headers=headers)
                if response.get("Content-Type", "").startswith("text/html") and "<x-xss>" in response.text:
                    shown.append((url, headers, response.status_code))
    assert not shown, shown
