"""What tasks need at run time (the sync context), set once by whoever starts the worker."""

from __future__ import annotations

from dataclasses import dataclass

from aiostore.db.session import Database
from aiostore.http.pools import marketplace_client
from aiostore.http.shared import policy_for
from aiostore.services.channels import Connectors
from aiostore.services.sync.context import SyncContext
from aiostore.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    db: Database
    sync: SyncContext


_current: Runtime | None = None


def install(runtime: Runtime) -> None:
    global _current
    _current = runtime


def make(settings: Settings, db: Database, connectors: Connectors | None = None) -> Runtime:
    """A runtime over this database; connectors default to a new pooled HTTP client and a policy whose
    quotas and breakers are shared through the database with every other process."""
    if connectors is None:
        http = marketplace_client()
        connectors = Connectors(settings, http, policy_for(settings, db.engine))
    return Runtime(settings, db, SyncContext(db, connectors))


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("the worker runtime is not installed (start it with `aiostore worker` or `serve`)")
    return _current
