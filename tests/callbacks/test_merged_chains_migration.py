"""Rows merged into a contact that planning replaced later kept pointing at it (Y into X, X into Z): the call panel of
Z left out Y's order. The data migration points such rows at the end of their chain, once (ADR 0051)."""

from importlib import import_module

import pytest
from django.apps import apps

from callbacks.models import FollowUp
from callbacks.selectors import followup_merged_orders
from tests.factories import CustomerFactory, FollowUpFactory

pytestmark = pytest.mark.django_db
migration = import_module("callbacks.migrations.0017_merged_rows_point_at_their_cover")


def test_rows_merged_along_a_chain_point_at_the_contact_at_its_end_and_a_second_run_moves_nothing():
    customer = CustomerFactory()
    end = FollowUpFactory(order__customer=customer)
    chain = [end]
    for _ in range(4):  # four links: two rounds
        chain.append(FollowUpFactory(order__customer=customer, status="suppressed", suppressed_reason="merged"))
        FollowUp.objects.filter(pk=chain[-1].pk).update(merged_into=chain[-2])
    apart = FollowUpFactory(order__customer=customer, status="suppressed", suppressed_reason="merged")
    FollowUp.objects.filter(pk=apart.pk).update(merged_into=end)

    migration.point_at_the_end_of_the_chain(apps, None)
    migration.point_at_the_end_of_the_chain(apps, None)

    pointing = dict(FollowUp.objects.filter(merged_into__isnull=False).values_list("pk", "merged_into"))
    assert pointing == {row.pk: end.pk for row in [*chain[1:], apart]}
    assert followup_merged_orders(followup=end) == sorted(
        [row.order for row in [*chain[1:], apart]], key=lambda order: (order.delivered_at, order.pk)
    )
