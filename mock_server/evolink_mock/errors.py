"""The one shape every refusal takes: `{"error": {code, message, type, param?}}`.

Handlers raise `ApiError`; the app turns it into a response in one place. The named
constructors hold the codes, types and default wording of the merged spec's examples,
so a status code never travels without its documented body.
"""

from __future__ import annotations

import json

__all__ = [
    "ApiError",
    "ConnectionDropped",
    "error_body",
    "insufficient_quota",
    "internal_error",
    "invalid_request",
    "invalid_task_id",
    "permission_denied",
    "rate_limited",
    "task_not_found",
    "unauthorized",
]


class ApiError(Exception):
    """A refusal with its HTTP status and documented error body."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        error_type: str,
        *,
        param: str | None = None,
        headers: tuple[tuple[bytes, bytes], ...] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.error_type = error_type
        self.param = param
        self.headers = headers

    def body(self) -> bytes:
        return error_body(self.code, self.message, self.error_type, self.param)


class ConnectionDropped(Exception):  # noqa: N818 - it names an event, not a failure of ours
    """Raised by the app after the response started, so the server closes the socket."""


def error_body(code: str, message: str, error_type: str, param: str | None = None) -> bytes:
    error: dict[str, str] = {"code": code, "message": message, "type": error_type}
    if param is not None:
        error["param"] = param
    return json.dumps({"error": error}, ensure_ascii=False).encode()


def invalid_request(message: str, param: str | None = None) -> ApiError:
    """400: the only documented client error of persona creation."""
    return ApiError(400, "invalid_request", message, "invalid_request_error", param=param)


def invalid_task_id(message: str) -> ApiError:
    return ApiError(400, "invalid_task_id", message, "invalid_request_error", param="task_id")


def unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, "authentication_error")


def insufficient_quota(message: str) -> ApiError:
    return ApiError(402, "insufficient_quota", message, "insufficient_quota")


def permission_denied() -> ApiError:
    return ApiError(
        403,
        "permission_denied",
        "You don't have permission to access this task",
        "invalid_request_error",
        param="task_id",
    )


def task_not_found() -> ApiError:
    return ApiError(
        404,
        "task_not_found",
        "The requested task could not be found",
        "invalid_request_error",
        param="task_id",
    )


def rate_limited(retry_after: int, *, task_detail: bool) -> ApiError:
    """429 with `Retry-After`; the two operations document different wording."""
    headers = ((b"retry-after", str(retry_after).encode()),)
    if task_detail:
        return ApiError(
            429, "rate_limit_exceeded", "Rate limit exceeded", "evo_api_error", headers=headers
        )
    return ApiError(
        429,
        "rate_limit_exceeded",
        "Too many requests, please try again later",
        "rate_limit_error",
        headers=headers,
    )


def internal_error(*, task_detail: bool) -> ApiError:
    message = "Failed to retrieve task status" if task_detail else "Internal server error"
    return ApiError(500, "internal_error", message, "api_error")
