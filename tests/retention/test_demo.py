"""`make run`'s demo: each store has a running return-visit call campaign whose calls wait in the agents' queue."""

import pytest
from django.core.management import call_command

from callbacks.models import FollowUp
from retention.management.commands.seed_demo_retention import CALL_CAMPAIGN
from retention.models import Campaign, CampaignContact

pytestmark = pytest.mark.django_db


def test_the_demo_shows_return_visit_calls_in_the_agents_queue_and_an_outcome_on_the_campaign(client):
    call_command("seed_demo")
    call_command("seed_demo_retention")
    tasks = FollowUp.objects.filter(purpose="return_visit").count()
    call_command("seed_demo_retention")  # idempotent

    assert FollowUp.objects.filter(purpose="return_visit").count() == tasks > 0
    campaigns = Campaign.objects.filter(name=CALL_CAMPAIGN, status="running")
    assert campaigns.count() == 3
    assert CampaignContact.objects.filter(campaign__in=campaigns, status="done", outcome="interested").exists()
    login = client.post("/accounts/login/", {"username": "demo-agent", "password": "demo-agent-pass"})
    assert login.status_code == 302
    page = client.get("/calls/", headers={"Accept-Language": "en"}).text
    today = page[page.index('data-testid="queue-today"') :]
    waiting = FollowUp.objects.filter(purpose="return_visit", status="planned", assignee__user__username="demo-agent")
    assert waiting.exists() and all(f"/calls/{task.pk}/" in today for task in waiting)
