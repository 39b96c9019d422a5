"""`aiostore sandbox shopee` turns its flags into a running Shopee sandbox (uvicorn.run is captured)."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from aiostore.cli import sandbox as cli


def test_shopee_command_builds_the_configured_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    served: dict[str, Any] = {}
    monkeypatch.setattr(cli.uvicorn, "run", lambda app, **kw: served.update(app=app, **kw))
    args = [
        "shopee", "--port", "8802", "--host", "127.0.0.1", "--app-key", "100002", "--app-secret", "KEY",
        "--shop-id", "200002", "--access-token", "TOKEN", "--region", "sg", "--products", "7",
        "--orders", "3", "--push-url", "http://127.0.0.1:9/push", "--fault-rate", "0.1",
        "--latency-ms", "2", "--seed", "5",
    ]  # fmt: skip
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 0, result.output
    assert "Shopee sandbox" in result.output and "access_token=TOKEN" in result.output
    assert (served["host"], served["port"]) == ("127.0.0.1", 8802)
    sandbox = served["app"].state.sandbox
    shop = sandbox.shop(200002)
    assert (shop.region, shop.market.currency, sandbox.catalog.count(200002), len(sandbox.orders.orders)) == (
        "SG",
        "SGD",
        7,
        3,
    )
    assert (
        sandbox.partner(100002).partner_key == "KEY"
        and sandbox.partner(100002).push_url == "http://127.0.0.1:9/push"
    )
    assert sandbox.tokens.access_valid("TOKEN", 100002, 200002, sandbox.now())
    faults = sandbox.faults.config
    assert (faults.error_rate, faults.latency_ms, faults.seed) == (0.1, 2, 5)


def test_unknown_region_is_refused() -> None:
    result = CliRunner().invoke(cli.app, ["shopee", "--region", "TH"])
    assert result.exit_code == 2
