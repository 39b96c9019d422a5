"""`.env.example` documents every setting, and names nothing that is not one."""

from __future__ import annotations

import re
from pathlib import Path

from aiostore.settings import Settings

EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"


def test_every_setting_is_documented() -> None:
    text = EXAMPLE.read_text()
    documented = set(re.findall(r"^#?\s*AIOSTORE_([A-Z0-9_]+)=", text, flags=re.MULTILINE))
    fields = {name.upper() for name in Settings.model_fields}
    assert fields - documented == set()
    assert documented - fields == set()
