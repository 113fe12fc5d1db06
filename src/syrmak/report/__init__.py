"""Reports: a spec (``report.yaml``) turned into one self-contained HTML file and a Word
document, with tables, charts, a map and bilingual quotes drawn from the study's data.

    from syrmak.report import build_report
    result = build_report(study)            # study folder's report.yaml -> report.html/.docx

See docs/reports.md.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from syrmak.errors import SyrmakError
from syrmak.report.quotes import (
    Translation,
    drop_missing_quotes,
    import_translations,
    list_translations,
    set_translation,
)
from syrmak.report.spec import SPEC_NAME, Spec, load_spec, parse_spec

if TYPE_CHECKING:
    from syrmak.report.model import Report
    from syrmak.study import Study

FORMATS = ("html", "docx")
#: Draw charts in worker processes from this many figures on (each starts in ~1 s).
POOL_FROM = 16

__all__ = [
    "FORMATS",
    "SPEC_NAME",
    "BuildResult",
    "Spec",
    "Translation",
    "build_report",
    "drop_missing_quotes",
    "import_translations",
    "list_translations",
    "load_spec",
    "parse_spec",
    "render_report",
    "resolve_report",
    "set_translation",
]


@dataclass(frozen=True)
class BuildResult:
    report: Report
    files: tuple[Path, ...]
    warnings: tuple[str, ...]

    def summary(self) -> str:
        r = self.report
        return (f"{len(r.tables)} tables, {len(r.figures)} figures, {len(r.quotes)} quotes -> "
                + ", ".join(str(f) for f in self.files))


Step = Callable[[str, int, int], None]


def resolve_report(study: Study, spec: Spec | str | Path | None = None,
                   progress: Callable[[str], None] | None = None) -> Report:
    """Check the spec and compute every table, figure and quote (charts not drawn)."""
    from syrmak.report.build import resolve

    if spec is None:
        if study.folder is None:
            raise SyrmakError("this study has no folder to read report.yaml from.",
                              "pass the spec file.", code="no-report-spec")
        spec = study.folder / SPEC_NAME
    if not isinstance(spec, Spec):
        spec = load_spec(spec)
    return resolve(study, spec, progress)


def _read_results(process, expected: int, results) -> None:
    import pickle
    import struct

    try:
        for _ in range(expected):
            head = process.stdout.read(8)
            if len(head) < 8:
                break
            results.put(pickle.loads(process.stdout.read(struct.unpack(">Q", head)[0])))
    finally:
        results.put(None)


def _draw_in_workers(jobs: list, workers: int, progress: Callable[[str], None] | None
                     ) -> list:
    """Draw charts in ``workers`` child processes (see ``_worker``), results in job order."""
    import contextlib
    import pickle
    import queue
    import subprocess
    import sys
    import threading

    import syrmak

    env = dict(os.environ)
    source = str(Path(syrmak.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (source, env.get("PYTHONPATH")) if p)
    results: queue.Queue = queue.Queue()
    drawn: list = [None] * len(jobs)
    with contextlib.ExitStack() as stack:
        processes = []
        try:
            for w in range(workers):
                chunk = [(i, jobs[i]) for i in range(w, len(jobs), workers)]
                errors = stack.enter_context(tempfile.TemporaryFile())
                process = subprocess.Popen([sys.executable, "-m", "syrmak.report._worker"],
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                           stderr=errors, env=env)
                processes.append((process, errors))
                threading.Thread(target=_read_results, args=(process, len(chunk), results),
                                 daemon=True).start()
                process.stdin.write(pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL))
                process.stdin.close()
            finished = done = 0
            while finished < len(processes):
                item = results.get()
                if item is None:
                    finished += 1
                    continue
                index, pair = item
                drawn[index] = pair
                done += 1
                if progress:
                    progress(f"Chart {done}")
        finally:
            for process, _ in processes:
                if process.poll() is None and any(d is None for d in drawn):
                    process.kill()
                process.wait()
        for process, errors in processes:
            if process.returncode != 0:
                errors.seek(0)
                tail = errors.read().decode("utf-8", "replace").strip().splitlines()[-3:]
                raise RuntimeError("a chart worker failed: " + " | ".join(tail))
    if any(d is None for d in drawn):
        raise RuntimeError("a chart worker stopped before drawing all its charts")
    return drawn


def _draw(report: Report, formats: tuple[str, ...], progress: Callable[[str], None] | None,
          workers: int | None, cache: Path | None = None) -> Report:
    from syrmak.report import chart_cache, charts, model

    wanted = tuple(f for f, need in (("svg", "html"), ("png", "docx")) if need in formats)
    figures = report.figures
    jobs = [(f.chart, f"syrmak-{f.anchor}", wanted) for f in figures]
    drawn = [chart_cache.load(cache, job) if cache else None for job in jobs]
    todo = [i for i, pair in enumerate(drawn) if pair is None]
    if progress and len(todo) < len(jobs):
        progress(f"{len(jobs) - len(todo)} charts unchanged since the last build")
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if len(todo) >= POOL_FROM else 1
    if workers > 1 and len(todo) > 1:
        fresh = _draw_in_workers([jobs[i] for i in todo], min(workers, len(todo)), progress)
    else:
        fresh = []
        for n, i in enumerate(todo):
            fresh.append(charts.render_both(jobs[i]))
            if progress:
                progress(f"Chart {n + 1}")
    for i, pair in zip(todo, fresh, strict=True):
        drawn[i] = pair
        if cache:
            chart_cache.store(cache, jobs[i], pair)
    done = {id(f): replace(f, svg=svg, png=png) for f, (svg, png) in zip(figures, drawn,
                                                                          strict=True)}
    blocks = tuple(done.get(id(b), b) if isinstance(b, model.FigureBlock) else b
                   for b in report.blocks)
    return replace(report, blocks=blocks)


def render_report(report: Report, formats: tuple[str, ...] = FORMATS,
                  progress: Callable[[str], None] | None = None,
                  workers: int | None = None, cache: Path | None = None) -> dict[str, bytes]:
    """Draw the charts (reusing those in ``cache`` that did not change) and lay the report
    out: ``{"html": bytes, "docx": bytes}``."""
    from syrmak.report import html, word

    report = _draw(report, formats, progress, workers, cache)
    out = {}
    if "html" in formats:
        if progress:
            progress("HTML")
        out["html"] = html.render(report)
    if "docx" in formats:
        if progress:
            progress("Word")
        out["docx"] = word.render(report)
    return out


def steps(spec: Spec, formats: tuple[str, ...] = FORMATS) -> int:
    """How many progress steps a build reports (for a progress bar's total)."""
    n = len(spec.tables) + 2 * len(spec.figures) + len(spec.quotes)
    return n + len(formats) + 1


def output_paths(study: Study, spec: Spec, out: str | Path | None,
                 formats: tuple[str, ...]) -> dict[str, Path]:
    """``-o OUT``: a folder (existing, or ending in /), or a file name whose suffix is
    replaced per format; by default the study folder and the spec's ``output`` name."""
    if out is None:
        base = (study.folder or Path.cwd()) / spec.output
    else:
        folder = str(out).endswith(("/", os.sep))
        out = Path(out)
        if folder or out.is_dir():
            base = out / spec.output
        elif out.suffix.lower() in (".html", ".htm", ".docx"):
            base = out.with_suffix("")
        else:
            base = out
    return {fmt: base.with_name(base.name + f".{fmt}") for fmt in formats}


def write_atomic(files: dict[Path, bytes]) -> None:
    """Write every file to a temporary name first, then rename them all: a failure leaves
    no half-written report (and the previous one, if any, untouched).

    The files get the mode the process umask gives a new file (0600 under umask 077): a
    report quotes interviews, and a researcher who keeps their files private must not find
    it readable by every account on the machine.
    """
    temps: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            while True:
                tmp = str(path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp"))
                try:
                    # 0o666 filtered by the umask, as for any file a program creates; mkstemp
                    # would force 0600 and leave the choice to a chmod.
                    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
                except FileExistsError:
                    continue
                break
            temps.append((tmp, path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
        for tmp, path in temps:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)
        raise


def build_report(study: Study, spec: Spec | str | Path | None = None,
                 out: str | Path | None = None, formats: tuple[str, ...] = FORMATS,
                 progress: Callable[[str], None] | None = None,
                 workers: int | None = None) -> BuildResult:
    """``syrmak report``: check the spec, compute, draw, and write HTML and DOCX."""
    for fmt in formats:
        if fmt not in FORMATS:
            raise SyrmakError(f"unknown report format '{fmt}'.",
                              f"use {' or '.join(FORMATS)}.", code="bad-argument")
    if spec is None or not isinstance(spec, Spec):
        if spec is None:
            if study.folder is None:
                raise SyrmakError("this study has no folder to read report.yaml from.",
                                  "pass --spec FILE.", code="no-report-spec")
            spec = study.folder / SPEC_NAME
        spec = load_spec(spec)
    report = resolve_report(study, spec, progress)
    from syrmak.report.chart_cache import FOLDER

    cache = study.folder / FOLDER if study.folder is not None else None
    data = render_report(report, formats, progress, workers, cache)
    paths = output_paths(study, spec, out, formats)
    write_atomic({paths[fmt]: data[fmt] for fmt in formats})
    study.log("report-build", {"spec": spec.file, "formats": list(formats),
                               "tables": len(report.tables), "figures": len(report.figures),
                               "quotes": len(report.quotes)})
    return BuildResult(report, tuple(paths[f] for f in formats), report.warnings)
