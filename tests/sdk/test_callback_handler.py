"""The Starlette handler of docs/sdk.md, fed the callbacks a real mock delivers."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

pytest.importorskip("starlette")
from evolink_mock import MockConfig
from evolink_mock.handle import MockHandle
from evolink_persona import Task, UnexpectedResponseError, read_callback
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


@pytest.fixture
def evolink_mock_config() -> MockConfig:
    return MockConfig(callback_mode="test")


def _app(handled: list[Task]) -> Starlette:
    async def suno_callback(request: Request) -> Response:
        try:
            task = read_callback(await request.body())
        except UnexpectedResponseError:
            return Response(status_code=400)
        handled.append(task)
        return Response(status_code=204)

    return Starlette(routes=[Route("/webhooks/suno", suno_callback, methods=["POST"])])


def test_the_documented_handler_reads_the_mocks_callback_body(
    evolink_mock: MockHandle,
) -> None:
    from evolink_mock.receiver import CallbackReceiver

    with CallbackReceiver() as receiver, evolink_mock.client() as client:
        body: dict[str, Any] = {"model": "suno-v5-beta", "prompt": "p"}
        body["callback_url"] = receiver.url
        task_id = client.post("/v1/audios/generations", json=body).json()["id"]
        evolink_mock.finish_tasks()
        evolink_mock.callbacks()
        (delivered,) = receiver.received
    handled: list[Task] = []

    async def post_both() -> tuple[httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=_app(handled))
        async with httpx.AsyncClient(transport=transport, base_url="http://app.test") as app:
            answer = await app.post("/webhooks/suno", content=delivered.body)
            refused = await app.post("/webhooks/suno", content=b"<html>not json</html>")
        return answer, refused

    answer, refused = asyncio.run(post_both())
    assert answer.status_code == 204
    assert refused.status_code == 400
    (task,) = handled
    assert (task.id, task.status) == (task_id, "completed")
    assert len(task.songs) >= 2
