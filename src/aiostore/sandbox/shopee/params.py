"""Reading request parameters the way Shopee takes them (shopee-tiktokshop.md §A1): GET parameters in the
query (arrays repeat the key; id lists are comma-joined), POST parameters in a JSON body. A missing or bad
parameter is `error_param` "Wrong parameters, detail: …" (§A6).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.datastructures import QueryParams

from aiostore.sandbox.shopee import errors


def _int(text: str, name: str) -> int:
    try:
        return int(text, 10)
    except ValueError:
        raise errors.param(f"{name} should be an integer") from None


def _bounded(value: int, name: str, low: int | None, high: int | None) -> int:
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"between {low} and {high}" if low is not None and high is not None else f">= {low}"
        raise errors.param(f"{name} should be {bounds}")
    return value


class Query:
    def __init__(self, params: QueryParams) -> None:
        self.params = params

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.params.get(name)
        if value is None or value == "":
            if required:
                raise errors.param(f"{name} is required")
            return None
        return value

    def integer(
        self, name: str, *, required: bool = False, low: int | None = None, high: int | None = None
    ) -> int | None:
        text = self.text(name, required=required)
        return None if text is None else _bounded(_int(text, name), name, low, high)

    def required_int(self, name: str, *, low: int | None = None, high: int | None = None) -> int:
        value = self.integer(name, required=True, low=low, high=high)
        assert value is not None  # noqa: S101 - required
        return value

    def repeated(self, name: str, *, required: bool = False) -> list[str]:
        values = [v for v in self.params.getlist(name) if v != ""]
        if required and not values:
            raise errors.param(f"{name} is required")
        return values

    def csv(self, name: str, *, limit: int) -> list[str]:
        text = self.text(name, required=True)
        assert text is not None  # noqa: S101
        values = [v.strip() for v in text.split(",") if v.strip()]
        if not 1 <= len(values) <= limit:
            raise errors.param(f"the length of {name} should be between 1 and {limit}")
        return values

    def csv_ints(self, name: str, *, limit: int) -> list[int]:
        return [_int(v, name) for v in self.csv(name, limit=limit)]


class Body:
    def __init__(self, data: dict[str, Any], prefix: str = "") -> None:
        self.data = data
        self.prefix = prefix

    def name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def integer(self, key: str, *, required: bool = True, low: int | None = None) -> int | None:
        value = self.data.get(key)
        if value is None:
            if required:
                raise errors.param(f"{self.name(key)} is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise errors.param(f"{self.name(key)} should be an integer")
        return _bounded(value, self.name(key), low, None)

    def required_int(self, key: str, *, low: int | None = None) -> int:
        value = self.integer(key, low=low)
        assert value is not None  # noqa: S101
        return value

    def text(self, key: str, *, required: bool = True) -> str | None:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                raise errors.param(f"{self.name(key)} is required")
            return None
        if not isinstance(value, str):
            raise errors.param(f"{self.name(key)} should be a string")
        return value

    def required_text(self, key: str) -> str:
        value = self.text(key)
        assert value is not None  # noqa: S101
        return value

    def number(self, key: str, *, required: bool = True) -> int | Decimal | None:
        value = self.data.get(key)
        if value is None:
            if required:
                raise errors.param(f"{self.name(key)} is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise errors.param(f"{self.name(key)} should be a number")
        return value

    def objects(
        self, key: str, *, required: bool = True, low: int = 1, high: int | None = None
    ) -> list[Body]:
        value = self.data.get(key)
        if value is None:
            if required:
                raise errors.param(f"{self.name(key)} is required")
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise errors.param(f"{self.name(key)} should be a list of objects")
        if len(value) < low or (high is not None and len(value) > high):
            span = f"between {low} and {high}" if high is not None else f"at least {low}"
            raise errors.param(f"the length of {self.name(key)} should be {span}")
        return [Body(v, f"{self.name(key)}[{i}].") for i, v in enumerate(value)]

    def object(self, key: str, *, required: bool = True) -> Body | None:
        value = self.data.get(key)
        if value is None:
            if required:
                raise errors.param(f"{self.name(key)} is required")
            return None
        if not isinstance(value, dict):
            raise errors.param(f"{self.name(key)} should be an object")
        return Body(value, f"{self.name(key)}.")
