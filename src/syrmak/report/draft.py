"""Report specs written for the researcher: the starter ``syrmak init`` leaves in a new study,
and a draft made from the questionnaire and codebook (``syrmak report DIR --draft``).

A draft is a beginning to edit, not a report: one frequency table and one bar chart per
closed question, and one quote per code that has been applied.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from syrmak.report.spec import SPEC_NAME, parse_spec

if TYPE_CHECKING:
    from syrmak.study import Study

_STARTER_HEAD = """\
# The report spec (docs/reports.md). 'syrmak init' wrote this starter; once the questionnaire
# and responses are loaded (and codes applied), 'syrmak report DIR --draft' rewrites it with a
# table and a chart per closed question and a quotes section. Then edit it freely.
"""

_DRAFT_HEAD = """\
# A draft written by 'syrmak report --draft' from the questionnaire and the codebook: one
# frequency table and bar chart per closed question, one quote per applied code. Edit it
# (docs/reports.md); --draft again replaces it and keeps the old file as report.yaml.bak.
"""


def starter_spec(title: str) -> str:
    # The title as a JSON string, which YAML reads as it is, whatever its characters.
    return _STARTER_HEAD + f"""title: {json.dumps(title, ensure_ascii=False)}
content:
  - toc: Contents
  - heading: Results
  - text: |
      Load the questionnaire and the responses, then run 'syrmak report DIR --draft' to
      fill this report in.
"""


def write_starter(study: Study) -> Path | None:
    """Write the starter ``report.yaml`` into a new study's folder (never over a file)."""
    if study.folder is None:
        return None
    path = study.folder / SPEC_NAME
    if path.exists():
        return None
    path.write_text(starter_spec(study.title or study.folder.name), encoding="utf-8")
    return path


def draft_spec(study: Study, lang: str | None = None) -> str:
    """A report spec from the questionnaire (closed questions) and the codebook (quotes)."""
    from syrmak.qual.codebook import codebook
    from syrmak.qual.retrieval import retrieve

    form = study.questionnaire
    if lang is None:
        # English when the form has it (reports are often written in it), else the form's.
        lang = "en" if "en" in form.languages or not form.languages else form.language(None)
    content: list[dict] = [{"toc": "Contents"}, {"heading": "Results"}]
    for q in form.answered:
        if not q.is_select or q.personal_data:
            continue
        label = q.label(lang)
        single = q.type == "select_one"
        content.append({"heading": label, "level": 2})
        content.append({"table": {"caption": label,
                                  ("frequencies" if single else "multiple"): q.name}})
        figure = {"caption": label, "chart": "bar", "question": q.name}
        if single:
            figure["sort"] = False  # the options' own order: scales read in order
        content.append({"figure": figure})
    quotes = []
    for code in codebook(study).codes:
        if not code.codings:
            continue
        segments = retrieve(study, code.path, context=0)
        if segments.rows:
            first = segments.rows[0]
            quotes.append({"quote": {"document": first["document"], "code": code.path,
                                     "occurrence": 1}})
    if quotes:
        content.append({"heading": "Voices"})
        content.extend(quotes)
    data = {"title": study.title or (study.folder.name if study.folder else "Report"),
            "lang": lang, "content": content}
    text = _DRAFT_HEAD + _dump(data)
    parse_spec(text)  # a draft that would not load is a bug here, not the user's to fix
    return text


def write_draft(study: Study, path: str | Path | None = None,
                lang: str | None = None) -> tuple[Path, Path | None]:
    """Write the draft to ``path`` (default: the study's report.yaml); an existing file is
    kept as ``NAME.bak``. Returns the spec's path and the backup's (or None)."""
    path = Path(path) if path else study.folder / SPEC_NAME
    text = draft_spec(study, lang)
    backup = None
    if path.exists():
        backup = path.with_name(path.name + ".bak")
        backup.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    study.log("report-draft", {"spec": path.name})
    return path, backup


def _dump(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=96)
