"""Reading request parameters the way TikTok Shop takes them (shopee-tiktokshop.md §B4): paging and sorting
in the query (also for POST), filters and payloads in a JSON body, id lists comma-joined in the query. A
missing or bad parameter answers the module's "invalid parameter" code with the field named.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.datastructures import QueryParams

from aiostore.sandbox.common.fields import JsonFields
from aiostore.sandbox.tiktokshop import errors


class Query:
    def __init__(self, params: QueryParams, code: int) -> None:
        self.params = params
        self.code = code

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.params.get(name)
        if value is None or value == "":
            if required:
                raise errors.param(f"{name} is required", self.code)
            return None
        return value

    def integer(
        self, name: str, *, required: bool = False, low: int | None = None, high: int | None = None
    ) -> int | None:
        text = self.text(name, required=required)
        if text is None:
            return None
        if not (text.isascii() and text.lstrip("-").isdigit()):
            raise errors.param(f"{name} must be an integer", self.code)
        value = int(text)
        if (low is not None and value < low) or (high is not None and value > high):
            raise errors.param(f"{name} must be between {low} and {high}", self.code)
        return value

    def page_size(self, high: int) -> int:
        value = self.integer("page_size", required=True, low=1, high=high)
        assert value is not None  # noqa: S101 - required
        return value

    def choice(self, name: str, options: tuple[str, ...], default: str) -> str:
        value = self.text(name) or default
        if value not in options:
            raise errors.param(f"{name} must be one of {', '.join(options)}", self.code)
        return value

    def csv(self, name: str, *, limit: int) -> list[str]:
        text = self.text(name, required=True)
        assert text is not None  # noqa: S101
        values = [v.strip() for v in text.split(",") if v.strip()]
        if not 1 <= len(values) <= limit:
            raise errors.param(f"{name} must hold 1 to {limit} values", self.code)
        return values


class Body(JsonFields):
    verb = "must be"

    def __init__(self, data: dict[str, Any], code: int, prefix: str = "") -> None:
        super().__init__(data, prefix)
        self.code = code

    def nested(self, data: dict[str, Any], prefix: str) -> Body:
        return Body(data, self.code, prefix)

    def bad_length(self, name: str, low: int, high: int | None) -> str:
        return f"{name} must hold {low} to {high} entries"

    def fail(self, detail: str) -> errors.TikTokError:
        return errors.param(detail, self.code)

    def integer(
        self, key: str, *, required: bool = False, low: int | None = None, high: int | None = None
    ) -> int | None:
        value = self.given(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{self.name(key)} must be an integer")
        if (low is not None and value < low) or (high is not None and value > high):
            raise self.fail(f"{self.name(key)} must be between {low} and {high}")
        return value

    def strings(self, key: str, *, required: bool = False, high: int | None = None) -> list[str]:
        value = self.given(key, required)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(f"{self.name(key)} must be a list of strings")
        if (required and not value) or (high is not None and len(value) > high):
            raise self.fail(f"{self.name(key)} must hold 1 to {high} values")
        return value

    def decimal_text(self, key: str) -> str:
        """A decimal amount sent as a string, as TikTok's money fields are."""
        value = self.data.get(key)
        if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
            raise self.fail(f'{self.name(key)} must be a decimal string, e.g. "12.90"')
        return self.required_text(key)
