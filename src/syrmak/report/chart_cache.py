"""Drawn charts kept between report builds, keyed by what they show and how.

A rebuild after editing one quote's translation should not redraw thirty charts: a chart
is a pure function of its data (the frozen ``Chart`` dataclass), its SVG id salt, the
formats asked for, the style (``charts.RC``) and the matplotlib version, so the hash of
those names its bytes. The cache holds only what the report itself shows (aggregate
charts), in ``.syrmak-cache/charts`` of the study folder; deleting it is always safe.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

#: Bump when drawing code changes in a way the chart's data does not capture.
VERSION = "2"
FOLDER = Path(".syrmak-cache") / "charts"


def key(job) -> str:
    import matplotlib

    from syrmak.report import charts

    chart, salt, formats = job
    text = repr((VERSION, matplotlib.__version__, sorted(charts.RC.items()), chart, salt,
                 tuple(formats)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load(folder: Path, job) -> tuple[bytes | None, bytes | None] | None:
    """The cached (svg, png) of ``job``, or None when any asked-for format is missing."""
    _, _, formats = job
    name = key(job)
    found = []
    for fmt in ("svg", "png"):
        if fmt not in formats:
            found.append(None)
            continue
        path = folder / f"{name}.{fmt}"
        if not path.is_file():
            return None
        found.append(path.read_bytes())
    return found[0], found[1]


def store(folder: Path, job, drawn: tuple[bytes | None, bytes | None]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    name = key(job)
    for fmt, data in zip(("svg", "png"), drawn, strict=True):
        if data is None:
            continue
        # Write then rename: two builds at once never read half a file.
        tmp = folder / f".{name}.{fmt}.{secrets.token_hex(4)}"
        tmp.write_bytes(data)
        os.replace(tmp, folder / f"{name}.{fmt}")
