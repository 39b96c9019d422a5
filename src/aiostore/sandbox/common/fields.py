"""Reading a JSON request body field by field, as every sandbox does (DESIGN.md "Marketplace sandboxes"):
a missing field, a wrong type or a list of the wrong length is refused with the field's full name
(`item_list[2].model_id` for nested ones) in the platform's own words and error (`fail`, `verb`,
`bad_length`); what a platform's fields mean stays in its `params`."""

from __future__ import annotations

from typing import Any, Self


class JsonFields:
    verb = "should be"  # how the platform's messages say it: "price should be a number"

    def __init__(self, data: dict[str, Any], prefix: str = "") -> None:
        self.data = data
        self.prefix = prefix

    def fail(self, detail: str) -> Exception:
        """The platform's "invalid parameter" error with `detail`."""
        raise NotImplementedError

    def nested(self, data: dict[str, Any], prefix: str) -> Self:
        return type(self)(data, prefix)

    def bad_length(self, name: str, low: int, high: int | None) -> str:
        span = f"between {low} and {high}" if high is not None else f"at least {low}"
        return f"the length of {name} {self.verb} {span}"

    def name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def given(self, key: str, required: bool, *, blank_is_missing: bool = False) -> Any:
        """The field's value; None when absent (refused when `required`)."""
        value = self.data.get(key)
        if value is None or (blank_is_missing and value == ""):
            if required:
                raise self.fail(f"{self.name(key)} is required")
            return None
        return value

    def text(self, key: str, *, required: bool = True) -> str | None:
        value = self.given(key, required, blank_is_missing=True)
        if value is not None and not isinstance(value, str):
            raise self.fail(f"{self.name(key)} {self.verb} a string")
        return value

    def required_text(self, key: str) -> str:
        value = self.text(key)
        assert value is not None  # noqa: S101 - required
        return value

    def objects(
        self, key: str, *, required: bool = True, low: int = 1, high: int | None = None
    ) -> list[Self]:
        value = self.given(key, required)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(f"{self.name(key)} {self.verb} a list of objects")
        if len(value) < low or (high is not None and len(value) > high):
            raise self.fail(self.bad_length(self.name(key), low, high))
        return [self.nested(v, f"{self.name(key)}[{i}].") for i, v in enumerate(value)]

    def object(self, key: str, *, required: bool = True) -> Self | None:
        value = self.given(key, required)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.fail(f"{self.name(key)} {self.verb} an object")
        return self.nested(value, f"{self.name(key)}.")
