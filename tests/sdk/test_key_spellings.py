"""A key echoed by a server is masked in every spelling: JSON-escaped, URL-encoded, mixed.

Keys with ``/``, ``+`` and ``=`` are the ones JSON (``\\/``, ``\\u002b``) and URLs (``%2F``,
``%2B``, ``%3D``) rewrite; a server may write any character of a JSON string as ``\\uXXXX``.
Whatever the spelling, no ``Task`` field, raw value, error attribute or message shows it.
"""

from __future__ import annotations

import json

import evolink_persona as ep
import httpx
import pytest

from tests.sdk.sdk_support import BASE_URL, SPELLINGS, TASK_ID, undo_spellings

KEYS = ["sk-Ab/cd+EF=gh/IJ+kl==", "sk-/+=/+=", "sk-tail/"]


def assert_masked(key: str, *texts: object) -> None:
    for text in texts:
        shown = text if isinstance(text, str) else repr(text)
        assert key not in undo_spellings(shown), shown


def _client(
    key: str, status: int, body: str, headers: dict[str, str] | None = None
) -> ep.PersonaClient:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body.encode(), headers=headers)

    return ep.PersonaClient(
        key,
        base_url=BASE_URL,
        http_client=httpx.Client(transport=httpx.MockTransport(answer)),
        max_retries=0,
        sleep=lambda seconds: None,
    )


cases = pytest.mark.parametrize(
    ("key", "spelling"),
    [(key, name) for key in KEYS for name in SPELLINGS],
    ids=[f"{key}-{name}" for key in KEYS for name in SPELLINGS],
)


@cases
def test_a_key_echoed_in_a_task_is_masked_in_every_field(key: str, spelling: str) -> None:
    echo = SPELLINGS[spelling](key)
    body = (
        f'{{"id": "{TASK_ID}", "status": "failed", "model": "{echo}", '
        f'"error": {{"code": "{echo}", "message": "bad key {echo}"}}, '
        f'"result_data": {{"persona_id": "{echo}"}}, "extra": ["{echo}"]}}'
    )
    json.loads(body)  # the echo is valid JSON text
    with _client(key, 200, body) as client:
        task = client.get_task(TASK_ID)
        assert task.error is not None
        assert task.model == "***"
        assert task.error.message == "bad key ***"
        assert_masked(key, task.model, task.error.message, task.error.code, task.persona_id)
        assert_masked(key, json.dumps(task.raw), repr(task))
        with pytest.raises(ep.TaskFailedError) as caught:
            client.wait_for_persona(TASK_ID)
    assert_masked(key, str(caught.value), vars(caught.value))


@cases
def test_a_key_echoed_in_an_error_body_is_masked_in_every_attribute(
    key: str, spelling: str
) -> None:
    echo = SPELLINGS[spelling](key)
    bodies = [
        f'{{"error": {{"code": "{echo}", "message": "bad {echo}", "param": "{echo}", '
        f'"type": "{echo}"}}}}',
        f'{{"error": "bad key {echo}"}}',
        f'{{"code": "{echo}", "message": "bad {echo}", "param": "{echo}"}}',
        f'{{"error": {{"message": "truncated {echo}',  # not JSON: quoted as an excerpt
    ]
    for body in bodies:
        with _client(key, 401, body) as client, pytest.raises(ep.EvolinkError) as caught:
            client.get_task(TASK_ID)
        error = caught.value
        assert isinstance(error, ep.AuthenticationError)
        assert_masked(key, error.code, error.param, error.type, error.message, str(error))
        assert_masked(key, vars(error))


@cases
def test_a_key_in_a_redirect_location_is_masked(key: str, spelling: str) -> None:
    location = f"https://elsewhere.example/login?token={SPELLINGS[spelling](key)}"
    with (
        _client(key, 302, "", {"Location": location}) as client,
        pytest.raises(ep.UnexpectedResponseError) as caught,
    ):
        client.get_task(TASK_ID)
    assert caught.value.location is not None
    assert_masked(key, caught.value.location, str(caught.value))


def test_a_key_straddling_the_excerpt_cut_is_masked_whole() -> None:
    key = KEYS[0]
    body = "x" * 190 + SPELLINGS["json-slash"](key) + " and more"
    with _client(key, 200, body) as client, pytest.raises(ep.UnexpectedResponseError) as caught:
        client.get_task(TASK_ID)
    assert caught.value.body_excerpt == ("x" * 190 + "*** and more")[:200]
