"""Alert test support: a real SMTP server and a real HTTP receiver on loopback, the shop data each rule
looks at, and the real job queue's worker run until the alert queue is empty."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import func, select, text

from aiostore.db.engine import DatabaseURLs
from aiostore.db.models import (
    ChannelAccount,
    ChannelRoute,
    Inventory,
    Listing,
    Order,
    OrderLine,
    Product,
    SyncJob,
    Variant,
)
from aiostore.db.session import Database
from aiostore.settings import Settings
from aiostore.worker import runtime
from aiostore.worker.app import configure


class Mailbox:
    """aiosmtpd's handler: every message received, parsed."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        content = envelope.original_content or b""
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(content)))
        return "250 OK"


def start_smtp() -> tuple[Controller, Mailbox]:
    mailbox = Mailbox()
    with socket.socket() as probe:  # a free port (aiosmtpd's start checks the one it was given)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, mailbox


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data


@dataclass
class Receiver:
    """A real HTTP server on loopback (stdlib, in a thread) recording each POST; it answers 500 to the
    first `fail_first` requests."""

    fail_first: int = 0
    received: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                receiver.received.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
                failing = len(receiver.received) <= receiver.fail_first
                self.send_response(500 if failing else 204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


async def run_alert_jobs(urls: DatabaseURLs, db: Database, settings: Settings, *, rounds: int = 1) -> None:
    """The real worker over the alert queue until no job is due; `rounds` more times for retries
    scheduled a moment later."""
    runtime.install(runtime.make(settings, db))
    queue = configure(urls)
    async with queue.open_async():
        for i in range(rounds):
            if i:
                await asyncio.sleep(0.05)
            await queue.run_worker_async(queues=["alerts"], wait=False, install_signal_handlers=False)


async def queued(db: Database, task: str) -> int:
    async with db.transaction() as session:
        count = await session.scalar(
            text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = :t AND status = 'todo'"),
            {"t": task},
        )
    return int(count or 0)


@dataclass
class Shop:
    org_id: uuid.UUID
    channel_id: uuid.UUID


async def make_shop(db: Database, org_id: uuid.UUID, name: str = "Toko Andalan", **values: Any) -> Shop:
    async with db.transaction(org_id) as s:
        shop = ChannelAccount(
            org_id=org_id,
            platform="shopee",
            market="ID",
            shop_id=uuid.uuid4().hex[:10],
            shop_name=name,
            status=values.pop("status", "connected"),
            **values,
        )
        s.add(shop)
        await s.flush()
        s.add(
            ChannelRoute(channel_account_id=shop.id, org_id=org_id, platform="shopee", shop_id=shop.shop_id)
        )
    return Shop(org_id, shop.id)


async def make_variant(db: Database, org_id: uuid.UUID, sku: str, on_hand: int) -> uuid.UUID:
    async with db.transaction(org_id) as s:
        product = Product(org_id=org_id, title=f"Produk {sku}")
        s.add(product)
        await s.flush()
        variant = Variant(org_id=org_id, product_id=product.id, sku=sku)
        s.add(variant)
        await s.flush()
        s.add(Inventory(org_id=org_id, variant_id=variant.id, on_hand=on_hand, reserved=0))
    return variant.id


async def make_order(
    db: Database,
    shop: Shop,
    *,
    placed_at: datetime,
    variant_id: uuid.UUID | None = None,
    quantity: int = 1,
    status: str = "completed",
    oversold: bool = False,
) -> uuid.UUID:
    async with db.transaction(shop.org_id) as s:
        order = Order(
            org_id=shop.org_id,
            channel_account_id=shop.channel_id,
            platform_order_id=f"SO-{uuid.uuid4().hex[:8].upper()}",
            market="ID",
            status=status,
            platform_status=status,
            currency="IDR",
            placed_at=placed_at,
            platform_updated_at=placed_at,
            oversold=oversold,
        )
        s.add(order)
        await s.flush()
        if variant_id is not None:
            s.add(
                OrderLine(
                    org_id=shop.org_id,
                    order_id=order.id,
                    variant_id=variant_id,
                    quantity=quantity,
                    currency="IDR",
                )
            )
    return order.id


async def make_job(db: Database, shop: Shop, status: str, finished_at: datetime | None = None) -> uuid.UUID:
    async with db.transaction(shop.org_id) as s:
        job = SyncJob(
            org_id=shop.org_id,
            kind="pull_orders",
            channel_account_id=shop.channel_id,
            status=status,
            attempts=5,
            finished_at=finished_at or datetime.now(UTC),
        )
        s.add(job)
    return job.id


async def make_listing(db: Database, shop: Shop, sku: str, **values: Any) -> uuid.UUID:
    async with db.transaction(shop.org_id) as s:
        listing = Listing(
            org_id=shop.org_id,
            channel_account_id=shop.channel_id,
            platform_item_id=uuid.uuid4().hex[:8],
            platform_sku=sku,
            **values,
        )
        s.add(listing)
    return listing.id


async def count_notifications(db: Database, org_id: uuid.UUID) -> int:
    from aiostore.db.models import Notification

    async with db.transaction(org_id) as s:
        return int(await s.scalar(select(func.count()).select_from(Notification)) or 0)


def days_ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)
