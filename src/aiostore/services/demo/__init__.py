"""The demo: a clearly labelled organization with a sandbox shop per platform mounted in this process.

``prepare(settings)`` decides whether this process offers the demo and, if so, returns the settings that
point every platform at its in-process sandbox; ``build.ensure`` builds the organization on first use.
"""

from __future__ import annotations

import asyncio

import structlog

from aiostore.connectors import registry
from aiostore.services import channels, sandbox_settings
from aiostore.services.demo.build import Demo
from aiostore.services.demo.world import DemoWorld
from aiostore.settings import ConfigurationError, Settings

log = structlog.get_logger(__name__)

__all__ = ["Demo", "enabled", "prepare", "run_orders"]


def enabled(settings: Settings) -> bool:
    """AIOSTORE_DEMO when set; unset: on in development if no marketplace is configured and the worker
    runs in the service (the sandboxes live in this process, so only its worker can reach them)."""
    if settings.demo is not None:
        return settings.demo
    return not settings.is_production and settings.run_worker and not sandbox_settings.configured(settings)


def prepare(settings: Settings, world: DemoWorld | None = None) -> tuple[Settings, Demo] | None:
    """None when the demo is off; else the settings with the sandboxes as the marketplaces, and the demo."""
    if not enabled(settings):
        return None
    if not settings.run_worker:
        raise ConfigurationError(
            "the demo's sandboxes live in this process, so its jobs need the worker inside the service: "
            "set AIOSTORE_RUN_WORKER=true (or turn the demo off)"
        )
    taken = sandbox_settings.configured(settings)
    if taken:
        names = ", ".join(taken)
        raise ConfigurationError(
            f"the demo stands its own sandboxes in for the marketplaces, but {names} is configured here: "
            "unset those settings or turn the demo off (AIOSTORE_DEMO=false)"
        )
    callbacks = {p.platform: channels.redirect_url(settings, p.name) for p in registry.plugins()}
    world = world or DemoWorld(redirect_urls=callbacks)
    # the demo products' images are served in this process (demo/images.py), at a host that resolves nowhere
    settings = settings.model_copy(update={"image_fetch_allow_private": True})
    return sandbox_settings.apply(settings, world.apps), Demo(world, settings.service_url)


async def run_orders(demo: Demo, every: float) -> None:
    """New orders on random demo shops every `every` seconds, once the demo organization exists."""
    while True:
        await asyncio.sleep(every)
        if demo.org_id is None:
            continue
        try:
            placed = demo.world.place_random_order()
        except Exception:  # a demo order that cannot be placed is skipped; the next one may be
            log.warning("demo.order_failed", exc_info=True)
            continue
        if placed is not None:
            log.info("demo.order_placed", platform=placed[0].value)
