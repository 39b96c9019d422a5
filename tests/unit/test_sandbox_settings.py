"""`aiostore sandbox <platform>` prints the settings that connect the service to it: the same settings the
demo applies (each platform's own model says which), so what is printed is what works."""

from __future__ import annotations

import importlib

import pytest

from aiostore.cli.sandbox import connect_hint
from aiostore.connectors import registry
from aiostore.connectors.plugin import PlatformPlugin
from aiostore.sandbox.common import StandaloneFlags
from aiostore.services.sandbox_settings import SandboxApp, apply, configured, env_lines
from aiostore.settings import Settings

PLUGINS = registry.plugins()


@pytest.mark.parametrize("plugin", PLUGINS, ids=[p.name for p in PLUGINS])
def test_printed_settings_are_the_applied_ones(
    plugin: PlatformPlugin, monkeypatch: pytest.MonkeyPatch
) -> None:
    standalone = importlib.import_module(f"aiostore.sandbox.{plugin.name}.standalone")
    flags = StandaloneFlags("127.0.0.1", 8899, "100001", "a-secret", "200001", "a-token", "ID", 0, 0)
    app = standalone.from_flags(flags).app
    hint = connect_hint(plugin.platform, app, "127.0.0.1", 8899)
    assert "http://127.0.0.1:8899/_sandbox" in hint
    lines = [line.strip() for line in hint.splitlines()]
    env = dict(line.partition("=")[::2] for line in lines if line.startswith("AIOSTORE_"))
    prefix = f"AIOSTORE_{plugin.name.upper()}_"
    assert env and all(name.startswith(prefix) for name in env)  # only this platform's own settings
    assert env[f"{prefix}REDIRECT_URL"].endswith(f"/api/channels/callback/{plugin.name}")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    printed = plugin.settings(_env_file=None)  # type: ignore[call-arg]  # read as the service reads them

    harness = importlib.import_module(f"aiostore.sandbox.{plugin.name}.harness").harness(app)
    sandbox = SandboxApp(plugin.name, harness.app_key, harness.app_secret, "http://127.0.0.1:8899/", harness)
    assert set(env_lines(sandbox, "http://service")[:-1]) <= set(lines)  # the same, bar the redirect URL
    base = Settings(_env_file=None)  # type: ignore[call-arg]
    applied = apply(base, [sandbox]).platforms[plugin.name]
    for field in printed.model_fields_set - {"redirect_url"}:
        assert getattr(printed, field) == getattr(applied, field), field
    assert printed.credentials({plugin.name: printed}) == applied.credentials({plugin.name: applied})
    assert applied.app_identity()[0] == harness.app_key
    assert configured(apply(base, [sandbox])) == [plugin.name]
    for field in plugin.settings.sandbox_unset:
        assert f"# {prefix}{field.upper()} must stay unset" in lines
        assert getattr(applied, field) is None


def test_applying_a_sandbox_clears_what_must_stay_unset_and_keeps_the_rest() -> None:
    """A platform with settings a sandbox must not have: set by hand, the sandbox clears them; its
    other settings (the redirect URL) stay."""
    plugin = next(p for p in PLUGINS if p.settings.sandbox_unset)
    field = plugin.settings.sandbox_unset[0]
    base = Settings(_env_file=None).with_platform(  # type: ignore[call-arg]
        plugin.name, **{field: "real-value", "redirect_url": "https://shop.example/cb"}
    )
    applied = apply(base, [SandboxApp(plugin.name, "key", "secret", "http://sandbox")]).platforms[plugin.name]
    assert getattr(applied, field) is None
    assert applied.redirect_url == "https://shop.example/cb"
    assert configured(base) == []  # no app key yet: not configured
