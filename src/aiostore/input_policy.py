"""The input policy: what any untrusted text or JSON must satisfy before anything else reads it.

One place, used by the request middleware (every query parameter, the path and every JSON body), by the
webhook intake (after the signature is verified) and by the OAuth `state` and pagination cursors:

- text holds no NUL character (PostgreSQL cannot store one) and no lone surrogate (not UTF-8);
- JSON nests at most `MAX_DEPTH` levels, and a number literal is at most `MAX_NUMBER_CHARS` characters
  and finite: `1e999`, `NaN` or a 5000-digit integer never becomes a Python number.

A refusal names the offending field by its dotted path, as every 422 does.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from aiostore.domain.money import MoneyError, parse_decimal
from aiostore.errors import FieldError, ValidationFailed

MAX_DEPTH = 32
MAX_NUMBER_CHARS = 40
# Dates and instants a seller can mean; anything outside is refused before it reaches the database
# (PostgreSQL and Python disagree about year 1 and year 9999 once a time zone is applied).
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


@dataclass(frozen=True, slots=True)
class _Refused:
    code: str
    message: str


def text_problem(value: str) -> _Refused | None:
    """Why `value` cannot be accepted as text, or None."""
    if "\x00" in value:
        return _Refused("nul_character", "text may not contain a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _Refused("invalid_unicode", "text may not contain a lone surrogate")
    return None


def _number(literal: str, parse: type[int] | type[float]) -> int | float | _Refused:
    if len(literal) > MAX_NUMBER_CHARS:
        return _Refused("number_out_of_range", f"a number may have at most {MAX_NUMBER_CHARS} characters")
    value = parse(literal)
    if isinstance(value, float) and not math.isfinite(value):
        return _Refused("number_out_of_range", "the number is too large")
    return value


def _int(literal: str) -> int | _Refused:
    result = _number(literal, int)
    assert not isinstance(result, float)  # noqa: S101
    return result


def _float(literal: str) -> float | _Refused:
    return _number(literal, float)


def _constant(literal: str) -> _Refused:
    return _Refused("number_out_of_range", f"{literal} is not a number JSON allows")


class UnsafeJSON(ValueError):
    """Parsed JSON that breaks the policy; `errors` name the fields."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors

    def as_validation_failed(self) -> ValidationFailed:
        names = ", ".join(sorted({e.field for e in self.errors}))
        return ValidationFailed(f"invalid fields: {names}", errors=self.errors)


def loads(raw: bytes | str, *, root: str = "body") -> Any:
    """Parse untrusted JSON under the policy.

    Raises `json.JSONDecodeError` (a ValueError) for malformed JSON and `UnsafeJSON` for JSON that is
    well formed but refused; fields are named relative to `root`.
    """
    try:
        data = json.loads(raw, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except RecursionError:
        raise UnsafeJSON(
            [FieldError(root, "too_deep", f"JSON may nest at most {MAX_DEPTH} levels")]
        ) from None
    errors = _walk(data, root)
    if errors:
        raise UnsafeJSON(errors)
    return data


def _walk(data: Any, root: str) -> list[FieldError]:
    errors: list[FieldError] = []
    stack: list[tuple[Any, tuple[str, ...]]] = [(data, ())]
    while stack and len(errors) < 20:
        value, path = stack.pop()
        name = ".".join(path) or root
        if len(path) > MAX_DEPTH:
            errors.append(FieldError(name, "too_deep", f"JSON may nest at most {MAX_DEPTH} levels"))
        elif isinstance(value, _Refused):
            errors.append(FieldError(name, value.code, value.message))
        elif isinstance(value, str):
            refused = text_problem(value)
            if refused:
                errors.append(FieldError(name, refused.code, refused.message))
        elif isinstance(value, dict):
            for key, item in value.items():
                refused = text_problem(key)
                if refused:
                    errors.append(FieldError(".".join((*path, key[:50])), refused.code, refused.message))
                    continue
                stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, str(i))) for i, item in enumerate(value))
    return sorted(errors, key=lambda e: e.field)


def check_params(params: list[tuple[str, str]]) -> list[FieldError]:
    """Query parameters (already decoded): each name and value must be acceptable text."""
    errors: list[FieldError] = []
    for name, value in params:
        refused = text_problem(name) or text_problem(value)
        if refused:
            errors.append(FieldError(name.replace("\x00", "") or "query", refused.code, refused.message))
    return errors


# --- bounded dates, for query parameters and bodies ---------------------------------------------------


def _check_day(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise PydanticCustomError("out_of_range", f"the date must be between {EARLIEST} and {LATEST}")
    return value


def check_instant(value: datetime) -> datetime:
    if not EARLIEST <= value.date() <= LATEST:  # its own offset: no conversion that could overflow
        raise PydanticCustomError("out_of_range", f"the time must be between {EARLIEST} and {LATEST}")
    return value


Day = Annotated[date, AfterValidator(_check_day)]
Instant = Annotated[datetime, AfterValidator(check_instant)]


# --- bounded amounts: every money value and decimal quantity that enters through the API -------------


def _amount(value: Any) -> Decimal:
    if isinstance(value, float) and math.isfinite(value):
        value = repr(value)  # a JSON number, e.g. 12.5: read as the text it was written as
    try:
        return parse_decimal(value)
    except MoneyError as exc:
        raise PydanticCustomError(exc.code, str(exc)) from None


Amount = Annotated[Decimal, BeforeValidator(_amount)]
