"""Alert fixtures: settings that send e-mail to a real SMTP server in this process and allow webhook
endpoints on loopback (the receiver is a real HTTP server there), with grouping and retries immediate."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from fastapi import FastAPI

from aiostore.db.session import Database
from aiostore.settings import Settings
from aiostore.web.app import create_app
from tests.factories import Caller, signup
from tests.integration.alerts.support import Mailbox, Receiver, start_smtp


@pytest.fixture
def mailbox() -> Iterator[tuple[str, int, Mailbox]]:
    controller, box = start_smtp()
    try:
        yield controller.hostname, int(controller.port), box
    finally:
        controller.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    r.start()
    try:
        yield r
    finally:
        r.stop()


@pytest.fixture
def alert_settings(test_settings: Settings, mailbox: tuple[str, int, Mailbox]) -> Settings:
    host, port, _ = mailbox
    return test_settings.model_copy(
        update={
            "smtp_host": host,
            "smtp_port": port,
            "smtp_starttls": False,
            "smtp_from": "AIOStore <alerts@example.com>",
            "alert_group_seconds": 0,
            "alert_retry_base_seconds": 0.01,
            "alert_max_attempts": 3,
            "alert_webhook_allow_private": True,
        }
    )


@pytest.fixture
def alert_app(alert_settings: Settings, db: Database) -> FastAPI:
    return create_app(alert_settings, db)


@pytest.fixture
async def seller(alert_app: FastAPI) -> AsyncIterator[Caller]:
    caller = await signup(alert_app, email="seller@example.com", org="Toko Alert")
    yield caller
    await caller.client.aclose()
