"""Reading request parameters the way Lazada takes them (lazada-tokopedia.md §A2, §A4): one flat set of
string parameters from the query and, for a POST, the form fields (or, leniently, a JSON object). Lists
are JSON arrays in a string (``order_ids=[1,2]``); dates are ISO 8601 with an offset; the ``payload`` of
the product writes is XML (or JSON of the same shape) and is read by ``payload``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from xml.etree import ElementTree

from aiostore.sandbox.lazada import errors
from aiostore.sandbox.lazada.errors import LazadaError

_UNENCODED_PLUS = re.compile(r" (\d\d:?\d\d)$")


class Params:
    def __init__(self, values: Mapping[str, str]) -> None:
        self.values = dict(values)

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise errors.missing(name)
            return None
        return value

    def required(self, name: str) -> str:
        value = self.text(name, required=True)
        assert value is not None  # noqa: S101 - required
        return value

    def integer(
        self,
        name: str,
        default: int,
        *,
        low: int = 0,
        high: int | None = None,
        error: LazadaError | None = None,
    ) -> int:
        text = self.text(name)
        if text is None:
            return default
        try:
            value = int(text)
        except ValueError:
            raise error or errors.invalid(name, "not an integer") from None
        if value < low or (high is not None and value > high):
            raise error or errors.invalid(name, f"out of range {low}..{high}")
        return value

    def id_list(self, name: str, *, limit: int, too_many: LazadaError, bad: LazadaError) -> list[int]:
        """A JSON array of numeric ids (``[1,2]``; quoted numbers are taken too)."""
        try:
            values = json.loads(self.required(name))
        except ValueError:
            raise bad from None
        if not isinstance(values, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) or (isinstance(v, str) and v.isdigit())
            for v in values
        ):
            raise bad
        if len(values) > limit:
            raise too_many
        return [int(v) for v in values]

    def json_object(self, name: str) -> dict[str, Any]:
        try:
            value = json.loads(self.required(name))
        except ValueError:
            raise errors.invalid(name, "not JSON") from None
        if not isinstance(value, dict):
            raise errors.invalid(name, "not a JSON object")
        return value

    def date(self, name: str, bad: LazadaError) -> int | None:
        """An ISO 8601 date with an offset, in epoch seconds."""
        text = self.text(name)
        if text is None:
            return None
        text = _UNENCODED_PLUS.sub(r"+\1", text.strip())  # a "+" sent unencoded arrives as a space
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            raise bad from None
        if when.tzinfo is None:
            raise bad
        return int(when.timestamp())


# -- payloads -------------------------------------------------------------------------------------


def _element(node: ElementTree.Element) -> Any:
    children = list(node)
    if not children:
        return (node.text or "").strip()
    value: dict[str, Any] = {}
    for child in children:
        item = _element(child)
        if child.tag in value:
            existing = value[child.tag]
            value[child.tag] = [*existing, item] if isinstance(existing, list) else [existing, item]
        else:
            value[child.tag] = item
    return value


def payload(text: str) -> dict[str, Any]:
    """``payload``: XML ``<Request><Product>…`` or JSON ``{"Request": {"Product": …}}``, as one tree."""
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            tree = json.loads(stripped)
        except ValueError:
            raise errors.business("1001", "The parameters are not in JSON format") from None
        if not isinstance(tree, dict):
            raise errors.business("1001", "The parameters are not in JSON format")
        return tree
    if "<!DOCTYPE" in stripped.upper() or "<!ENTITY" in stripped.upper():
        raise errors.business("5", "E005: Invalid Request Format")  # no entities: nothing to expand
    try:
        root = ElementTree.fromstring(stripped)  # noqa: S314 - DTDs and entities refused above
    except ElementTree.ParseError:
        raise errors.business("5", "E005: Invalid Request Format") from None
    return {root.tag: _element(root)}


def as_list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def product_of(tree: Mapping[str, Any]) -> dict[str, Any]:
    request = tree.get("Request")
    product = request.get("Product") if isinstance(request, dict) else None
    if not isinstance(product, dict):
        raise errors.business("5", "E005: Invalid Request Format")
    return product


def skus_of(product: Mapping[str, Any]) -> list[dict[str, Any]]:
    skus = product.get("Skus")
    entries = as_list(skus.get("Sku")) if isinstance(skus, dict) else []
    if not all(isinstance(s, dict) for s in entries):
        raise errors.business("5", "E005: Invalid Request Format")
    return entries
