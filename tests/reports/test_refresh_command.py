"""`manage.py refresh_rollups` (called by `make run` after seeding) makes the report show figures at once."""

import io

import pytest
from django.core.management import CommandError, call_command

from reports.models import DailyCount, RollupRun
from tests.factories import ManagerFactory, ReviewFactory, StoreFactory

pytestmark = pytest.mark.django_db


def test_the_command_rolls_up_every_store_so_the_report_shows_figures(client):
    silk = StoreFactory(code="silk")
    StoreFactory(code="tea")
    ReviewFactory(store=silk, rating=1)
    client.force_login(ManagerFactory(stores=[silk]).user)
    assert "have not been calculated yet" in client.get("/manager/reports/?store=silk").text

    out = io.StringIO()
    call_command("refresh_rollups", stdout=out)

    assert set(RollupRun.objects.values_list("store__code", flat=True)) == {"silk", "tea"}
    assert DailyCount.objects.filter(store=silk).exists()
    assert out.getvalue().splitlines()[0].startswith("silk: ")
    page = client.get("/manager/reports/?store=silk").text
    assert "Figures as of" in page and "have not been calculated yet" not in page


def test_the_command_refreshes_only_the_stores_named_and_refuses_an_unknown_code():
    StoreFactory(code="silk")
    StoreFactory(code="tea")

    call_command("refresh_rollups", "tea", stdout=io.StringIO())
    with pytest.raises(CommandError, match="nope"):
        call_command("refresh_rollups", "silk", "nope", stdout=io.StringIO())

    assert list(RollupRun.objects.values_list("store__code", flat=True)) == ["tea"]
