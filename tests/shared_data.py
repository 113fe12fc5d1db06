"""The team's shared data beside the clone (``../shared`` from the repository root).

It holds files that may not be committed (third-party, GPL/AGPL or unlicensed: see
``../shared/data/interop/PROVENANCE.md``), so tests read them where they are. A laptop
without the folder skips those tests; CI has it, so there a missing file fails the run
instead of silently testing less.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
INTEROP = SHARED / "data" / "interop"


def require(path: Path) -> Path:
    """``path`` if it exists; else skip the test, or fail it when ``CI`` is set."""
    if path.exists():
        return path
    message = f"{path} is missing (the shared data beside the clone)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI must have it")
    pytest.skip(message)
