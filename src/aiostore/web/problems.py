"""One error shape everywhere: RFC 9457 application/problem+json.

{type, title, status, detail, code, errors: [{field, code, message}], request_id}
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from aiostore.errors import AppError, FieldError, MalformedJSON, ValidationFailed
from aiostore.services.idempotency import StoredResponse

log = structlog.get_logger(__name__)
PROBLEM_JSON = "application/problem+json"
_LOCATIONS = {"body", "query", "path", "header", "cookie"}


class Replay(Exception):  # noqa: N818  (control flow, not an error)
    """Raised by the idempotency dependency to answer with a stored response."""

    def __init__(self, stored: StoredResponse) -> None:
        self.stored = stored


_TEXT = {"type": "string"}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code", "errors", "request_id"],
    "properties": {
        "type": _TEXT,
        "title": _TEXT,
        "status": {"type": "integer"},
        "detail": _TEXT,
        "code": _TEXT,
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "code", "message"],
                "properties": {"field": _TEXT, "code": _TEXT, "message": _TEXT},
            },
        },
        "request_id": {"anyOf": [_TEXT, {"type": "null"}]},
    },
}
# What any operation may answer besides its success: the input policy and authentication apply to all.
PROBLEM_STATUSES = {
    400: "Malformed request",
    401: "Not authenticated",
    403: "Not allowed (role or CSRF)",
    404: "Not found",
    409: "Conflict",
    413: "Request body too large",
    422: "Invalid input; `errors` names each field",
    429: "Too many requests",
}


def declare_problems(app: FastAPI) -> None:
    """Declare the problem+json answers on every operation, so the OpenAPI document tells the truth
    (FastAPI's default 422, a different JSON shape, is replaced)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = generate()
            doc.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
            content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
            for operations in doc.get("paths", {}).values():
                for operation in operations.values():
                    responses = operation.setdefault("responses", {})
                    for status, description in PROBLEM_STATUSES.items():
                        if status == 422 or str(status) not in responses:
                            responses[str(status)] = {"description": description, "content": content}
            for unused in ("HTTPValidationError", "ValidationError"):
                doc["components"]["schemas"].pop(unused, None)
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def problem_body(
    *, status: int, code: str, title: str, detail: str, errors: list[FieldError], request_id: str | None
) -> dict[str, Any]:
    return {
        "type": f"urn:aiostore:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "errors": [e.as_dict() for e in errors],
        "request_id": request_id,
    }


def request_id_of(request: Request) -> str | None:
    value = request.scope.get("aiostore.request_id")
    return value if isinstance(value, str) else None


def render(request: Request, exc: AppError) -> JSONResponse:
    body = problem_body(
        status=exc.status,
        code=exc.code,
        title=exc.title,
        detail=exc.detail,
        errors=exc.errors,
        request_id=request_id_of(request),
    )
    return JSONResponse(body, status_code=exc.status, media_type=PROBLEM_JSON, headers=exc.headers or None)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p != "[key]"]
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    return ".".join(parts) or "body"


def _code(error_type: str) -> str:
    return {"extra_forbidden": "unknown_field", "missing": "required"}.get(error_type, error_type)


def _message(err: dict[str, Any]) -> str:
    if err.get("type") == "extra_forbidden":
        return "unknown field"
    return str(err.get("msg", "invalid value"))


def validation_problem(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return render(request, MalformedJSON("the request body is not valid JSON"))
    field_errors = [FieldError(field_of(e), _code(str(e.get("type"))), _message(e)) for e in errors]
    names = ", ".join(sorted({f.field for f in field_errors}))
    return render(request, ValidationFailed(f"invalid fields: {names}", errors=field_errors))


def http_problem(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """Starlette's own errors (unknown path, wrong method) in our shape."""
    code = {404: "not_found", 405: "method_not_allowed", 401: "not_authenticated"}.get(
        exc.status_code, "http_error"
    )
    body = problem_body(
        status=exc.status_code,
        code=code,
        title=str(exc.detail),
        detail=str(exc.detail),
        errors=[],
        request_id=request_id_of(request),
    )
    return JSONResponse(
        body, status_code=exc.status_code, media_type=PROBLEM_JSON, headers=getattr(exc, "headers", None)
    )


def field_of(error: Any) -> str:
    """The dotted field a FastAPI validation error names (`variants.0.sku`)."""
    return _field(tuple(error.get("loc", ())))


def install(app: FastAPI) -> None:
    async def app_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, AppError)  # noqa: S101
        return render(request, exc)

    async def invalid_request(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)  # noqa: S101
        return validation_problem(request, exc)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)  # noqa: S101
        return http_problem(request, exc)

    async def replay(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Replay)  # noqa: S101
        headers = dict(exc.stored.headers)
        headers["Idempotent-Replayed"] = "true"
        media_type = headers.pop("content-type", None)
        return Response(
            exc.stored.body, status_code=exc.stored.status, headers=headers, media_type=media_type
        )

    app.add_exception_handler(AppError, app_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Replay, replay)
