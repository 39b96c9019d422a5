"""The sync engine: jobs people can see (sync_jobs) run on procrastinate; pull, push, webhooks."""
