"""The HTTP status decides the error class; the body, whatever its shape, only adds detail.

Also: any 2xx carrying a task is a task, a redirect names where it pointed, and a body that
cannot be read says what it is (compressed with a coding httpx lacks, binary) instead of
quoting noise.
"""

from __future__ import annotations

import json
from typing import Any

import evolink_persona as ep
import httpx
import pytest
from httpx._decoders import SUPPORTED_DECODERS

from tests.sdk.sdk_support import (
    TASK_ID,
    VALID,
    CliRunner,
    FakeTime,
    Script,
    json_reply,
    make_client,
    submitted,
    task_body,
)

STATUS_CLASSES: list[tuple[int, type[ep.APIStatusError]]] = [
    (400, ep.BadRequestError),
    (401, ep.AuthenticationError),
    (402, ep.InsufficientQuotaError),
    (403, ep.PermissionDeniedError),
    (404, ep.NotFoundError),
    (429, ep.RateLimitedError),
    (500, ep.ServerError),
    (503, ep.ServerError),
]


def _read(reply: httpx.Response, fake_time: FakeTime) -> ep.EvolinkError:
    client = make_client(Script(reply), fake_time, max_retries=0)
    with pytest.raises(ep.EvolinkError) as caught:
        client.get_task(TASK_ID)
    return caught.value


def test_a_401_with_an_error_string_is_an_authentication_error(fake_time: FakeTime) -> None:
    error = _read(json_reply(401, {"error": "Invalid or expired token"}), fake_time)
    assert type(error) is ep.AuthenticationError
    assert error.message == "Invalid or expired token"
    assert error.exit_code == 7


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES)
@pytest.mark.parametrize(
    "body",
    [
        {"code": "some_code", "message": "it went wrong", "type": "some_type"},
        {"error": "some_code", "message": "it went wrong"},
        {"error": "some_code", "error_description": "it went wrong"},
        {"detail": "it went wrong", "code": "some_code"},
    ],
    ids=["top-level", "error-string-and-message", "oauth", "detail"],
)
def test_an_error_body_of_another_shape_keeps_the_status_class_and_its_text(
    status: int, cls: type[ep.APIStatusError], body: dict[str, Any], fake_time: FakeTime
) -> None:
    error = _read(json_reply(status, body), fake_time)
    assert type(error) is cls
    assert (error.status_code, error.code, error.message) == (status, "some_code", "it went wrong")


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES)
@pytest.mark.parametrize(
    "reply_body",
    [b"<html><body>Unauthorized</body></html>", b"Too Many Requests", b"", b'{"unrelated": 1}'],
    ids=["html", "text", "empty", "other-json"],
)
def test_a_body_that_is_no_api_error_still_gets_the_status_class(
    status: int, cls: type[ep.APIStatusError], reply_body: bytes, fake_time: FakeTime
) -> None:
    error = _read(httpx.Response(status, content=reply_body), fake_time)
    assert type(error) is cls
    assert "without an API error body" in error.message


@pytest.mark.parametrize(
    "body",
    [
        b"<html><title>429 Too Many Requests</title></html>",
        json.dumps({"error": "slow down"}).encode(),
        json.dumps({"code": "rate_limited", "message": "slow down"}).encode(),
    ],
)
def test_a_429_keeps_retry_after_whatever_the_body(body: bytes, fake_time: FakeTime) -> None:
    error = _read(httpx.Response(429, content=body, headers={"Retry-After": "7"}), fake_time)
    assert isinstance(error, ep.RateLimitedError)
    assert error.retry_after == 7.0


def test_the_cli_says_authentication_for_a_401_error_string(
    scripted_cli: CliRunner, capsys: pytest.CaptureFixture[str]
) -> None:
    reply = json_reply(401, {"error": "Invalid or expired token"})
    assert scripted_cli(Script(reply), ["task", TASK_ID]) == 7
    assert "EVOLINK_API_KEY" in capsys.readouterr().err


@pytest.mark.parametrize("status", [201, 202])
def test_any_2xx_carrying_a_created_task_is_the_task(status: int, fake_time: FakeTime) -> None:
    client = make_client(Script(json_reply(status, submitted())), fake_time)
    task = client.create_persona(**VALID)
    assert (task.id, task.status, task.estimated_time) == (TASK_ID, "pending", 15)


@pytest.mark.parametrize("status", [201, 202, 203])
def test_any_2xx_carrying_a_task_read_is_the_task(status: int, fake_time: FakeTime) -> None:
    reply = json_reply(status, task_body("processing", 40))
    task = make_client(Script(reply), fake_time).get_task(TASK_ID)
    assert (task.id, task.progress) == (TASK_ID, 40)


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_names_its_location_and_is_not_followed(
    status: int, fake_time: FakeTime
) -> None:
    target = "https://api.evolink.example/v1/tasks/" + TASK_ID
    script = Script(httpx.Response(status, headers={"Location": target}, content=b"Moved"))
    client = make_client(script, fake_time)
    with pytest.raises(ep.UnexpectedResponseError) as caught:
        client.get_task(TASK_ID)
    error = caught.value
    assert error.location == target
    assert target in str(error)
    assert f"HTTP {status}" in error.message
    assert "base_url" in error.hint
    assert len(script.requests) == 1  # not followed, not retried


@pytest.mark.parametrize("coding", ["br", "zstd"])
def test_a_body_in_an_encoding_httpx_cannot_decode_names_the_encoding(
    coding: str, fake_time: FakeTime
) -> None:
    if coding in SUPPORTED_DECODERS:
        pytest.skip(f"this environment decodes {coding}")
    noise = bytes(range(256)) * 2  # what a compressed body looks like undecoded
    for status in (200, 500):
        reply = httpx.Response(status, content=noise, headers={"Content-Encoding": coding})
        error = _read(reply, fake_time)
        assert f"Content-Encoding {coding!r}" in error.message
        assert "not JSON" not in error.message
        assert "\ufffd" not in str(error)
        assert error.status_code == status


def test_a_binary_body_is_described_not_quoted(fake_time: FakeTime) -> None:
    noise = bytes(range(128, 256)) * 4
    reply = httpx.Response(200, content=noise, headers={"Content-Type": "image/png"})
    error = _read(reply, fake_time)
    assert isinstance(error, ep.UnexpectedResponseError)
    assert "512 bytes of binary data ('image/png')" in error.message
    assert "\ufffd" not in str(error)
    assert error.body_excerpt == ""
