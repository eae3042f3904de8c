"""Evidence files: uploads must be what they claim, and every download is served under a safe name and type."""

from email.message import Message

import pytest

from tests.factories import AgentFactory, StoreFactory
from tests.reviews.test_pages import _bad_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def store():
    return StoreFactory()


@pytest.fixture
def agent(store):
    return AgentFactory(stores=[store])


@pytest.mark.parametrize("external_id", ['R1"; filename="evil.html', "R1\r\nSet-Cookie: a=b", "R1\n", "评价1"])
def test_evidence_pack_downloads_under_a_safe_name_whatever_the_external_id(client, store, agent, external_id):
    review = _bad_review(store, external_id=external_id)
    client.force_login(agent.user)

    response = client.post(f"/reviews/{review.pk}/evidence-pack")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Set-Cookie" not in response
    header = Message()
    header["Content-Disposition"] = response["Content-Disposition"]
    assert header.get_content_disposition() == "attachment"
    assert len(header.get_params(header="Content-Disposition")) == 2  # attachment and one file name
    name = header.get_filename()
    assert name.startswith(f"evidence-{store.code}-") and name.endswith(".zip")
    assert not set(name) & set('"\r\n/\\;'), name
