"""One HTTP layer for every connector: signed client, retry, per-shop rate limit, per-platform breaker."""
