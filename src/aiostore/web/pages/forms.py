"""Server-side form validation: the API's own input models, their errors shown beside each field.

A page action builds the same Pydantic model its API endpoint takes and calls the same code; a
validation failure or an AppError's `errors[].field` becomes `{field: message}` for the template.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError, field_validator

from aiostore.errors import AppError, FieldError
from aiostore.web import i18n
from aiostore.web.i18n import N_
from aiostore.web.problems import field_of

M = TypeVar("M", bound=BaseModel)

# Messages by error code; a code not listed shows the server's (English) message.
MESSAGES = {
    "missing": N_("Fill this in."),
    "required": N_("Fill this in."),
    "string_too_short": N_("This is too short."),
    "string_too_long": N_("This is too long."),
    "value_error": N_("This value is not valid."),
    "uuid_parsing": N_("This value is not valid."),
    "enum": N_("Choose one of the options."),
    "conflict": N_("This is already taken."),
    "market_not_served": N_("This marketplace does not serve sellers in this country."),
}
FIELD_MESSAGES = {
    ("email", "value_error"): N_("Enter a valid email address."),
    ("password", "string_too_short"): N_("Use at least 10 characters."),
}


class FilterQuery(BaseModel):
    """A list page's filter form (GET): an empty field means "any"; free text and the cursor are short."""

    cursor: str | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("*")
    @classmethod
    def _short(cls, value: object) -> object:
        if isinstance(value, str) and len(value) > 500:
            raise ValueError("too long")
        return value


def message(error: FieldError) -> str:
    text = FIELD_MESSAGES.get((error.field, error.code)) or MESSAGES.get(error.code)
    return i18n._(text) if text else error.message


def field_errors(errors: list[FieldError]) -> dict[str, str]:
    found: dict[str, str] = {}
    for error in errors:
        found.setdefault(error.field.split(".")[0], message(error))
    return found


def parse(model: type[M], data: Mapping[str, Any]) -> tuple[M | None, dict[str, str]]:
    """The model, or None and the errors by field."""
    try:
        return model.model_validate(dict(data)), {}
    except ValidationError as exc:
        errors = [FieldError(field_of(e), str(e.get("type")), str(e.get("msg"))) for e in exc.errors()]
        return None, field_errors(errors)


def app_errors(exc: AppError) -> dict[str, str]:
    return field_errors(exc.errors)
