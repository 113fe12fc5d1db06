"""The report spec: parsing, and errors that name the spec file and line."""

from __future__ import annotations

import pytest
from tests.report.conftest import SPEC

from syrmak.errors import SyrmakError
from syrmak.report import build_report, parse_spec
from syrmak.report import spec as S


def test_parses_blocks_in_order_with_lines():
    spec = parse_spec(SPEC)
    kinds = [type(b).__name__ for b in spec.blocks]
    assert kinds == ["Toc", "Heading", "Text", "Table", "Table", "Figure", "Figure", "Figure",
                     "Figure", "Heading", "Quote", "Quote", "Quote"]
    table = spec.tables[0]
    assert table.analysis.kind == "crosstab"
    assert table.analysis.args == {"rows": "kind", "columns": "political"}
    assert SPEC.splitlines()[table.line - 1].strip() == "caption: Kind by political"
    assert spec.figures[0].chart == "map"
    assert spec.quotes[0].locator == {"document": "interview-01", "code": "Funding"}
    assert spec.lang == "en"
    text = next(b for b in spec.blocks if isinstance(b, S.Text))
    assert SPEC.splitlines()[text.text_line - 1].strip().startswith("Most respondents")


BAD_SPECS = [
    # (spec text, line, words in the message)
    ("title: x\n", 1, "content"),
    ("title: x\ncontent:\n  - heading: A\n  - chart: bar\n", 4, "unknown block 'chart'"),
    ("content:\n  - heading: A\n    colour: red\n", 3, "unknown key 'colour'"),
    ("content:\n  - table:\n      crosstab: {rows: a, columns: b}\n", 3, "needs a 'caption'"),
    ("content:\n  - table:\n      caption: T\n", 3, "names no analysis"),
    ("content:\n  - figure:\n      caption: F\n      chart: pie\n      question: q\n", 4,
     "unknown chart 'pie'"),
    ("content:\n  - figure:\n      caption: F\n      chart: grouped\n      question: q\n", 5,
     "drawn from 'questions:'"),
    ("content:\n  - table:\n      caption: T\n      show: all\n      frequencies: q\n", 4,
     "show must be"),
    ("content:\n  - heading: A\n    id: x\n  - heading: B\n    id: x\n", 4, "used twice"),
    ("content:\n\t- heading: A\n", 2, "not valid YAML"),
    ("content:\n  - quote: {document: d, colour: 1}\n", 2, "unknown key 'colour'"),
]


@pytest.mark.parametrize(("text", "line", "words"), BAD_SPECS)
def test_bad_spec_names_file_and_line(text, line, words):
    with pytest.raises(SyrmakError) as info:
        parse_spec(text, "report.yaml")
    assert info.value.location.file == "report.yaml"
    assert info.value.location.line == line
    assert words in str(info.value)
    assert str(info.value).startswith(f"[report.yaml, line {line}]")


def _spec_with(block: str) -> str:
    return "title: T\nlang: en\ncontent:\n  - heading: Results\n" + block


UNKNOWN = [
    # (block, line of the culprit, words, error code)
    ("  - table:\n      caption: T\n      frequencies: nosuch\n", 7, "nosuch", None),
    ("  - table:\n      caption: T\n      crosstab: {rows: kind, columns: nosuch}\n", 7,
     "nosuch", None),
    ("  - figure:\n      caption: F\n      chart: bar\n      question: story\n", 8, "story",
     "wrong-question-type"),
    ("  - text: |\n      Intro line.\n      Then {{ pct: change = nosuch }}.\n", 7,
     "'nosuch' is not an option of 'change'", "unknown-option"),
    ("  - text: |\n      See {{ ref: nowhere }}.\n", 6, "nowhere", "unknown-reference"),
    ("  - text: |\n      {{ pct: region = KZ-ALA, ast }}\n", 6, "cannot be added up",
     "bad-live-number"),
    ("  - text: |\n      {{ mean: change }}\n", 6, "unknown live number", None),
    ("  - quote: {document: interview-01, code: Nosuch}\n", 5, "no code 'Nosuch'",
     "unknown-code"),
    ("  - quote:\n      document: interview-99\n      code: Funding\n", 6,
     "no document 'interview-99'", "unknown-quote"),
    ("  - quote: {document: interview-01, text: not in the text}\n", 5, "does not occur",
     "unknown-quote"),
    ("  - quote: {coding: 99999}\n", 5, "no coded segment 99999", "unknown-quote"),
    ("  - quote: {document: interview-01, code: Online, occurrence: 3}\n", 5,
     "no occurrence 3", "unknown-quote"),
    ("  - table:\n      caption: T\n      likert: {items: [trust, kind]}\n", 7,
     "does not share the choices", None),
]


@pytest.mark.parametrize(("block", "line", "words", "code"), UNKNOWN)
def test_unknown_question_code_or_quote_fails_with_spec_line_and_writes_nothing(
        shared_reported, tmp_path, block, line, words, code):
    spec = parse_spec(_spec_with(block), "report.yaml", shared_reported.folder)
    with pytest.raises(SyrmakError) as info:
        build_report(shared_reported, spec, out=tmp_path / "out" / "report")
    error = info.value
    assert error.location.file == "report.yaml"
    assert error.location.line == line, str(error)
    assert words in str(error)
    if code:
        assert error.code == code
    assert not (tmp_path / "out").exists()


def test_a_failed_build_leaves_the_previous_report_untouched(reported):
    first = build_report(reported)
    before = {p: p.read_bytes() for p in first.files}
    (reported.folder / "report.yaml").write_text(
        _spec_with("  - table:\n      caption: T\n      frequencies: nosuch\n"), encoding="utf-8")
    with pytest.raises(SyrmakError):
        build_report(reported)
    assert {p: p.read_bytes() for p in first.files} == before
    leftovers = [p.name for p in reported.folder.iterdir() if p.name.startswith(".")]
    assert leftovers == [".syrmak-cache"]  # the chart cache; no temporary file


def test_missing_spec_is_a_clear_error(new_study):
    study = new_study()
    with pytest.raises(SyrmakError, match="no report spec") as info:
        build_report(study)
    assert info.value.code == "no-report-spec"
