"""The mock's knobs in one frozen object, with generous defaults.

Everything that shapes the mock's behaviour (task timing, failure odds, money, rate
limits, retention, faults, limits on request size) is a named field here, so a test,
the CLI and the pytest fixture all describe a mock the same way.
"""

from __future__ import annotations

import secrets
from typing import Any

import attrs

__all__ = ["CALLBACK_MODES", "DEFAULT_ADMIN_TOKEN", "FAULT_MODES", "MockConfig"]

#: Token the control API (`/_mock/...`) accepts unless the config names another one.
DEFAULT_ADMIN_TOKEN = "evolink-mock-admin"  # noqa: S105 - a documented local default

#: How callback URLs are judged: "strict" (the vendor's rules: https, no internal address)
#: or "test" (also loopback over http, so a local receiver can get them).
CALLBACK_MODES: tuple[str, ...] = ("strict", "test")

#: Every fault the mock can inject, by the name used in the `X-Mock-Fault` header.
FAULT_MODES: tuple[str, ...] = ("429", "500", "502", "503", "slow", "truncated", "drop")


def _check_share(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value}")


def _check_non_negative(_: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if value < 0:
        raise ValueError(f"{attribute.name} must be >= 0, got {value}")


def _check_positive(_: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not value > 0:
        raise ValueError(f"{attribute.name} must be > 0, got {value}")


def _check_fault_modes(
    _: object, attribute: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]
) -> None:
    unknown = [mode for mode in value if mode not in FAULT_MODES]
    if unknown:
        raise ValueError(f"{attribute.name} has unknown modes {unknown}; known: {FAULT_MODES}")


@attrs.frozen(kw_only=True)
class MockConfig:
    """How a mock instance behaves. Every field has a default fit for development."""

    #: Seconds a persona task takes from creation to its end (completed or failed).
    persona_duration: float = attrs.field(default=20.0, validator=_check_non_negative)
    #: Share of `persona_duration` spent `pending` before `processing` starts.
    pending_share: float = attrs.field(default=0.25, validator=_check_share)
    #: Probability that a persona task ends `failed` (drawn from the seeded generator).
    failure_rate: float = attrs.field(default=0.0, validator=_check_share)
    #: Seed of the generator behind ids, failures and seeded faults: same seed, same run.
    #: Drawn at random unless given, so one user cannot predict another's task and persona
    #: ids; pass one (`--seed`) for a reproducible run. The banner prints the one in use.
    seed: int = attrs.field(factory=lambda: secrets.randbits(63))
    #: Credits each user starts with.
    credits_per_user: float = attrs.field(default=1000.0, validator=_check_non_negative)
    #: Credits one persona creation reserves (the response's `usage.credits_reserved`).
    credits_per_creation: float = attrs.field(default=1.0, validator=_check_non_negative)
    #: Requests one API key may make per rate-limit window (both operations count).
    rate_limit: int = attrs.field(default=600, validator=_check_non_negative)
    #: Length of the rate-limit window in seconds.
    rate_window: float = attrs.field(default=60.0, validator=_check_non_negative)
    #: Seconds a finished persona task stays readable after it ended.
    retention_seconds: float = attrs.field(default=3600.0, validator=_check_non_negative)
    #: Most persona tasks kept at once; the oldest are forgotten first.
    retention_max_tasks: int = attrs.field(default=10_000, validator=_check_non_negative)
    #: Probability that a public request gets a fault (seeded); 0 turns seeded faults off.
    fault_rate: float = attrs.field(default=0.0, validator=_check_share)
    #: Faults drawn when `fault_rate` fires.
    fault_modes: tuple[str, ...] = attrs.field(default=FAULT_MODES, validator=_check_fault_modes)
    #: Seconds the `slow` fault waits before answering.
    slow_seconds: float = attrs.field(default=2.0, validator=_check_non_negative)
    #: Token the control API requires in `X-Mock-Admin-Token`.
    admin_token: str = DEFAULT_ADMIN_TOKEN
    #: Largest request body accepted, in bytes; larger ones get 400 without being read further.
    max_body_bytes: int = attrs.field(default=64 * 1024, validator=_check_non_negative)
    #: Largest request head (request line and headers), in bytes; larger ones get 431 and the
    #: connection is closed without reading the rest (served mocks only).
    max_header_bytes: int = attrs.field(default=64 * 1024, validator=_check_positive)
    #: Seconds a connection has to send a complete request head, from opening or from the
    #: first byte of its next request; then 408 and closed (served mocks only).
    header_timeout: float = attrs.field(default=10.0, validator=_check_positive)
    #: Seconds a request has to send its whole body once its head is in; then 408 and
    #: closed (served mocks only).
    body_timeout: float = attrs.field(default=10.0, validator=_check_positive)
    #: Seconds a keep-alive connection may sit idle between requests before it is closed
    #: (served mocks only).
    keep_alive_timeout: float = attrs.field(default=5.0, validator=_check_positive)
    #: Entries kept in the request log the control API serves.
    request_log_size: int = attrs.field(default=1000, validator=_check_non_negative)
    #: Seconds a music task takes from creation to its end.
    music_duration: float = attrs.field(default=30.0, validator=_check_non_negative)
    #: "strict" or "test" (see CALLBACK_MODES and evolink_mock.callbacks).
    callback_mode: str = attrs.field(
        default="strict", validator=attrs.validators.in_(CALLBACK_MODES)
    )
    #: Seconds one callback attempt may take (the vendor's 10).
    callback_timeout: float = attrs.field(default=10.0, validator=_check_non_negative)
    #: Seconds of mock time before each retry of a failed callback (the vendor says up to 3).
    callback_retry_delays: tuple[float, ...] = (1.0, 2.0, 4.0)
    #: Deliver callbacks to hosts other than loopback. Off by default: a mock in a test
    #: suite or a demo must not send task bodies to the URLs a test happened to write; an
    #: undelivered callback is listed with the reason.
    callback_remote: bool = False

    @classmethod
    def demo(cls) -> MockConfig:
        """A config for the CLI demo: a persona task finishes in about three seconds."""
        return cls(persona_duration=3.0, music_duration=3.0)
