"""The spec drives every layer: a field added to our spec sources reaches the SDK's user with
no edit to wrapper/, and the two SDK clients are one source.

In a copy of the project, an optional request field is added to the persona's
``model_params`` and an optional response field to the task detail (in openapi/project/,
never the vendor's file); ``scripts/regenerate`` runs; then, in a fresh interpreter on the
copy, the SDK sends the new field and ``get_task`` exposes the new one, and mypy on the copy
sees it as a typed attribute.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import yaml

RunRegenerate = Callable[..., subprocess.CompletedProcess[str]]

USER_CODE = """
import json
import uuid

import httpx
from evolink_api.models import SunoPersonaCreationRequestModelParams
from evolink_api.types import Unset
from evolink_persona import PersonaClient

TASK = "task-unified-1774170584-su75smg7"
sent: list[object] = []


def service(request: httpx.Request) -> httpx.Response:
    if request.method == "POST":
        sent.append(json.loads(request.content))
        return httpx.Response(200, json={"id": TASK, "status": "pending"})
    return httpx.Response(
        200,
        json={"id": TASK, "status": "processing", "progress": 40, "queue_position": 3},
    )


client = PersonaClient(
    "sk-test-key",
    base_url="https://api.test",
    http_client=httpx.Client(transport=httpx.MockTransport(service)),
)
# The new request field, typed through the regenerated model, sent through extra_body.
params = SunoPersonaCreationRequestModelParams(
    source_task_id="task-unified-1774169216-ocqaqde7",
    result_id=uuid.UUID("4fcc4507-a7ae-4441-ad8a-465c2f61d5bb"),
    name="Jazz Vocalist",
    description="Smooth jazz vocals",
    gender="female",
)
client.create_persona(
    source_task_id=params.source_task_id,
    result_id=params.result_id,
    name=params.name,
    description=params.description,
    extra_body={"model_params": {"gender": params.gender}},
)
task = client.get_task(TASK)
position: int | Unset = task.detail.queue_position
print(json.dumps({"sent": sent, "queue_position": position}))
"""

# A typed attribute: mypy accepts it as ``int | Unset`` and refuses it as ``str``.
WRONG_TYPE = "wrong: str = task.detail.queue_position  # the one error mypy must report\n"


def _add_fields(root: Path) -> None:
    additions = root / "openapi" / "project" / "additions.yaml"
    document = yaml.safe_load(additions.read_text(encoding="utf-8"))
    document["components"]["schemas"]["SunoPersonaCreationRequest"] = {
        "properties": {
            "model_params": {
                "properties": {
                    "gender": {"type": "string", "description": "Preferred vocal gender"}
                }
            }
        }
    }
    additions.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    detail = root / "openapi" / "project" / "task-detail.yaml"
    document = yaml.safe_load(detail.read_text(encoding="utf-8"))
    document["components"]["schemas"]["TaskDetailResponse"]["properties"]["queue_position"] = {
        "type": "integer",
        "description": "Tasks ahead of this one",
    }
    detail.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def _digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*.py"))
        if "__pycache__" not in p.parts
    }


def _copy_env(root: Path) -> dict[str, str]:
    paths = [root / "generated_client", root / "wrapper", root / "openapi"]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(str(p) for p in paths)}


def test_a_field_added_to_the_spec_reaches_the_sdk_with_no_edit_to_the_wrapper(
    project_copy: Path, run_regenerate: RunRegenerate, repo_root: Path
) -> None:
    wrapper_before = _digest(project_copy / "wrapper")
    _add_fields(project_copy)
    result = run_regenerate(project_copy)
    assert result.returncode == 0, result.stderr
    assert _digest(project_copy / "wrapper") == wrapper_before  # no edit to wrapper/

    user = project_copy / "user_code.py"
    user.write_text(USER_CODE, encoding="utf-8")
    env = _copy_env(project_copy)
    run = subprocess.run(
        [sys.executable, str(user)], capture_output=True, text=True, check=False, env=env
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == (
        '{"sent": [{"model": "suno-persona", "model_params": {"source_task_id": '
        '"task-unified-1774169216-ocqaqde7", "result_id": "4fcc4507-a7ae-4441-ad8a-465c2f61d5bb", '
        '"name": "Jazz Vocalist", "description": "Smooth jazz vocals", "gender": "female"}}], '
        '"queue_position": 3}'
    )

    user.write_text(USER_CODE + WRONG_TYPE, encoding="utf-8")
    mypy = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--follow-imports=silent",
            # A cache kept between runs (in the checkout's own, ignored, .mypy_cache): the
            # standard library, httpx and attrs are read from it, so only the copy's modules
            # are checked again, about 0.4 s instead of 4. mypy checks by content, so the
            # changed copy is always checked afresh.
            "--cache-dir",
            str(repo_root / ".mypy_cache" / "user-code"),
            str(user),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**env, "MYPYPATH": env["PYTHONPATH"]},
        cwd=project_copy,
    )
    errors = [line for line in mypy.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1, mypy.stdout
    assert f"user_code.py:{USER_CODE.count(chr(10)) + 1}: error: Incompatible types" in errors[0]
    assert '"int | Unset"' in errors[0]


def test_an_edit_of_the_async_client_alone_is_drift_naming_the_sync_client(
    project_copy: Path, run_regenerate: RunRegenerate
) -> None:
    source = project_copy / "wrapper" / "evolink_persona" / "_async_client.py"
    text = source.read_text(encoding="utf-8")
    source.write_text(
        text.replace(
            '        """Read a task: status',
            '        """Read one task: status',
        ),
        encoding="utf-8",
    )
    result = run_regenerate(project_copy, "--check")
    assert result.returncode == 1
    assert "wrapper/evolink_persona/_client.py" in result.stderr
    assert '+        """Read one task: status' in result.stderr


def test_the_sync_client_is_the_async_one_without_coroutines(repo_root: Path) -> None:
    import unasync

    source = (repo_root / unasync.ASYNC_SOURCE).read_text(encoding="utf-8")
    sync = unasync.unasync(source)
    assert "async " not in sync
    assert "await " not in sync
    assert "AsyncPersonaClient" not in sync
    # The body of every operation is the same text, line for line, once coroutines go.
    assert sync.count("\n    def ") == source.count("\n    async def ") + source.count("\n    def ")
    assert textwrap.dedent(sync).count("extra_headers") == source.count("extra_headers")
