"""Wrong arguments to a public call are typed errors raised before anything is sent."""

from __future__ import annotations

import math

import evolink_persona as ep
import httpx
import pytest
from evolink_persona._polling import PollPolicy

from tests.sdk.sdk_support import (
    API_KEY,
    BASE_URL,
    TASK_ID,
    VALID,
    FakeTime,
    Script,
    json_reply,
    make_client,
    task_body,
)


@pytest.mark.parametrize("key", ["sk-abc\u2026", "sk-a\nb", "sk a", "sk-\x00", "sk-ü"])
def test_a_key_that_cannot_go_in_a_header_is_a_configuration_error_that_does_not_quote_it(
    key: str,
) -> None:
    with pytest.raises(ep.ConfigurationError) as caught:
        ep.PersonaClient(key, base_url=BASE_URL)
    assert key.strip() not in str(caught.value)
    assert key.strip() not in repr(vars(caught.value))


@pytest.mark.parametrize(
    "base_url",
    ["http://", "http://[::1", "http://\x00x", "ftp://host", "host.example", "https://h/?q=1"],
)
def test_a_base_url_that_makes_no_valid_url_is_a_configuration_error(base_url: str) -> None:
    with pytest.raises(ep.ConfigurationError):
        ep.PersonaClient(API_KEY, base_url=base_url)
    with pytest.raises(ep.ConfigurationError):
        ep.AsyncPersonaClient(API_KEY, base_url=base_url)


@pytest.mark.parametrize("timeout", ["30", 0, -1, math.nan, True])
def test_a_client_timeout_must_be_positive_seconds(timeout: object) -> None:
    with pytest.raises(ep.ConfigurationError, match="timeout"):
        ep.PersonaClient(API_KEY, base_url=BASE_URL, timeout=timeout)  # type: ignore[arg-type]


@pytest.mark.parametrize("max_retries", ["2", -1, 1.5, True])
def test_max_retries_must_be_an_int_ge_0_per_client_and_per_call(
    max_retries: object, fake_time: FakeTime
) -> None:
    with pytest.raises(ep.ConfigurationError, match="max_retries"):
        ep.PersonaClient(API_KEY, base_url=BASE_URL, max_retries=max_retries)  # type: ignore[arg-type]
    script = Script()
    client = make_client(script, fake_time)
    with pytest.raises(ep.RequestValidationError, match="max_retries"):
        client.get_task(TASK_ID, max_retries=max_retries)  # type: ignore[arg-type]
    assert script.requests == []


def test_a_task_id_with_a_lone_surrogate_is_a_validation_error(fake_time: FakeTime) -> None:
    script = Script()
    with pytest.raises(ep.RequestValidationError, match="lone surrogate"):
        make_client(script, fake_time).get_task("task-\ud800")
    assert script.requests == []


@pytest.mark.parametrize("field", ["source_task_id", "name", "description", "style"])
def test_text_with_a_lone_surrogate_is_a_violation_listed_with_the_others(field: str) -> None:
    arguments: dict[str, object] = {**VALID, "vocal_start": 1}
    arguments[field] = "bad \udc80 text"
    violations = ep.validate_persona_request(**arguments)
    assert {v.field for v in violations} == {field, "vocal_end"}


@pytest.mark.parametrize(("name", "value"), [("timeout", "5"), ("timeout", math.nan)])
def test_a_wait_timeout_must_be_seconds(name: str, value: object, fake_time: FakeTime) -> None:
    script = Script()
    client = make_client(script, fake_time)
    with pytest.raises(ep.RequestValidationError, match=name):
        client.wait_for_persona(TASK_ID, timeout=value)  # type: ignore[arg-type]
    assert script.requests == []


def test_a_wait_of_many_hours_never_overflows_the_backoff(fake_time: FakeTime) -> None:
    policy = PollPolicy()
    assert policy.interval(5_000, None) == policy.max_interval
    running = json_reply(200, task_body("processing", 10))
    script = Script(*[running] * 2_200)
    client = make_client(script, fake_time)
    with pytest.raises(ep.WaitTimeoutError):
        client.wait_for_persona(TASK_ID, timeout=6 * 3600)
    assert len(script.requests) > 2_000


def test_a_users_timeout_type_is_kept(fake_time: FakeTime) -> None:
    client = ep.PersonaClient(
        API_KEY,
        base_url=BASE_URL,
        timeout=httpx.Timeout(3.0),
        http_client=httpx.Client(transport=httpx.MockTransport(Script())),
    )
    assert client._core.timeout == httpx.Timeout(3.0)
