"""What the sync engine needs at run time: the database, the connectors, the settings."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aiostore.connectors.base import PlanningConnector
from aiostore.connectors.recording import DryRunRecord
from aiostore.db.models import ChannelAccount
from aiostore.db.session import Database
from aiostore.domain.platforms import Platform
from aiostore.errors import Conflict, NotFound
from aiostore.services import channels
from aiostore.services.token_health import own_transaction_coordinator
from aiostore.settings import Settings

if TYPE_CHECKING:
    from aiostore.db.group_commit import GroupCommit
    from aiostore.services.webhook_intake import Arrival, Stored


@dataclass
class SyncContext:
    db: Database
    connectors: channels.Connectors
    # The group commit of this process's webhook intake (services/webhook_intake.py), made on first use.
    intake: GroupCommit[Arrival, Stored] | None = field(default=None, compare=False, repr=False)
    _app_connectors: dict[str, PlanningConnector] = field(default_factory=dict, compare=False, repr=False)

    @property
    def settings(self) -> Settings:
        return self.connectors.settings

    @property
    def dry_run(self) -> bool:
        return self.settings.write_mode.value != "live"

    def app_connector(self, platform: Platform) -> PlanningConnector:
        """The installation's app-level connector for `platform` (no shop: verifying and reading pushes),
        built once per context instead of once per push."""
        found = self._app_connectors.get(platform.value)
        if found is None:
            found = self._app_connectors[platform.value] = self.connectors.for_app(platform)
        return found

    @asynccontextmanager
    async def tx(self, org_id: uuid.UUID) -> AsyncIterator[AsyncSession]:
        async with self.db.transaction(org_id) as session:
            yield session


@dataclass
class ShopConnection:
    """A connector for one channel, for work outside a request: tokens it refreshes are stored at once
    in a transaction of their own, under the shop's row lock; dry-run records are collected for the
    job's items."""

    connector: PlanningConnector
    channel: ChannelAccount
    records: list[DryRunRecord]


async def open_channel(
    sc: SyncContext, org_id: uuid.UUID, channel_id: uuid.UUID, session: AsyncSession | None = None
) -> ShopConnection:
    """A connector for the channel; reads the channel in `session` when given (one transaction less)."""
    if session is None:
        async with sc.tx(org_id) as own:
            channel = await _channel(own, channel_id)
    else:
        channel = await _channel(session, channel_id)
    records: list[DryRunRecord] = []

    async def on_record(record: DryRunRecord) -> None:
        records.append(record)

    # Refreshes are serialised per shop across processes and committed before the new tokens are used.
    coordinator = own_transaction_coordinator(sc.db, org_id, sc.connectors.cipher(), channel_id)
    connector = sc.connectors.build(channel, on_record=on_record, coordinator=coordinator)
    return ShopConnection(connector, channel, records)


async def _channel(session: AsyncSession, channel_id: uuid.UUID) -> ChannelAccount:
    channel = await session.scalar(select(ChannelAccount).where(ChannelAccount.id == channel_id))
    if channel is None:
        raise NotFound("channel not found")
    if channel.status == channels.DISCONNECTED:
        raise Conflict("the channel is disconnected")
    return channel
