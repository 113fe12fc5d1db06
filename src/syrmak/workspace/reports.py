"""Building the study's report from the workspace and fetching its files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from syrmak.errors import SyrmakError
from syrmak.workspace.people import Researcher, require

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from syrmak.report import BuildResult
    from syrmak.study import Study


def build(study: Study, who: Researcher, progress: Callable[[str], None] | None = None,
          ) -> BuildResult:
    """``syrmak report`` for an owner: report.yaml -> report.html and report.docx."""
    require(who, "report")
    from syrmak.report import build_report

    # Charts are drawn in this process: worker processes would each re-import the stack.
    return build_report(study, progress=progress, workers=1)


def steps(study: Study, who: Researcher) -> int:
    require(who, "read")
    from syrmak.report import SPEC_NAME, load_spec
    from syrmak.report import steps as count

    if study.folder is None or not (study.folder / SPEC_NAME).is_file():
        raise SyrmakError("this study has no report.yaml.", "write one (docs/reports.md).",
                          code="no-report-spec")
    return count(load_spec(study.folder / SPEC_NAME))


def files(study: Study, who: Researcher) -> dict[str, Path]:
    """The built report's files that exist, by format."""
    require(who, "read")
    from syrmak.report import FORMATS, SPEC_NAME, load_spec, output_paths

    if study.folder is None or not (study.folder / SPEC_NAME).is_file():
        return {}
    spec = load_spec(study.folder / SPEC_NAME)
    paths = output_paths(study, spec, None, FORMATS)
    return {fmt: p for fmt, p in paths.items() if p.is_file()}
