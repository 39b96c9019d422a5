"""Platform reference data cached per platform and market: `cache` stores and reads it, `refresh` is the
sync job that fills it through one connected shop's connector."""
