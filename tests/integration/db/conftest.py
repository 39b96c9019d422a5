"""A fresh empty database for the migration tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from aiostore.db.engine import DatabaseURLs


@pytest.fixture
async def fresh(urls: DatabaseURLs) -> AsyncIterator[DatabaseURLs]:
    name = f"aiostore_mig_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(urls.owner, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield DatabaseURLs(urls.owner.set(database=name), urls.app.set(database=name), embedded=False)
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()
