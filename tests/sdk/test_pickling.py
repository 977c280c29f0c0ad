"""Every public error survives pickling (multiprocessing, pytest-xdist, Celery), keyless.

The classes are enumerated from ``evolink_persona.__all__``, and each is built from its own
signature, so a new error class is covered without touching this file (or the test says
which sample argument it lacks).
"""

from __future__ import annotations

import inspect
import multiprocessing
import pickle
from typing import Any

import evolink_persona as ep
import pytest

from tests.sdk.sdk_support import (
    API_KEY,
    TASK_ID,
    VALID,
    FakeTime,
    Script,
    json_reply,
    make_client,
)

#: A sample value for each constructor argument an error class may require.
SAMPLES: dict[str, Any] = {
    "message": "it went wrong",
    "status_code": 503,
    "task_id": TASK_ID,
    "status": "failed",
    "code": "service_error",
    "retryable": True,
    "waited": 12.5,
    "last_status": "processing",
    "last_progress": 40,
    "model": "suno-persona",
    "violations": [ep.Violation("vocal_end", "must be at most 30 s after vocal_start")],
}

ERROR_CLASSES = sorted(
    (
        value
        for name in ep.__all__
        if isinstance(value := getattr(ep, name), type) and issubclass(value, BaseException)
    ),
    key=lambda cls: cls.__name__,
)


def _build(cls: type[BaseException]) -> BaseException:
    """An instance from samples of the required arguments of ``cls.__init__``, and of the
    base classes' ``__init__`` that its ``**kwargs`` pass on to."""
    positional: list[Any] = []
    keywords: dict[str, Any] = {}
    first = True
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        parameters = list(inspect.signature(init).parameters.values())[1:]  # without self
        for parameter in parameters:
            if parameter.default is not inspect.Parameter.empty or parameter.kind in (
                inspect.Parameter.VAR_KEYWORD,
                inspect.Parameter.VAR_POSITIONAL,
            ):
                continue
            name = parameter.name
            assert name in SAMPLES, f"add a sample for {klass.__name__}'s argument {name!r}"
            if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
                keywords.setdefault(name, SAMPLES[name])
            elif first:
                positional.append(SAMPLES[name])
        first = False
        if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
            break
    return cls(*positional, **keywords)


def test_every_public_error_class_is_enumerated() -> None:
    assert len(ERROR_CLASSES) >= 18
    assert ep.EvolinkError in ERROR_CLASSES


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_every_public_error_round_trips_through_pickle(cls: type[BaseException]) -> None:
    error = _build(cls)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is cls
    assert str(copy) == str(error)
    assert copy.args == error.args
    assert vars(copy) == vars(error)


def test_an_error_amended_after_a_creation_round_trips_with_its_task_id(
    fake_time: FakeTime,
) -> None:
    script = Script(json_reply(200, {"id": TASK_ID, "status": "pending"}))
    script.add(*[json_reply(503, {"error": {"code": "busy", "message": "busy"}})] * 3)
    with pytest.raises(ep.ServerError) as caught:
        make_client(script, fake_time).create_persona_and_wait(**VALID)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (copy.task_id, str(copy), copy.hint) == (TASK_ID, str(caught.value), caught.value.hint)


def test_an_error_that_quoted_the_key_pickles_without_it(fake_time: FakeTime) -> None:
    echo = {"code": API_KEY, "message": f"bad key {API_KEY}", "param": API_KEY, "type": API_KEY}
    for reply in (
        json_reply(401, {"error": echo}),
        json_reply(200, {"id": TASK_ID, "status": 7, "echo": API_KEY}),
        json_reply(502, f"<html>{API_KEY}</html>"),
    ):
        with pytest.raises(ep.EvolinkError) as caught:
            make_client(Script(reply), fake_time, max_retries=0).get_task(TASK_ID)
        data = pickle.dumps(caught.value)
        assert API_KEY.encode() not in data
        assert API_KEY not in repr(pickle.loads(data).__dict__)


def _raise_task_failed() -> None:
    raise ep.TaskFailedError(
        "the model failed", task_id=TASK_ID, status="failed", code="service_error", retryable=True
    )


def test_an_error_raised_in_a_worker_process_reaches_the_parent() -> None:
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        pending = pool.apply_async(_raise_task_failed)
        with pytest.raises(ep.TaskFailedError) as caught:
            pending.get(timeout=30)  # a bound: the answer comes at once, or never
    assert (caught.value.task_id, caught.value.retryable) == (TASK_ID, True)
