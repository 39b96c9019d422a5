"""What tasks need at run time (the Database, the settings), set once by whoever starts the worker."""

from __future__ import annotations

from dataclasses import dataclass

from aiostore.db.session import Database
from aiostore.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    db: Database


_current: Runtime | None = None


def install(runtime: Runtime) -> None:
    global _current
    _current = runtime


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("the worker runtime is not installed (start it with `aiostore worker` or `serve`)")
    return _current
