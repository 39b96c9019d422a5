"""Job queue adapter: procrastinate on the same PostgreSQL; tasks stay thin and call services."""
