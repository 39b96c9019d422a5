"""Every client-visible failure is an AppError; web/problems.py renders it as problem+json."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


class AppError(Exception):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    title: ClassVar[str] = "Internal server error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: list[FieldError] | None = None,
        headers: dict[str, str] | None = None,
        keep_changes: bool = False,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors or []
        self.headers = headers or {}
        # True when the request's changes so far are facts to keep although the request fails
        # (e.g. a channel marked "needs_reauth" because the platform refused its refresh token).
        self.keep_changes = keep_changes

    @classmethod
    def openapi(cls) -> dict[int | str, dict[str, Any]]:
        return {cls.status: {"description": cls.title, "content": {"application/problem+json": {}}}}


class BadRequest(AppError):
    status = 400
    code = "bad_request"
    title = "Bad request"


class MalformedJSON(BadRequest):
    code = "malformed_json"
    title = "Malformed JSON body"


class NotAuthenticated(AppError):
    status = 401
    code = "not_authenticated"
    title = "Authentication required"


class InvalidCredentials(NotAuthenticated):
    code = "invalid_credentials"
    title = "Invalid email or password"


class Forbidden(AppError):
    status = 403
    code = "forbidden"
    title = "Not allowed for your role"


class CSRFFailed(Forbidden):
    code = "csrf_failed"
    title = "Missing or wrong CSRF token"


class NotFound(AppError):
    status = 404
    code = "not_found"
    title = "Not found"


class Conflict(AppError):
    status = 409
    code = "conflict"
    title = "Conflict"


class IdempotencyInProgress(Conflict):
    code = "idempotency_key_in_use"
    title = "A request with this Idempotency-Key is still being processed"


class IdempotencyResponseLost(Conflict):
    code = "idempotency_response_unavailable"
    title = "The request with this Idempotency-Key was processed; its response can no longer be shown"


class PayloadTooLarge(AppError):
    status = 413
    code = "payload_too_large"
    title = "Request body too large"


class ValidationFailed(AppError):
    status = 422
    code = "validation_failed"
    title = "Invalid request"


class IdempotencyKeyReused(ValidationFailed):
    code = "idempotency_key_reused"
    title = "This Idempotency-Key was used with a different request"


class TooManyRequests(AppError):
    status = 429
    code = "too_many_requests"
    title = "Too many requests"


class ServiceUnavailable(AppError):
    status = 503
    code = "service_unavailable"
    title = "Service unavailable"


def invalid(field_path: str, message: str, code: str = "invalid") -> ValidationFailed:
    """A 422 naming one field."""
    return ValidationFailed(message, errors=[FieldError(field_path, code, message)])
