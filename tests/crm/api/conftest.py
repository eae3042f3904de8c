"""Fixtures for the order-system API: stores, keys, and a client that posts JSON with a key."""

from dataclasses import dataclass
from typing import Any

import orjson
import pytest
from django.test import Client

from crm.services.api_tokens import api_token_create
from tests.factories import StoreFactory


@dataclass
class Api:
    """A test client bound to one key."""

    client: Client
    key: str | None

    def _headers(self, headers: dict[str, str]) -> dict[str, str]:
        return {**({"Authorization": f"Token {self.key}"} if self.key else {}), **headers}

    def post(self, path: str, body: Any, *, content_type: str = "application/json", **headers: str):
        data = body if isinstance(body, (bytes, str)) else orjson.dumps(body)
        return self.client.post(path, data, content_type=content_type, headers=self._headers(headers))

    def get(self, path: str, params: dict | None = None, **headers: str):
        return self.client.get(path, params or {}, headers=self._headers(headers))


@pytest.fixture
def store(db):
    return StoreFactory(code="silk-tmall")


@pytest.fixture
def other_store(db):
    return StoreFactory(code="tea-jd")


@pytest.fixture
def api(store) -> Api:
    _token, key = api_token_create(store_codes=[store.code], name="Tmall connector")
    return Api(Client(), key)


@pytest.fixture
def other_api(other_store) -> Api:
    _token, key = api_token_create(store_codes=[other_store.code], name="JD connector")
    return Api(Client(), key)


@pytest.fixture
def anonymous(db) -> Api:
    return Api(Client(), None)
