"""Engines and session factories for the application role (RLS applies) and the owner role."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from aiostore.db import tenancy
from aiostore.db.engine import DatabaseURLs, create_engine


@dataclass
class Database:
    urls: DatabaseURLs
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]

    @classmethod
    def connect(cls, urls: DatabaseURLs, *, pool_size: int = 10, pre_ping: bool = True) -> Database:
        engine = create_engine(urls.app, pool_size=pool_size, pre_ping=pre_ping)
        return cls(urls, engine, async_sessionmaker(engine, expire_on_commit=False))

    @asynccontextmanager
    async def transaction(
        self, org_id: uuid.UUID | None = None, user_id: uuid.UUID | None = None
    ) -> AsyncIterator[AsyncSession]:
        """A session in one transaction, scoped to an org; commits on success, rolls back on error."""
        async with self.sessionmaker() as session:
            tenancy.set_tenant(session.sync_session, org_id, user_id)
            async with session.begin():
                yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
