"""The marketplaces AIOStore connects to: one per package under ``aiostore/connectors/``.

The names are discovered, not listed: a platform is a package ``aiostore.connectors.<name>`` exporting
``PLUGIN`` (``connectors.plugin.PlatformPlugin``; ``connectors.registry`` loads it). ``Platform`` is the
enum of those names, in alphabetical order, so routes and columns validate a platform without knowing any.
"""

from __future__ import annotations

import pkgutil
from enum import StrEnum
from typing import TYPE_CHECKING

import aiostore.connectors


def platform_names() -> list[str]:
    """Every platform package under ``aiostore/connectors/``, by name (imports none of them)."""
    return sorted(m.name for m in pkgutil.iter_modules(aiostore.connectors.__path__) if m.ispkg)


if TYPE_CHECKING:

    class Platform(StrEnum):
        """A platform's name (members discovered at import)."""

else:
    Platform = StrEnum("Platform", {name.upper(): name for name in platform_names()})
