"""Platform reference data, cached per platform and market (not per tenant): the category tree, each
category's attributes and brands. Global tables like `channel_routes`: the rows hold only what the
platform publishes to every seller of that market, never which shop or organization fetched them.

Each kind has its own expiry (`expires_at`, from the TTL settings): a category row's for the tree,
`attributes_expire_at` and `brands_expire_at` for its details (NULL: never fetched). Invalidating (a
Lazada tree-change push) sets them to the past; a refresh job rewrites them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from aiostore.db.base import Base


class PlatformCategory(Base):
    __tablename__ = "platform_categories"
    __table_args__ = (
        Index("ix_platform_categories_platform_market_parent_id", "platform", "market", "parent_id"),
    )
    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    market: Mapped[str] = mapped_column(String(2), primary_key=True)
    category_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    parent_id: Mapped[str | None] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(Text, default="")
    name_id: Mapped[str] = mapped_column(Text, default="")
    leaf: Mapped[bool]
    fetched_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    brand_required: Mapped[bool | None]
    attributes_expire_at: Mapped[datetime | None]
    brands_expire_at: Mapped[datetime | None]
    # What the platform serves for the category (domain.rules.CategoryLimits as JSON); None: none served
    limits: Mapped[dict[str, Any] | None]


class PlatformAttribute(Base):
    __tablename__ = "platform_attributes"
    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    market: Mapped[str] = mapped_column(String(2), primary_key=True)
    category_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    attribute_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int]
    key: Mapped[str] = mapped_column(String(100), default="")
    name_en: Mapped[str] = mapped_column(Text, default="")
    name_id: Mapped[str] = mapped_column(Text, default="")
    mandatory: Mapped[bool | None]
    input_type: Mapped[str] = mapped_column(String(20))
    options: Mapped[list[Any]] = mapped_column(default=list)  # [{value_id, names}]
    units: Mapped[list[Any]] = mapped_column(default=list)
    fetched_at: Mapped[datetime]


class PlatformBrand(Base):
    __tablename__ = "platform_brands"
    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    market: Mapped[str] = mapped_column(String(2), primary_key=True)
    category_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    brand_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    fetched_at: Mapped[datetime]
