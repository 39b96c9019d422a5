"""Publishing fixtures: the sync engine's market of four sandboxes (tests/integration/sync)."""

from tests.integration.sync.conftest import make_market

__all__ = ["make_market"]
