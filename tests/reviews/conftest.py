"""Review intake over the API: the order system's token for the test's `store`."""

import pytest
from django.test import Client

from crm.services.api_tokens import api_token_create
from tests.crm.api.conftest import Api


@pytest.fixture
def api(store) -> Api:
    return Api(Client(), api_token_create(store_codes=[store.code], name="Tmall")[1])
