"""`aiostore sandbox lazada` turns its flags into a running Lazada sandbox (uvicorn.run is captured)."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from aiostore.cli import sandbox as cli
from aiostore.sandbox.common import StandaloneFlags
from aiostore.sandbox.lazada import standalone


def flags(region: str = "MY") -> StandaloneFlags:
    return StandaloneFlags(
        "127.0.0.1", 8803, "100002", "SECRET", "300001", "TOKEN", region, 7, 3, None, 0.1, 2, 5
    )


def test_from_flags_builds_the_configured_sandbox() -> None:
    built = standalone.from_flags(flags())
    sandbox = built.app.state.sandbox  # type: ignore[attr-defined]
    seller = sandbox.seller("300001")
    assert (
        seller.country,
        seller.market.currency,
        sandbox.catalog.count("300001"),
        len(sandbox.orders.orders),
    ) == ("MY", "MYR", 7, 3)
    assert sandbox.app("100002").app_secret == "SECRET"
    assert sandbox.tokens.owner_of("TOKEN", "100002", sandbox.now()) == "300001"
    assert (sandbox.faults.config.error_rate, sandbox.faults.config.latency_ms) == (0.1, 2)
    assert (
        "Lazada sandbox" in built.banner
        and "/my/rest" in built.banner
        and (standalone.DEFAULT_PORT, standalone.NAME) == (8803, "Lazada Open Platform")
    )


@pytest.mark.parametrize("region", ["TH", "VN", "PH"])
def test_a_country_not_served_is_refused(region: str) -> None:
    with pytest.raises(ValueError, match="ID, MY, SG"):
        standalone.from_flags(flags(region))


def test_the_cli_command(monkeypatch: pytest.MonkeyPatch) -> None:
    served: dict[str, Any] = {}
    server = cli.uvicorn  # type: ignore[attr-defined]
    monkeypatch.setattr(server, "run", lambda app, **kw: served.update(app=app, **kw))
    args = [
        "lazada",
        "--port",
        "8813",
        "--app-key",
        "100002",
        "--shop-id",
        "300001",
        "--region",
        "sg",
        "--products",
        "2",
        "--orders",
        "1",
    ]
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 0, result.output
    assert "Lazada sandbox" in result.output and served["port"] == 8813 and served["date_header"] is False
    assert served["app"].state.sandbox.seller("300001").country == "SG"
