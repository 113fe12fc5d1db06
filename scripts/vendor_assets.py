#!/usr/bin/env python3
"""Maintainer script: vendor the workspace's front-end assets into the package.

    python3 scripts/vendor_assets.py

Fetches each pinned npm package with ``npm pack`` into a temporary folder, copies the
files the workspace serves into ``src/syrmak/web/static/vendor/`` and records name,
version, licence, source and each file's SHA-256 in ``VENDOR.json`` there. Nothing is
fetched when syrmak is installed or run; ``tests/web/test_assets.py`` checks the files
against the manifest. To upgrade, change the version below, run this, review the diff.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

VENDOR = Path(__file__).resolve().parents[1] / "src" / "syrmak" / "web" / "static" / "vendor"

#: package -> (version, licence, {file in the package: file name here})
PACKAGES = {
    "htmx.org": ("2.0.11", "0BSD", {"package/dist/htmx.min.js": "htmx.min.js",
                                    "package/LICENSE": "htmx.LICENSE"}),
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    VENDOR.mkdir(parents=True, exist_ok=True)
    manifest = []
    for name, (version, licence, files) in PACKAGES.items():
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run(["npm", "pack", f"{name}@{version}", "--silent"], cwd=tmp,
                                 check=True, capture_output=True, text=True).stdout
            tarball = Path(tmp) / out.strip().splitlines()[-1]
            with tarfile.open(tarball) as archive:
                archive.extractall(tmp, filter="data")
            info = json.loads((Path(tmp) / "package" / "package.json").read_text())
            if info["version"] != version or info.get("license") != licence:
                raise SystemExit(f"{name}: got {info['version']} {info.get('license')}, "
                                 f"expected {version} {licence}")
            for source, target in files.items():
                shutil.copyfile(Path(tmp) / source, VENDOR / target)
        manifest.append({
            "name": name, "version": version, "licence": licence,
            "source": f"npm pack {name}@{version}",
            "files": {target: sha256(VENDOR / target) for target in files.values()}})
    (VENDOR / "VENDOR.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"Vendored {', '.join(m['name'] + '@' + m['version'] for m in manifest)} "
          f"into {VENDOR}")


if __name__ == "__main__":
    main()
