"""The dashboard's files: vendored libraries match their recorded checksums, and the wheel ships them."""

from __future__ import annotations

import glob
import hashlib
import json
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "src" / "aiostore"
VENDOR = PACKAGE / "web" / "static" / "vendor"


def test_vendored_files_match_vendor_json() -> None:
    manifest = json.loads((VENDOR / "VENDOR.json").read_text())
    names = {p["name"]: p["version"] for p in manifest["packages"]}
    assert set(names) == {"htmx.org", "htmx-ext-sse", "chart.js", "@picocss/pico"}
    assert names["htmx.org"].startswith("2.") and names["chart.js"].startswith("4.")
    recorded = set()
    for package in manifest["packages"]:
        for entry in package["files"]:
            path = VENDOR / entry["path"]
            assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], entry["path"]
            recorded.add(path)
    on_disk = {p for p in VENDOR.rglob("*") if p.is_file() and p.name != "VENDOR.json"}
    assert on_disk == recorded  # nothing unrecorded slipped in


def test_package_data_ships_templates_static_files_and_catalogs() -> None:
    """setuptools expands each package-data pattern with glob(recursive=True) under the package."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["aiostore"]
    shipped = {Path(p) for pattern in patterns for p in glob.glob(str(PACKAGE / pattern), recursive=True)}
    needed = [
        p
        for folder in ("templates", "static", "locale")
        for p in (PACKAGE / "web" / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    assert len(needed) > 20
    assert [p for p in needed if p not in shipped] == []
    assert PACKAGE / "web" / "static" / "vendor" / "htmx" / "htmx.min.js" in shipped  # a sub-folder
