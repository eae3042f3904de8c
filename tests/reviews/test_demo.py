import pytest
from django.core.management import call_command

from crm.models import Case
from reviews.models import Review

pytestmark = pytest.mark.django_db


def test_demo_reviews_load_twice_without_doubling(settings):
    call_command("seed_demo")
    call_command("seed_demo_reviews")
    first = (Review.objects.count(), Case.objects.filter(source="review").count())
    call_command("seed_demo_reviews")
    assert (Review.objects.count(), Case.objects.filter(source="review").count()) == first
    assert first[0] > 0 and first[1] > 0
    assert Review.objects.filter(flagged=True).exists()
