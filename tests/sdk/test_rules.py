"""The client-side rules of persona creation, as a specification."""

from __future__ import annotations

import math
import uuid

import pytest
from evolink_api.models import SunoPersonaCreationRequest
from evolink_persona import RequestValidationError, check_persona_request, validate_persona_request
from evolink_persona._rules import PersonaRequest, _all_violations, _plainly_valid
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.sdk.sdk_support import RESULT_ID, VALID


def fields(**overrides: object) -> set[str]:
    return {v.field for v in validate_persona_request(**{**VALID, **overrides})}


def test_a_complete_request_without_window_is_valid() -> None:
    assert validate_persona_request(**VALID) == []


@pytest.mark.parametrize(("start", "end"), [(0, 10), (5, 35), (0.0, 30.0), (15, 35), (100, 110.5)])
def test_windows_from_10_to_30_seconds_inclusive_are_valid(start: float, end: float) -> None:
    assert fields(vocal_start=start, vocal_end=end) == set()


@pytest.mark.parametrize(("start", "end"), [(0, 9.999), (0, 30.001), (0, 31), (10, 19.5)])
def test_windows_outside_10_to_30_seconds_are_refused(start: float, end: float) -> None:
    assert fields(vocal_start=start, vocal_end=end) == {"vocal_end"}


@pytest.mark.parametrize(("start", "end"), [(20, 20), (30, 10)])
def test_vocal_end_must_be_after_vocal_start(start: float, end: float) -> None:
    violations = validate_persona_request(**VALID, vocal_start=start, vocal_end=end)
    assert [v.reason for v in violations] == ["must be greater than vocal_start"]


@pytest.mark.parametrize("given_one", ["vocal_start", "vocal_end"])
def test_one_of_the_vocal_pair_alone_is_refused(given_one: str) -> None:
    other = "vocal_end" if given_one == "vocal_start" else "vocal_start"
    assert other in fields(**{given_one: 12})


@pytest.mark.parametrize("bad", [True, False, math.nan, math.inf, -math.inf, "10", 10**400])
def test_vocal_times_must_be_finite_real_numbers(bad: object) -> None:
    assert "vocal_start" in fields(vocal_start=bad, vocal_end=20)


def test_an_int_beyond_float_range_is_a_violation_not_an_overflow_error() -> None:
    violations = validate_persona_request(
        source_task_id="task-unified-1774169216-ocqaqde7",
        result_id="4fcc4507-a7ae-4441-ad8a-465c2f61d5bb",
        name="n",
        description="d",
        vocal_start=0,
        vocal_end=10**400,
    )
    assert [(v.field, v.reason) for v in violations] == [("vocal_end", "must be a finite number")]


def test_negative_vocal_start_is_refused() -> None:
    assert "vocal_start" in fields(vocal_start=-1, vocal_end=15)


def test_every_violation_is_reported_at_once() -> None:
    violations = validate_persona_request(
        source_task_id=None,
        result_id="not-a-uuid",
        name=3,
        description=None,
        vocal_start=True,
        style=5,
    )
    assert [v.field for v in violations] == [
        "source_task_id",
        "result_id",
        "name",
        "description",
        "vocal_end",
        "vocal_start",
        "style",
    ]
    with pytest.raises(RequestValidationError) as caught:
        check_persona_request(source_task_id=None, result_id="x", name=3, description=None)
    assert len(caught.value.violations) == 4
    assert "source_task_id" in str(caught.value)


@pytest.mark.parametrize(
    "result_id",
    [RESULT_ID, RESULT_ID.upper(), uuid.UUID(RESULT_ID)],
)
def test_result_id_may_be_a_uuid_or_its_text(result_id: object) -> None:
    assert fields(result_id=result_id) == set()


@pytest.mark.parametrize(
    "result_id",
    ["", "4fcc4507a7ae4441ad8a465c2f61d5bb", f"{{{RESULT_ID}}}", f"urn:uuid:{RESULT_ID}", 7],
)
def test_result_id_other_forms_are_refused(result_id: object) -> None:
    assert fields(result_id=result_id) == {"result_id"}


def test_the_request_fills_in_the_model_and_drops_an_empty_style() -> None:
    body = PersonaRequest(**VALID, style="").body()
    assert body["model"] == "suno-persona"
    assert "style" not in body["model_params"]
    assert "vocal_start" not in body["model_params"]
    body = PersonaRequest(
        source_task_id=VALID["source_task_id"],
        result_id=uuid.UUID(RESULT_ID),
        name=VALID["name"],
        description=VALID["description"],
        style="jazz",
        vocal_start=0,
        vocal_end=10,
    ).body()
    assert body["model_params"] == {**VALID, "style": "jazz", "vocal_start": 0, "vocal_end": 10}


def test_extra_body_merges_objects_key_by_key_and_replaces_other_values() -> None:
    body = PersonaRequest(**VALID).body({"model_params": {"gender": "f"}, "callback_url": "u"})
    assert body["model_params"] == {**VALID, "gender": "f"}
    assert body["callback_url"] == "u"
    replaced = PersonaRequest(**VALID).body({"model_params": {"name": "Other"}, "model": "x"})
    assert (replaced["model_params"]["name"], replaced["model"]) == ("Other", "x")


def test_a_persona_request_knows_its_violations_and_raises_them_all_at_once() -> None:
    request = PersonaRequest(**{**VALID, "name": None, "vocal_start": 1})  # type: ignore[arg-type]
    assert [v.field for v in request.violations()] == ["name", "vocal_end"]
    with pytest.raises(RequestValidationError) as caught:
        request.check()
    assert [v.field for v in caught.value.violations] == ["name", "vocal_end"]


# Property tests: the window rule at and around its bounds, for any start.
starts = st.floats(min_value=0, max_value=10_000, allow_nan=False, allow_infinity=False)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(start=starts, window=st.floats(min_value=-50, max_value=80, allow_nan=False))
def test_a_window_is_valid_exactly_when_10_le_end_minus_start_le_30(
    start: float, window: float
) -> None:
    end = start + window
    valid = end > start and 10 <= end - start <= 30 and math.isfinite(end) and end >= 0
    assert (fields(vocal_start=start, vocal_end=end) == set()) == valid


@settings(derandomize=True, max_examples=200, deadline=None)
@given(
    start=st.integers(min_value=0, max_value=10_000),
    offset=st.sampled_from([9.999, 10, 10.0, 20, 30, 30.0, 30.001]),
)
def test_the_bounds_10_and_30_are_inclusive(start: int, offset: float) -> None:
    valid = fields(vocal_start=start, vocal_end=start + offset) == set()
    assert valid == (10 <= offset <= 30)


@settings(derandomize=True, max_examples=200, deadline=None)
@given(
    value=st.one_of(
        st.booleans(),
        st.just(math.nan),
        st.just(math.inf),
        st.just(-math.inf),
        st.floats(max_value=-1e-9, allow_nan=False, allow_infinity=False),
        st.integers(max_value=-1),
        st.text(max_size=3),
    ),
    which=st.sampled_from(["vocal_start", "vocal_end"]),
)
def test_non_real_or_negative_times_are_always_refused(value: object, which: str) -> None:
    params = {"vocal_start": 5.0, "vocal_end": 25.0, which: value}
    assert which in fields(**params)


@settings(derandomize=True, max_examples=100, deadline=None)
@given(value=st.one_of(st.integers(0, 100), st.floats(0, 100)), missing=st.booleans())
def test_one_time_without_the_other_is_always_refused(value: float, missing: bool) -> None:
    params = {"vocal_start": value} if missing else {"vocal_end": value}
    assert validate_persona_request(**VALID, **params) != []


# The body the SDK sends is the generated request model's: it round-trips through that model,
# so a regeneration that changes the wire shape shows here.
def _uuid_forms(value: uuid.UUID) -> st.SearchStrategy[str | uuid.UUID]:
    return st.sampled_from([value, str(value), str(value).upper()])


times = st.one_of(st.integers(0, 10_000), st.floats(0, 10_000, allow_nan=False))


@settings(derandomize=True, max_examples=300, deadline=None)
@given(
    source_task_id=st.text(),
    result_id=st.uuids().flatmap(_uuid_forms),
    name=st.text(),
    description=st.text(),
    start=times,
    window=st.one_of(st.none(), st.floats(10, 30), st.integers(10, 30)),
    style=st.one_of(st.none(), st.text()),
)
def test_the_body_sent_is_the_generated_models_for_every_valid_request(
    source_task_id: str,
    result_id: str | uuid.UUID,
    name: str,
    description: str,
    start: float,
    window: float | None,
    style: str | None,
) -> None:
    vocal_start = None if window is None else start
    vocal_end = None if window is None else start + window
    # A float sum may land outside 10..30: that is not a valid request, so not this test's.
    assume(
        not validate_persona_request(
            source_task_id=source_task_id,
            result_id=result_id,
            name=name,
            description=description,
            vocal_start=vocal_start,
            vocal_end=vocal_end,
            style=style,
        )
    )
    request = PersonaRequest(
        source_task_id=source_task_id,
        result_id=result_id,
        name=name,
        description=description,
        vocal_start=vocal_start,
        vocal_end=vocal_end,
        style=style,
    )
    sent = request.body()
    assert SunoPersonaCreationRequest.from_dict(sent).to_dict() == sent
    expected_params: dict[str, object] = {
        "source_task_id": source_task_id,
        "result_id": str(result_id).lower(),
        "name": name,
        "description": description,
    }
    if window is not None:
        expected_params |= {"vocal_start": vocal_start, "vocal_end": vocal_end}
    if style:
        expected_params["style"] = style
    assert sent == {"model": "suno-persona", "model_params": expected_params}


texts = st.one_of(
    st.text(max_size=6), st.sampled_from(["", "a", "\ud800", "é"]), st.none(), st.integers()
)
anything_time = st.one_of(
    st.none(),
    st.integers(-5, 60),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.just(10**400),
    st.text(max_size=2),
)


@settings(derandomize=True, max_examples=400, deadline=None)
@given(
    source_task_id=texts,
    result_id=st.one_of(st.uuids(), st.uuids().map(str), st.uuids().map(lambda u: u.hex), texts),
    name=texts,
    description=texts,
    vocal_start=anything_time,
    vocal_end=st.one_of(anything_time, st.floats(10, 30)),
    style=texts,
)
def test_the_fast_path_accepts_only_what_the_full_check_accepts(
    source_task_id: object,
    result_id: object,
    name: object,
    description: object,
    vocal_start: object,
    vocal_end: object,
    style: object,
) -> None:
    arguments = (source_task_id, result_id, name, description, vocal_start, vocal_end, style)
    if _plainly_valid(*arguments):
        assert _all_violations(*arguments) == []


# body() hands a lowercase result_id text to the model as it is (no parse into uuid.UUID and
# back); every other spelling is parsed. Either way the wire gets what the model writes for
# the UUID, and to_model() holds a real uuid.UUID.
@settings(derandomize=True, max_examples=200, deadline=None)
@given(value=st.uuids(), upper=st.lists(st.booleans(), min_size=36, max_size=36))
def test_every_spelling_of_a_result_id_is_sent_as_the_model_writes_its_uuid(
    value: uuid.UUID, upper: list[bool]
) -> None:
    text = "".join(c.upper() if up else c for c, up in zip(str(value), upper, strict=True))
    request = PersonaRequest(**{**VALID, "result_id": text})
    assert request.body()["model_params"]["result_id"] == str(value)
    model_id = request.to_model().model_params.result_id
    assert isinstance(model_id, uuid.UUID)
    assert model_id == value


@pytest.mark.parametrize(
    "result_id", [RESULT_ID + "\n", RESULT_ID[:-1] + "g", RESULT_ID.replace("-", "_"), "x" * 36]
)
def test_a_body_is_never_made_of_a_result_id_that_is_not_a_uuid(result_id: str) -> None:
    # body() is for a request that passed check(); one that skipped it still fails here.
    with pytest.raises(ValueError, match=r"hexadecimal|base 16"):
        PersonaRequest(**{**VALID, "result_id": result_id}).body()
