import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from crm.api.auth import hash_key
from crm.models import ApiToken

pytestmark = pytest.mark.django_db


def test_create_api_token_prints_the_key_last_and_keeps_only_its_hash(store, capsys, client):
    call_command("create_api_token", store.code, "--name", "Tmall connector")

    key = capsys.readouterr().out.strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert token.name == "Tmall connector"
    assert list(token.stores.all()) == [store]
    assert token.key_hash == hash_key(key) and key not in token.key_hash
    response = client.get("/api/v1/orders", headers={"Authorization": f"Token {key}"})
    assert response.status_code == 200


def test_create_api_token_refuses_an_unknown_store(db):
    with pytest.raises(CommandError, match="nope"):
        call_command("create_api_token", "nope")
    assert not ApiToken.objects.exists()


def test_tokens_are_listed_and_revoked_in_the_admin(admin_client, store, capsys, client):
    call_command("create_api_token", store.code)
    key = capsys.readouterr().out.strip().splitlines()[-1]
    token = ApiToken.objects.get()

    listing = admin_client.get("/admin/crm/apitoken/")
    admin_client.post("/admin/crm/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})

    assert key[:8] in listing.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/v1/orders", headers={"Authorization": f"Token {key}"}).status_code == 401
