#!/usr/bin/env python3
"""Maintainer script: extract the workspace's interface strings and write the catalogs.

    python3 scripts/update_catalogs.py

Runs Babel's extraction (babel.cfg) into src/syrmak/web/locale/syrmak.pot and writes
ru/LC_MESSAGES/syrmak.po from scripts/ru_messages.py. The .po files are loaded (and
compiled in memory) at run time; tests/web/test_i18n.py fails when a string has no
Russian translation.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "src" / "syrmak" / "web" / "locale"
sys.path.insert(0, str(ROOT / "scripts"))

from ru_messages import RU  # noqa: E402


def main() -> None:
    pot = LOCALE / "syrmak.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "babel.cfg"), "--no-location", "--sort-output", "--omit-header",
                    "-o", str(pot), "."], cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as handle:
        template = read_po(handle)
    catalog = Catalog(locale="ru", domain="syrmak", project="syrmak", version="0.1",
                      language_team="Russian", fuzzy=False,
                      creation_date=template.creation_date,
                      revision_date=template.creation_date)
    missing = []
    for message in template:
        if not message.id:
            continue
        translated = RU.get(message.id)
        if translated is None:
            missing.append(message.id)
            translated = "" if isinstance(message.id, str) else ("",) * 3
        catalog.add(message.id, translated)
    out = LOCALE / "ru" / "LC_MESSAGES" / "syrmak.po"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as handle:
        write_po(handle, catalog, omit_header=False, no_location=True, sort_output=True)
    print(f"{len(template) - 1} messages; {len(missing)} without Russian")
    for msgid in missing:
        print(f"  missing: {msgid!r}")


if __name__ == "__main__":
    main()
