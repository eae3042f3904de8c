"""A body sent with Transfer-Encoding: chunked (no Content-Length), as gunicorn hands it to Django.

gunicorn de-chunks the body and marks the stream `wsgi.input_terminated`; Django's WSGIRequest reads only
CONTENT_LENGTH bytes, so without crm.middleware.ChunkedBodyMiddleware such a body read as empty.
"""

import io

import orjson
import pytest

from tests.crm.api.helpers import order_payload, orders_payload

URL = "/api/v1/orders"


def _post_chunked(api, body: bytes):
    return _post_chunked_stream(api, io.BytesIO(body))


def _post_chunked_stream(api, stream):
    return api.client.generic(
        "POST",
        URL,
        b"",
        headers={"Authorization": f"Token {api.key}", "Transfer-Encoding": "chunked"},
        CONTENT_LENGTH="",
        CONTENT_TYPE="application/json",
        **{"wsgi.input": stream, "wsgi.input_terminated": True},
    )


@pytest.mark.django_db
def test_a_chunked_batch_is_read_and_written(api):
    response = _post_chunked(api, orjson.dumps(orders_payload(3)))
    assert response.status_code == 200, response.content
    assert [r["result"] for r in response.json()["results"]] == ["created"] * 3


@pytest.mark.django_db
def test_a_chunked_body_over_the_limit_is_413_json(api, settings):
    settings.API_MAX_BODY_BYTES = 64 * 1024
    big = orjson.dumps([order_payload(1, note="x" * 20 * 1024 * 1024)])  # 20 MB
    response = _post_chunked(api, big)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


@pytest.mark.django_db
def test_a_chunked_body_is_never_read_past_the_largest_limit(api, settings):
    settings.API_MAX_BODY_BYTES = 1024
    settings.PAGE_MAX_BODY_BYTES = 2048
    stream = io.BytesIO(b"[" + b" " * 1_000_000 + b"]")
    response = _post_chunked_stream(api, stream)
    assert response.status_code == 413
    assert stream.tell() <= 2049  # the rest is left to the server to discard, never held in memory
