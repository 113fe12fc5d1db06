"""Every CSV and XLSX syrmak writes is safe to open in a spreadsheet: an answer, label or
document name that starts like a formula stays text (OWASP "CSV injection")."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from syrmak.cli import main
from tests.survey.test_import_support import write_csv

#: What a spreadsheet reads as the start of a formula (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PAYLOADS = ['=HYPERLINK("http://x","y")', "=1+1", "+1", "-1+2", "@SUM(A1)"]


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_csv_safe(text: str, payloads=PAYLOADS) -> list[str]:
    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    for cell in cells:
        if cell.startswith(FORMULA_STARTS):
            assert _is_number(cell), f"formula-like cell written as is: {cell!r}"
    for payload in payloads:
        assert any(cell.startswith("'" + payload) for cell in cells), payload
    return cells


def assert_xlsx_safe(path, payloads=PAYLOADS) -> list:
    book = load_workbook(path)
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    for cell in cells:
        assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"
        if isinstance(cell.value, str):
            assert cell.data_type == "s"
            assert not cell.value.startswith(FORMULA_STARTS), cell.value
    texts = [c.value for c in cells if isinstance(c.value, str)]
    for payload in payloads:
        assert any(t.startswith("'" + payload) for t in texts), payload
    return cells


# -- the one function ----------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"),
    ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
    ("+1", "'+1"),
    ("-1+2", "'-1+2"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("Нет денег", "Нет денег"),
    ("a=b", "a=b"),
    ("", ""),
    (-1, -1),
    (-2.5, -2.5),
    (None, None),
])
def test_neutralise_prefixes_formula_text_and_leaves_numbers(value, expected):
    from syrmak.exports import neutralise

    assert neutralise(value) == expected


def test_frames_keep_their_numbers_and_neutralise_labels_categories_and_headers():
    import pandas as pd

    from syrmak.exports import neutralise_frame

    frame = pd.DataFrame({
        ("=group", "n"): [-1, 2],
        ("=group", "label"): pd.Categorical(["=1+1", "ok"]),
        ("b", "text"): pd.array(["@SUM(A1)", None], dtype="string"),
    }, index=pd.Index(["-1+2", "x"], name="+code"))
    out = neutralise_frame(frame)
    assert out.iloc[:, 0].tolist() == [-1, 2] and out.iloc[:, 0].dtype == frame.iloc[:, 0].dtype
    assert out.iloc[:, 1].tolist() == ["'=1+1", "ok"]
    assert out.iloc[0, 2] == "'@SUM(A1)" and pd.isna(out.iloc[1, 2])
    assert list(out.columns) == [("'=group", "n"), ("'=group", "label"), ("b", "text")]
    assert list(out.index) == ["'-1+2", "x"] and out.index.name == "'+code"
    assert frame.iloc[0, 1] == "=1+1"  # the caller's frame is left as it was


# -- responses -------------------------------------------------------------------------------

@pytest.fixture
def answered(study, tmp_path):
    """The small form's study with one formula-like story per respondent; staff -3 is a
    genuine (negative) number."""
    rows = [["kind", "staff", "story"]]
    rows += [["cso", str(-3 if i == 0 else i), payload] for i, payload in enumerate(PAYLOADS)]
    study.import_responses(write_csv(tmp_path / "r.csv", rows))
    return study


def test_responses_csv_neutralises_formulas(answered, tmp_path):
    out = tmp_path / "x.csv"
    run("responses", answered.folder, "-o", out)
    cells = assert_csv_safe(out.read_text(encoding="utf-8"))
    assert "-3" in cells  # a number written as a number, unprefixed


def test_responses_xlsx_is_a_workbook_without_formulas(answered, tmp_path):
    out = tmp_path / "x.xlsx"
    run("responses", answered.folder, "-o", out)
    cells = assert_xlsx_safe(out)
    numbers = [c for c in cells if c.value == -3]
    assert numbers and all(c.data_type == "n" for c in numbers)


# -- analysis tables -------------------------------------------------------------------------

@pytest.fixture
def formula_labels():
    from syrmak.analysis.frames import build_frame
    from syrmak.survey.instrument import Choice, Question, Questionnaire

    options = tuple(Choice(f"c{i}", {"en": p}) for i, p in enumerate(PAYLOADS))
    q = Question("q", "select_one", {"en": "=cmd|' /C calc'!A0"}, options, "l")
    form = Questionnaire("f", "t", None, "en", ("en",), (), (q,))
    frame = build_frame(form, {"q": ["c0", "c1", "c2", "c3", "c4", "c4"]})
    return form, frame


@pytest.mark.parametrize("kind", ["frequencies", "crosstab"])
def test_analysis_tables_neutralise_labels(formula_labels, kind, tmp_path):
    from syrmak.analysis import crosstab, frequencies
    from syrmak.render.results import render

    form, frame = formula_labels
    result = (frequencies(form, frame, "q") if kind == "frequencies"
              else crosstab(form, frame, "q", "q"))
    assert_csv_safe(render(result, "csv"))
    assert_xlsx_safe(render(result, "xlsx", tmp_path / "t.xlsx"))


# -- qualitative exports ---------------------------------------------------------------------

@pytest.fixture
def coded(study):
    from syrmak.qual.codebook import add_code
    from syrmak.qual.coding import code_span
    from syrmak.qual.documents import add_text

    add_code(study, "Theme")
    for payload in PAYLOADS:
        doc = add_text(study, payload, payload, variables={"group": payload})
        code_span(study, doc.id, 0, len(payload), "Theme", "anna")
    return study


@pytest.mark.parametrize("command", [["segments", "{dir}", "Theme"], ["docs", "list", "{dir}"],
                                     ["matrix", "quotes", "{dir}", "group"]])
def test_qualitative_exports_neutralise_text(coded, command, tmp_path):
    args = [str(coded.folder) if a == "{dir}" else a for a in command]
    csv_out, xlsx_out = tmp_path / "q.csv", tmp_path / "q.xlsx"
    run(*args, "--format", "csv", "-o", csv_out)
    assert_csv_safe(csv_out.read_text(encoding="utf-8"))
    run(*args, "--format", "xlsx", "-o", xlsx_out)
    assert_xlsx_safe(xlsx_out)


def test_library_writers_of_segments_and_quotes(coded, tmp_path):
    from syrmak.qual.matrices import quote_matrix
    from syrmak.qual.retrieval import retrieve

    segments = retrieve(coded, "Theme")
    assert_csv_safe(segments.to_csv(tmp_path / "s.csv").read_text(encoding="utf-8"))
    assert_xlsx_safe(segments.to_xlsx(tmp_path / "s.xlsx"))
    assert_xlsx_safe(quote_matrix(coded, "group").to_xlsx(tmp_path / "m.xlsx"))
