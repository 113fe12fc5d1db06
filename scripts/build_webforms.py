#!/usr/bin/env python3
"""Maintainer script: build ODK Web Forms into the package (npm is needed here only).

    python3 scripts/build_webforms.py

Installs the pinned packages below into a temporary folder with npm, builds
``scripts/webforms/entry.js`` with vite into ES modules
(``src/syrmak/web/static/vendor/odk-webforms*.js``), writes the name, version and licence
of every bundled npm package beside it (``odk-webforms.LICENSES.json``) and records the
build (version, licence, sha256 of each file) in ``VENDOR.json``, the manifest of
``scripts/vendor_assets.py``. Nothing is fetched when syrmak is installed or run;
``tests/web/test_assets.py`` checks the files against the manifest. To upgrade, change a
version below, run this, review the diff and run the browser test.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "src" / "syrmak" / "web" / "static" / "vendor"
SOURCE = ROOT / "scripts" / "webforms"
NAME, VERSION, LICENCE = "@getodk/web-forms", "0.22.0", "Apache-2.0"
#: Everything npm installs for the build, pinned.
PINNED = [f"{NAME}@{VERSION}", "vue@3.5.45", "vite@6.4.6"]
LICENCES = "odk-webforms.LICENSES.json"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def bundled_licences(modules: Path) -> list[dict]:
    """name, version, licence of each installed runtime package (the build tools excluded)."""
    found = []
    for manifest in sorted(modules.glob("**/package.json")):
        parts = manifest.relative_to(modules).parts
        if "node_modules" in parts[:-1] or len(parts) not in (2, 3):
            continue
        info = json.loads(manifest.read_text(encoding="utf-8"))
        if "name" not in info or info["name"] in ("vite", "esbuild", "rollup") or \
                info["name"].startswith(("@esbuild/", "@rollup/")):
            continue
        found.append({"name": info["name"], "version": info.get("version"),
                      "licence": info.get("license")})
    return found


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "package.json").write_text('{"private": true, "type": "module"}\n')
        for name in ("entry.js", "vite.config.js"):
            shutil.copyfile(SOURCE / name, work / name)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--save-exact", *PINNED],
                       cwd=work, check=True)
        info = json.loads((work / "node_modules" / NAME / "package.json").read_text())
        if info["version"] != VERSION or info.get("license") != LICENCE:
            raise SystemExit(f"{NAME}: got {info['version']} {info.get('license')}")
        out = work / "out"
        subprocess.run(["npx", "vite", "build"], cwd=work, check=True,
                       env={**__import__("os").environ, "SYRMAK_WEBFORMS_OUT": str(out)})
        for old in VENDOR.glob("odk-webforms*"):
            old.unlink()
        built = sorted(p.name for p in out.iterdir())
        for name in built:
            shutil.copyfile(out / name, VENDOR / name)
        (VENDOR / LICENCES).write_text(
            json.dumps(bundled_licences(work / "node_modules"), indent=2) + "\n",
            encoding="utf-8")
    path = VENDOR / "VENDOR.json"
    manifest = [p for p in json.loads(path.read_text(encoding="utf-8")) if p["name"] != NAME]
    manifest.append({
        "name": NAME, "version": VERSION, "licence": LICENCE,
        "source": f"vite build of scripts/webforms/entry.js with {' '.join(PINNED)} "
                  "(scripts/build_webforms.py)",
        "files": {name: sha256(VENDOR / name) for name in [*built, LICENCES]}})
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"Built {NAME}@{VERSION} into {VENDOR}: {', '.join(built)}")


if __name__ == "__main__":
    main()
