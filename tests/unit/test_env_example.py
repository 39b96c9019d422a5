"""`.env.example` documents every setting (each platform's asked of the registry), and names nothing that is
not one."""

from __future__ import annotations

import re
from pathlib import Path

from aiostore.connectors import registry
from aiostore.settings import Settings

EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"


def test_every_setting_is_documented() -> None:
    text = EXAMPLE.read_text()
    documented = set(re.findall(r"^#?\s*AIOSTORE_([A-Z0-9_]+)=", text, flags=re.MULTILINE))
    fields = {name.upper() for name in Settings.model_fields if name != "platforms"}
    for plugin in registry.plugins():  # each platform's own settings, AIOSTORE_<PLATFORM>_*
        model = plugin.settings
        fields |= {f"{plugin.name}_{name}".upper() for name in model.model_fields}
    assert fields - documented == set()
    assert documented - fields == set()
