"""Vendored assets match their manifest; nothing on a page points off the host."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import syrmak.web

WEB = Path(syrmak.web.__file__).parent
VENDOR = WEB / "static" / "vendor"


def test_vendored_files_match_the_manifest():
    manifest = json.loads((VENDOR / "VENDOR.json").read_text(encoding="utf-8"))
    listed = set()
    for package in manifest:
        assert package["name"] and package["version"] and package["licence"]
        assert package["source"].startswith(("npm pack ", "vite build of "))
        for name, digest in package["files"].items():
            listed.add(name)
            assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name
    on_disk = {p.name for p in VENDOR.iterdir()} - {"VENDOR.json"}
    assert on_disk == listed  # no unlisted file slipped in


def test_htmx_is_a_pinned_2x():
    (htmx,) = [p for p in json.loads((VENDOR / "VENDOR.json").read_text()) if
               p["name"] == "htmx.org"]
    assert re.fullmatch(r"2\.\d+\.\d+", htmx["version"])


def test_our_pages_and_scripts_name_no_other_host():
    ours = [*WEB.glob("templates/*.html"), *WEB.glob("static/*.js"), *WEB.glob("static/*.css")]
    assert ours
    for path in ours:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I), path.name
        assert "eval(" not in text and "new Function" not in text, path.name


def test_htmx_config_keeps_the_csp():
    base = (WEB / "templates" / "base.html").read_text(encoding="utf-8")
    config = json.loads(re.search(r"name=\"htmx-config\" content='([^']+)'", base).group(1))
    assert config["includeIndicatorStyles"] is False  # no injected <style>
    assert config["allowEval"] is False and config["allowScriptTags"] is False
    assert config["historyCacheSize"] == 0  # no interview text in localStorage
    assert "hx-on" not in "".join(p.read_text() for p in WEB.glob("templates/*.html"))
