"""Reading request parameters the way Shopee takes them (shopee-tiktokshop.md §A1): GET parameters in the
query (arrays repeat the key; id lists are comma-joined), POST parameters in a JSON body. A missing or bad
parameter is `error_param` "Wrong parameters, detail: …" (§A6).
"""

from __future__ import annotations

from decimal import Decimal

from starlette.datastructures import QueryParams

from aiostore.sandbox.common.fields import JsonFields
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


class Body(JsonFields):
    def fail(self, detail: str) -> Exception:
        return errors.param(detail)

    def integer(self, key: str, *, required: bool = True, low: int | None = None) -> int | None:
        value = self.given(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise errors.param(f"{self.name(key)} should be an integer")
        return _bounded(value, self.name(key), low, None)

    def required_int(self, key: str, *, low: int | None = None) -> int:
        value = self.integer(key, low=low)
        assert value is not None  # noqa: S101
        return value

    def number(self, key: str, *, required: bool = True) -> int | Decimal | None:
        value = self.given(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise errors.param(f"{self.name(key)} should be a number")
        return value
