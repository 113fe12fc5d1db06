import csv
import io
import json
import math

import pytest
from openpyxl import load_workbook

from syrmak.analysis import banner, crosstab, frequencies, likert, multiple_response
from syrmak.errors import SyrmakError
from syrmak.render.results import (
    FORMATS,
    render,
    to_csv,
    to_json,
    to_markdown,
    to_table,
    to_xlsx,
)

COMMON_KEYS = {
    "version", "kind", "question", "title", "lang", "where", "weight", "respondents",
    "effective_n", "base", "rows", "columns", "counts", "percent", "ci", "tests", "notes",
}


@pytest.fixture(scope="module")
def results(civic, kz):
    return {
        "frequencies": frequencies(civic, kz, "importance", ci=True),
        "multiple_response": multiple_response(civic, kz, "spheres"),
        "crosstab": crosstab(civic, kz, "importance", "experience", ci=True),
        "crosstab_multiple": crosstab(civic, kz, "spheres", "respondent_type"),
        "banner": banner(civic, kz, "importance", ["experience", "regions"]),
        "likert": likert(civic, kz, "agree5", collapse={
            "Disagree": ["strongly_disagree", "rather_disagree"],
            "Agree": ["rather_agree", "strongly_agree"],
        }),
    }


@pytest.mark.parametrize("kind", ["frequencies", "multiple_response", "crosstab",
                                  "crosstab_multiple", "banner", "likert"])
def test_json_has_the_stable_keys_and_survives_a_round_trip(results, kind):
    result = results[kind]
    data = json.loads(to_json(result))
    assert set(data) >= COMMON_KEYS
    assert data["kind"] == result.kind
    assert len(data["counts"]) == len(data["rows"])
    assert all(len(row) == len(data["counts"][0]) for row in data["counts"])
    assert len(data["percent"]) == len(data["rows"])
    assert data == result.to_json()  # plain JSON types only


def test_frequencies_json_is_one_column(results):
    data = results["frequencies"].to_json()
    assert data["columns"] == [data["title"]]
    assert data["counts"] == [[2], [4], [16], [9]]
    assert data["base"] == 31
    assert len(data["ci"][0][0]) == 2
    assert data["tests"] == {}


def test_crosstab_json_tests_and_undefined_percent_is_null(civic, kz):
    data = crosstab(civic, kz, "adapt", "effect", percent="row").to_json()
    assert data["tests"]["chi2"]["df"] == 8
    assert data["ci"] is None
    data = banner(civic, kz, "importance", ["regions"]).to_json()
    shymkent = data["columns"].index("Shymkent")
    assert data["percent"][0][shymkent] is None  # nobody there: no percentage
    assert "NaN" not in json.dumps(data)


def test_table_prints_table_1(results):
    text = to_table(results["crosstab"], width=200)
    for value in ("3.23%", "6.45%", "12.90%", "38.71%", "25.81%", "29.03%", "51.61%",
                  "74.19%", "100.00%"):
        assert value in text
    lines = text.splitlines()
    body = [line for line in lines if line.startswith("More important than unimportant")]
    assert len(body) == 1 and "38.71%" in body[0] and "[23.73, 56.18]" in body[0]
    assert "chi-square(3)" in text
    # No pandas-isms: no NaN, no None, no index numbers.
    assert "nan" not in text.lower() and "None" not in text


def test_table_columns_line_up(results):
    text = to_table(results["likert"], width=200)
    lines = text.splitlines()
    rule = next(i for i, line in enumerate(lines) if line and set(line) == {"─"})
    header, body = lines[rule - 1], lines[rule + 1 : rule + 7]
    # Every row ends its Net column where the header's "Net" ends.
    end = header.index("Net") + len("Net")
    for line in body:
        assert line[end - 1] == "%"


def test_table_groups_stand_over_their_columns(results):
    """A crosstab's column options head their n and % columns: each title is centred
    over the span from its n to its %, with a rule under it."""
    result = results["crosstab"]
    lines = to_table(result, width=200).splitlines()
    rule = next(i for i, line in enumerate(lines) if line and set(line) == {"─"})
    heads, underline, titles = lines[rule - 1], lines[rule - 2], lines[rule - 3]
    for label in result.columns:
        start = titles.index(label)
        middle = start + len(label) / 2
        # The rule under the title spans the title's columns, the title in its middle.
        left = underline.rfind(" ", 0, start + 1) + 1
        right = underline.find(" ", start)
        right = len(underline) if right < 0 else right
        assert set(underline[left:right]) == {"─"}
        assert abs((left + right) / 2 - middle) <= 1
        assert heads[left:right].split() == ["n", "%", "95%", "CI"]


def test_table_fits_the_window_in_blocks(results):
    """Too wide for 80 columns, a table is printed in blocks that each fit, the row
    labels repeated and a group never cut in two; totals follow a dotted rule."""
    result = results["crosstab"]
    text = to_table(result, width=80)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    blocks = [i for i, line in enumerate(lines) if line and set(line) == {"─"}]
    assert len(blocks) >= 2
    assert sum(line.startswith("More important than unimportant") for line in lines) == \
        len(blocks)
    shown = " ".join(text.split())  # a title wrapped over its columns reads on
    for label in [*result.columns, "Total"]:
        assert label in shown
    assert sum(bool(line) and set(line) == {"╌"} for line in lines) == len(blocks)


@pytest.mark.parametrize("width", [40, 60, 100])
@pytest.mark.parametrize("kind", ["frequencies", "multiple_response", "crosstab", "banner",
                                  "likert"])
def test_no_line_wider_than_the_window_and_no_label_lost(results, kind, width):
    result = results[kind]
    lines = to_table(result, width=width).splitlines()
    assert max(len(line) for line in lines) <= width
    # A wrapped label's lines sit beside the row's numbers: look for its words.
    words = set(" ".join(lines).split())
    assert all(set(label.split()) <= words for label in result.rows)
    assert sum(line.startswith(result.rows[-1].split()[0]) for line in lines) >= 1


def test_table_leaves_missing_blank(results):
    text = to_table(results["frequencies"], width=120)
    missing = next(line for line in text.splitlines() if line.startswith("Missing"))
    # Missing has a count and a share of all, no valid percentage and no interval.
    assert len(missing.split()) == 3 and missing.split()[1].isdigit()


def test_csv_keeps_numbers(results):
    result = results["crosstab"]
    rows = list(csv.reader(io.StringIO(to_csv(result))))
    header = rows[0]
    assert header[1] == "No, we did not have such experience: n"
    first = rows[1]
    assert first[0] == "Difficult to answer"
    assert int(first[1]) == 1
    assert float(first[2]) == pytest.approx(result.percent[0][0], abs=1e-6)
    total = next(r for r in rows if r and r[0] == "Total")
    assert total[-2:] == ["31", "100.0"]
    assert any(r and r[0].startswith("chi-square") for r in rows)


def test_xlsx_bytes_and_path(results, tmp_path):
    data = to_xlsx(results["crosstab"])
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    header_row = next(i for i, r in enumerate(values) if r[1] == "n")
    first = values[header_row + 1]
    assert first[0] == "Difficult to answer"
    assert first[1] == 1
    assert first[2] == pytest.approx(1 / 31)
    cell = sheet.cell(row=header_row + 2, column=3)
    assert cell.number_format == "0.00%"
    path = to_xlsx(list(results.values()), tmp_path / "tables.xlsx")
    names = load_workbook(path).sheetnames
    assert len(names) == len(results) and len(set(names)) == len(names)
    assert all(len(n) <= 31 for n in names)


def test_markdown_table_is_well_formed(results):
    for result in results.values():
        text = to_markdown(result)
        table = [line for line in text.splitlines() if line.startswith("|")]
        widths = {line.count(" | ") for line in table if not line.startswith("|:")}
        assert len(widths) == 1
        assert table[1].startswith("|:---")


def test_render_dispatches_and_refuses_unknown_formats(results, tmp_path):
    result = results["frequencies"]
    assert set(FORMATS) == {"table", "csv", "xlsx", "json", "markdown"}
    assert render(result, "markdown") == to_markdown(result)
    assert render(result, "xlsx")[:2] == b"PK"
    path = render(result, "json", tmp_path / "f.json")
    assert json.loads(path.read_text(encoding="utf-8"))["kind"] == "frequencies"
    with pytest.raises(SyrmakError, match="unknown output format 'pdf'"):
        render(result, "pdf")


def test_other_texts_and_weighted_counts_in_text(civic, kz):
    text = to_table(multiple_response(civic, kz, "spheres", weight="w"))
    assert "Other answers: Animal welfare 0" in text
    assert "Kish effective n" in text
    counts = [line.split()[1] for line in text.splitlines() if line.startswith("Ecology")]
    assert "." in counts[0]  # weighted counts keep a decimal


def test_crosstab_to_frame(results):
    frame = results["crosstab"].to_frame()
    assert frame.loc["Total", ("Total", "n")] == 31
    assert frame.loc["Very important", ("Yes, we had a partnership/collaboration", "%")] == (
        pytest.approx(800 / 31)
    )
    assert not math.isnan(frame.loc["Total", ("Total", "%")])


@pytest.mark.parametrize("width", [60, 80, 100])
@pytest.mark.parametrize("kind", ["crosstab", "crosstab_multiple", "banner"])
def test_column_headings_never_break_inside_a_word(results, kind, width):
    """A group heading wraps between words ("Effectiveness / did not change"), never inside
    one ("Effectiven / ess"), as the issue found in the Word report's headers. (In a window
    narrower than the row labels plus the longest word, 40 here, a word still breaks.)"""
    result = results[kind]
    lines = to_table(result, width=width).splitlines()
    words = set(" ".join(lines).split())
    for label in result.columns:
        assert set(label.split()) <= words, (label, width)
