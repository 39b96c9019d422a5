"""What a pull may fetch from a shop (the API's `kinds`, the CLI's `--kind`)."""

from __future__ import annotations

from enum import StrEnum


class PullKind(StrEnum):
    PRODUCTS = "products"  # items and models, kept as listings matched to master SKUs
    ORDERS = "orders"
