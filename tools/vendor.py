"""Refresh or verify the browser libraries committed under src/aiostore/web/static/vendor/.

`python tools/vendor.py` (make vendor) fetches each package with `npm pack` (the npm registry, checked by
npm's own integrity hash), copies the listed distribution files, and records name, version, file and
sha256 in VENDOR.json. `python tools/vendor.py --check` verifies the committed files against VENDOR.json
without the network. Running the service never needs node: only this maintenance step does.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess  # noqa: S404
import sys
import tarfile
import tempfile
from pathlib import Path

VENDOR = Path(__file__).resolve().parent.parent / "src" / "aiostore" / "web" / "static" / "vendor"
MANIFEST = VENDOR / "VENDOR.json"

# npm spec -> {file inside the package: path under vendor/}
PACKAGES: dict[str, dict[str, str]] = {
    "htmx.org@2": {"dist/htmx.min.js": "htmx/htmx.min.js", "LICENSE": "htmx/LICENSE"},
    "htmx-ext-sse@2": {"dist/sse.min.js": "htmx-ext-sse/sse.min.js", "LICENSE": "htmx-ext-sse/LICENSE"},
    "chart.js@4": {"dist/chart.umd.min.js": "chartjs/chart.umd.min.js", "LICENSE.md": "chartjs/LICENSE.md"},
    "@picocss/pico@2": {"css/pico.min.css": "pico/pico.min.css", "LICENSE.md": "pico/LICENSE.md"},
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check() -> list[str]:
    """What differs between VENDOR.json and the files on disk (empty when all match)."""
    manifest = json.loads(MANIFEST.read_text())
    problems = []
    for pkg in manifest["packages"]:
        for entry in pkg["files"]:
            path = VENDOR / entry["path"]
            if not path.is_file():
                problems.append(f"missing: {entry['path']}")
            elif sha256(path) != entry["sha256"]:
                problems.append(f"checksum differs: {entry['path']}")
    return problems


def _fetch(spec: str, files: dict[str, str], work: Path) -> dict[str, object]:
    out = subprocess.run(  # noqa: S603
        ["npm", "pack", spec, "--json", "--pack-destination", str(work)],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(out.stdout)[0]
    with tarfile.open(work / info["filename"]) as tar:
        tar.extractall(work / info["name"].replace("/", "_"), filter="data")
    root = work / info["name"].replace("/", "_") / "package"
    recorded = []
    for source, target in files.items():
        dest = VENDOR / target
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / source, dest)
        recorded.append({"path": target, "source": source, "sha256": sha256(dest)})
    return {
        "name": info["name"],
        "spec": spec,
        "version": info["version"],
        "integrity": info["integrity"],
        "files": recorded,
    }


def refresh() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        packages = [_fetch(spec, files, Path(tmp)) for spec, files in PACKAGES.items()]
    MANIFEST.write_text(json.dumps({"packages": packages}, indent=2) + "\n")
    for pkg in packages:
        sys.stdout.write(f"{pkg['name']} {pkg['version']}\n")


if __name__ == "__main__":
    if "--check" in sys.argv:
        found = check()
        sys.stdout.write("\n".join(found or ["vendor files match VENDOR.json"]) + "\n")
        sys.exit(1 if found else 0)
    refresh()
