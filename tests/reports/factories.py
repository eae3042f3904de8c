"""Factories for the report tests: cases with their history, follow-ups and reviews at chosen times."""

from datetime import UTC, datetime
from decimal import Decimal

import factory

from crm.models import Case, Remedy
from reviews.models import Review
from tests import factories
from tests.factories import AgentFactory, CustomerFactory

T0 = datetime(2026, 11, 10, 4, 0, tzinfo=UTC)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    customer = factory.SubFactory(CustomerFactory)
    store = factory.SelfAttribute("customer.store")
    source = Case.Source.CALL
    opened_at = T0


class RemedyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Remedy

    case = factory.SubFactory(CaseFactory)
    kind = Remedy.Kind.GIFT
    cost = Decimal("50.00")
    status = Remedy.Status.AGREED
    proposed_by = factory.SubFactory(AgentFactory)
    proposed_at = T0


class FollowUpFactory(factories.FollowUpFactory):
    window_start = T0


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    customer = factory.SubFactory(CustomerFactory)
    store = factory.SelfAttribute("customer.store")
    external_id = factory.Sequence(lambda n: f"r{n}")
    rating = 5
    sentiment = factory.LazyAttribute(lambda r: Review.sentiment_for(r.rating))
    posted_at = T0
