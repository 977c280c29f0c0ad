"""The mock's control API as the live runner uses it: fresh songs, a
persona, a count of tasks, and a clock to move past every task's end.

Only a loopback mock has it, and only with its admin token. ``MockControl.open`` asks
once (``GET /_mock/state``) and says why when the server is not the mock (Prism, a
staging, a mock with another token), so the runner can fall back and say so.
"""

from __future__ import annotations

from typing import Any, Final

import attrs
import httpx
from evolink_persona._tls import shared_tls

__all__ = ["MockControl"]


#: Seconds of mock time past every task's end (the default mock's take 30 at most),
#: well within its retention (an hour).
_PAST_EVERY_TASK: Final = 120.0


@attrs.define
class MockControl:
    """A client of ``/_mock/`` on one base URL, for the user whose key is ``api_key``."""

    client: httpx.Client
    api_key: str

    @classmethod
    def open(cls, base_url: str, token: str, api_key: str, *, timeout: float) -> MockControl | str:
        """The control API, or why it cannot be used here (a sentence for a report note)."""
        client = httpx.Client(
            base_url=base_url,
            headers={"X-Mock-Admin-Token": token},
            timeout=timeout,
            verify=shared_tls(),
        )
        try:
            state = client.get("/_mock/state")
            body = state.json() if state.status_code == 200 else None
        except (httpx.HTTPError, ValueError) as error:
            client.close()
            return f"{base_url}/_mock/state gave no usable answer ({type(error).__name__})"
        if not isinstance(body, dict) or not isinstance(body.get("tasks"), dict):
            client.close()
            return f"{base_url}/_mock/state answered {state.status_code}, not the mock's state"
        return cls(client, api_key)

    def close(self) -> None:
        self.client.close()

    def fresh_song(self) -> tuple[str, str]:
        """A new finished music task of the user with one song: (task id, result id)."""
        task = self.client.post("/_mock/music-tasks", json={"user": self.api_key, "songs": 1})
        task.raise_for_status()
        body: Any = task.json()
        return body["id"], body["result_data"]["songs"][0]["result_id"]

    def task_count(self) -> int:
        """Tasks the mock made through its API so far (every user): a refusal adds none."""
        state = self.client.get("/_mock/state")
        state.raise_for_status()
        count: int = state.json()["tasks"]["recent"]
        return count

    def end_running_tasks(self) -> None:
        """Move the mock's clock past every task's end (its clock is an offset on a real one)."""
        self.client.post("/_mock/clock/advance", json={"seconds": _PAST_EVERY_TASK})

    def fresh_persona(self) -> str:
        """A completed persona of the user, made from a fresh song through the public API."""
        source, result = self.fresh_song()
        auth = {"Authorization": f"Bearer {self.api_key}"}
        params = {
            "source_task_id": source,
            "result_id": result,
            "name": "Contract",
            "description": "a persona the contract run applies",
        }
        created = self.client.post(
            "/v1/audios/generations",
            json={"model": "suno-persona", "model_params": params},
            headers=auth,
        )
        created.raise_for_status()
        task_id = created.json()["id"]
        self.end_running_tasks()
        detail = self.client.get(f"/v1/tasks/{task_id}", headers=auth)
        detail.raise_for_status()
        persona_id: str = detail.json()["result_data"]["persona_id"]
        return persona_id
