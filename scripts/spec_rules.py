"""The rules that name and grade every change between two versions of an OpenAPI document.

One entry per rule: its id (oasdiff's where oasdiff has one), its level, what it means
and one example. `scripts/spec_changes.py` decides which rule a change falls under;
docs/spec-updates.md shows this table (`rules_markdown`), and a test keeps them equal.

Levels, worst first: **breaking** (a client that worked can now fail), **needs attention**
(nothing fails by itself, but a client or our rules may need the same change), **compatible**.
"""

from __future__ import annotations

import enum

import attrs

__all__ = ["RULES", "RULES_BY_ID", "Level", "Rule", "rules_markdown"]


class Level(enum.Enum):
    """How much a change matters to a client of the API, worst first."""

    BREAKING = "breaking"
    ATTENTION = "needs attention"
    COMPATIBLE = "compatible"

    @property
    def rank(self) -> int:
        return {"breaking": 2, "needs attention": 1, "compatible": 0}[self.value]


@attrs.frozen
class Rule:
    """One kind of change: its name, its level, what it means and one example."""

    id: str
    level: Level
    meaning: str
    example: str


B, A, C = Level.BREAKING, Level.ATTENTION, Level.COMPATIBLE

RULES: tuple[Rule, ...] = (
    # Operations
    Rule("api-removed", B, "an operation was removed", "`DELETE /v1/tasks/{task_id}` gone"),
    Rule("api-added", C, "a new operation", "`POST /v1/tasks/{task_id}/cancel` added"),
    Rule(
        "operation-id-changed",
        B,
        "an operationId changed: the generated client's function module is renamed",
        "`createSunoPersona` → `createPersona`",
    ),
    Rule(
        "security-changed",
        A,
        "the security requirements of an operation or of the document changed",
        "`bearerAuth` → `apiKeyHeader`",
    ),
    Rule("servers-changed", A, "the document's servers changed", "a new base URL"),
    # Request: parameters and body
    Rule(
        "new-required-request-parameter",
        B,
        "a new required parameter",
        "required query `region` added",
    ),
    Rule(
        "new-optional-request-parameter",
        C,
        "a new optional parameter",
        "optional query `lang` added",
    ),
    Rule(
        "request-parameter-removed",
        A,
        "a parameter was removed: the server may now refuse or ignore it",
        "query `lang` removed",
    ),
    Rule(
        "request-parameter-became-required",
        B,
        "an optional parameter became required",
        "`lang`: `required: false` → `true`",
    ),
    Rule(
        "request-parameter-became-optional",
        C,
        "a required parameter became optional",
        "`lang`: `required: true` → `false`",
    ),
    Rule(
        "request-body-became-required",
        B,
        "the request body became required",
        "`requestBody.required: false` → `true`",
    ),
    Rule(
        "request-media-type-removed",
        B,
        "a request media type is no longer accepted",
        "`application/json` body removed",
    ),
    Rule(
        "request-media-type-added",
        C,
        "a new request media type is accepted",
        "`multipart/form-data` body added",
    ),
    Rule(
        "new-required-request-property",
        B,
        "a new required request property",
        "`model_params.lyrics` added and required",
    ),
    Rule(
        "new-optional-request-property",
        C,
        "a new optional request property",
        "`model_params.style_weight` added",
    ),
    Rule(
        "request-property-removed",
        A,
        "a request property was removed: the server may now refuse or ignore it",
        "`model_params.style` removed",
    ),
    Rule(
        "request-property-became-required",
        B,
        "an optional request property became required",
        "`style` added to `required`",
    ),
    Rule(
        "request-property-became-optional",
        C,
        "a required request property became optional",
        "`description` dropped from `required`",
    ),
    Rule(
        "request-property-type-changed",
        B,
        "a request property's type changed or narrowed",
        "`vocal_start`: `number` → `integer`",
    ),
    Rule(
        "request-property-type-generalized",
        C,
        "a request property accepts more types",
        "`vocal_start`: `integer` → `number`",
    ),
    Rule(
        "request-property-format-changed",
        B,
        "a request property's format was set or changed",
        "`result_id`: no format → `format: uuid`",
    ),
    Rule(
        "request-property-format-removed",
        C,
        "a request property's format was dropped",
        "`result_id`: `format: uuid` removed",
    ),
    Rule(
        "request-property-enum-value-removed",
        B,
        "a request enum lost a value",
        "`model`: `suno-persona` removed from the enum",
    ),
    Rule(
        "request-property-enum-value-added",
        C,
        "a request enum gained a value",
        "`persona_model`: `style_persona` added",
    ),
    Rule(
        "request-property-enum-added",
        B,
        "a request property is now restricted to an enum",
        "`style`: `enum: [jazz, pop]` added",
    ),
    Rule(
        "request-property-enum-removed",
        C,
        "a request property's enum was dropped (any value of its type is accepted)",
        "`model`: enum removed",
    ),
    Rule(
        "request-property-constraint-tightened",
        B,
        "a request constraint was set or tightened "
        "(maxLength, minimum, multipleOf, pattern, additionalProperties, ...)",
        "`name`: `maxLength` 200 → 100",
    ),
    Rule(
        "request-property-constraint-relaxed",
        C,
        "a request constraint was removed or relaxed",
        "`vocal_start`: `minimum: 0` removed",
    ),
    Rule(
        "request-property-default-changed",
        A,
        "a request default changed: omitting the property now means something else",
        "`instrumental`: `default: false` → `true`",
    ),
    # Responses
    Rule(
        "response-success-status-removed",
        B,
        "a success status is no longer returned",
        "`200` of task detail removed",
    ),
    Rule(
        "response-success-status-added",
        C,
        "a new success status",
        "`202` added",
    ),
    Rule(
        "response-non-success-status-removed",
        C,
        "an error status is no longer documented",
        "`502` and `503` removed from task detail",
    ),
    Rule(
        "response-non-success-status-added",
        C,
        "a new error status is documented",
        "`403` added",
    ),
    Rule(
        "response-media-type-removed",
        B,
        "a response media type is no longer sent",
        "`application/json` of `200` removed",
    ),
    Rule(
        "response-media-type-added",
        C,
        "a response may come in a new media type",
        "`text/event-stream` added",
    ),
    Rule(
        "response-property-removed",
        B,
        "a response property was removed",
        "`task_info.can_cancel` removed",
    ),
    Rule(
        "response-property-added",
        C,
        "a new response property",
        "task detail gains `error`",
    ),
    Rule(
        "response-property-became-optional",
        B,
        "a response property the client could rely on may now be missing",
        "`persona_id` dropped from `required`",
    ),
    Rule(
        "response-property-became-required",
        C,
        "a response property is now always present",
        "`id` added to `required`",
    ),
    Rule(
        "response-property-type-changed",
        B,
        "a response property's type changed or widened",
        "`error.code`: `integer` → `string`",
    ),
    Rule(
        "response-property-type-narrowed",
        C,
        "a response property's type narrowed",
        "`credits_reserved`: `number` → `integer`",
    ),
    Rule(
        "response-property-format-changed",
        B,
        "a response property's format was set, changed or dropped: "
        "the generated model parses it differently",
        "`result_id`: `format: uuid` removed",
    ),
    Rule(
        "response-property-enum-value-added",
        A,
        "a response enum gained a value: a client that switches on the values meets a new one",
        "`status`: `cancelled` added",
    ),
    Rule(
        "response-property-enum-value-removed",
        C,
        "a response enum lost a value",
        "`billing_rule`: `per_token` removed",
    ),
    Rule(
        "response-property-enum-removed",
        A,
        "a response property's enum was dropped: any value of its type may now arrive",
        "`usage.user_group`: enum `default`, `vip` removed",
    ),
    Rule(
        "response-property-enum-added",
        C,
        "a response property is now restricted to an enum",
        "`type`: `enum: [audio]` added",
    ),
    Rule(
        "response-property-constraint-relaxed",
        A,
        "a response constraint was removed or relaxed: values outside the old bounds may arrive",
        "`progress`: `maximum` 100 → 1000",
    ),
    Rule(
        "response-property-constraint-tightened",
        C,
        "a response constraint was set or tightened",
        "`progress`: `minimum: 0` added",
    ),
    Rule(
        "response-property-default-changed",
        C,
        "a response default changed",
        "`can_cancel`: `default: false` → `true`",
    ),
    # Anywhere
    Rule(
        "property-deprecated",
        C,
        "a property or operation was marked deprecated",
        "`style`: `deprecated: true`",
    ),
    Rule(
        "schema-composition-changed",
        A,
        "the branches of an allOf/anyOf/oneOf changed in number",
        "`result_data.anyOf` gains a third shape",
    ),
    Rule(
        "rule-description-changed",
        A,
        "a description that states a rule changed: the SDK's rules and the mock's may need "
        "the same change",
        "`vocal_end`: '... between 10 - 30 seconds' → '... between 5 - 30 seconds'",
    ),
    Rule(
        "description-changed",
        C,
        "wording: a description, summary or title changed",
        "`user_group`: 'User group' → 'Billing group the user belongs to'",
    ),
    Rule(
        "example-changed",
        C,
        "an example changed, was added or was removed",
        "task detail's `400` example: `code: 400` → `code: invalid_task_id`",
    ),
    Rule(
        "info-changed",
        C,
        "the document's `info` changed (title, version, licence, provenance)",
        "`info.version`: `1.0.0` → `1.0.1`",
    ),
    Rule(
        "extension-changed",
        C,
        "a vendor extension (`x-...`) changed",
        "`x-codeSamples` changed",
    ),
    Rule(
        "unclassified-change",
        A,
        "a change no other rule describes: read it",
        "`readOnly: true` set on a property",
    ),
)
RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}


def rules_markdown() -> str:
    """The rule table of docs/spec-updates.md, made from `RULES` so the two cannot drift."""
    lines = ["| rule | level | meaning | example |", "| --- | --- | --- | --- |"]
    lines += [
        f"| `{rule.id}` | {rule.level.value} | {rule.meaning} | {rule.example} |" for rule in RULES
    ]
    return "\n".join(lines) + "\n"
