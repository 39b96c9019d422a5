"""AIOStore: one catalog, one stock pool, all orders across SEA marketplaces."""

__version__ = "0.1.0"
