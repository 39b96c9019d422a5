"""The AIOSTORE_<PLATFORM>_* settings that point this service at a marketplace sandbox instead of the
marketplace.

One source for `aiostore sandbox <platform>` (which prints them) and the demo (which applies them): each
platform's own settings model (``connectors/<platform>/``, ``PlatformSettings.for_sandbox``) knows its
environment names, what a sandbox app sets (credentials, API and authorization hosts, pinned values) and
what must stay unset (TikTok's service id: with it the connector sends sellers to TikTok's own host).
"""

from __future__ import annotations

from dataclasses import dataclass

from aiostore.connectors import registry
from aiostore.connectors.plugin import PlatformSettings
from aiostore.services import channels
from aiostore.settings import Settings


@dataclass(frozen=True, slots=True)
class SandboxApp:
    """What the service must know of a sandbox to act as its app: identity, secret, where it answers."""

    platform: str
    app_key: str
    app_secret: str
    base_url: str  # the sandbox serves the API, the token endpoints and the authorization page here
    source: object = None  # the sandbox's harness: the platform's other identifiers (e.g. ``fs_id``)


def settings_for(app: SandboxApp) -> PlatformSettings:
    """The platform's settings with which the service acts as this sandbox's app."""
    model = registry.plugin(app.platform).settings
    return model.for_sandbox(app.app_key, app.app_secret, app.base_url, app.source)


def env_lines(app: SandboxApp, service_url: str) -> list[str]:
    """The lines to put in .env (or the environment) of the service that connects to this sandbox."""
    settings = settings_for(app)
    lines = [f"{name}={value}" for name, value in settings.env().items()]
    lines += [f"# {settings.env_name(field)} must stay unset" for field in settings.sandbox_unset]
    callback = channels.callback_url(service_url, registry.plugin(app.platform).name)
    lines.append(f"{settings.env_name('redirect_url')}={callback}")
    return lines


def configured(settings: Settings) -> list[str]:
    """Platforms whose app key the operator has set (a real marketplace, or a sandbox by hand)."""
    return [name for name, platform in settings.platforms.items() if platform.app_identity()[0]]


def apply(settings: Settings, apps: list[SandboxApp]) -> Settings:
    """These settings with every app's platform pointed at its sandbox (its other settings kept)."""
    for app in apps:
        sandbox = settings_for(app)
        values = {field: getattr(sandbox, field) for field in sandbox.model_fields_set}
        values |= dict.fromkeys(sandbox.sandbox_unset)
        settings = settings.with_platform(registry.plugin(app.platform).name, **values)
    return settings
