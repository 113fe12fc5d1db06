"""What the commands print for people, by snapshot (tests/snapshots/*.txt).

A snapshot is the whole output at a fixed terminal width of 80 columns. After an intended
change, rewrite them with ``SYRMAK_UPDATE_SNAPSHOTS=1 pytest tests/qual/test_cli_output.py``
and read the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from syrmak.cli import main
from syrmak.qual.codebook import add_code
from syrmak.qual.coding import code_span
from syrmak.qual.documents import add_text, link_respondent

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"

TEXT = ("Интервьюер: Как вы работали в пандемию?\n"
        "Респондент: Нет финансирования, и люди выгорают. Мы работали онлайн, "
        "и это было сложно: связь, усталость, никакой поддержки от доноров.\n")


@pytest.fixture
def coded(surveyed):
    add_code(surveyed, "Difficulties", description="Problems of activist work.")
    add_code(surveyed, "Difficulties/Burnout", colour="#CC3333")
    add_code(surveyed, "Funding")
    doc = add_text(surveyed, "interview-01", TEXT)
    link_respondent(surveyed, doc.id, 1)
    start = TEXT.index("Нет финансирования")
    code_span(surveyed, doc.id, start, start + 48, "Difficulties/Burnout", "anna")
    code_span(surveyed, doc.id, start, start + 19, "Funding", "anna")
    code_span(surveyed, doc.id, start, start + 48, "Difficulties/Burnout", "bob")
    return surveyed


def run(args: list[str]) -> str:
    result = CliRunner().invoke(main, args, env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return result.output


def check(name: str, output: str) -> None:
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("SYRMAK_UPDATE_SNAPSHOTS"):
        path.write_text(output, encoding="utf-8")
    assert output == path.read_text(encoding="utf-8"), f"{name}: output changed"


@pytest.mark.parametrize(("name", "args"), [
    ("docs-list", ["docs", "list", "DIR"]),
    ("codes-list", ["codes", "list", "DIR"]),
    ("segments", ["segments", "DIR", "Difficulties", "--context", "30"]),
    ("segments-none", ["segments", "DIR", "=Difficulties"]),
    ("agreement-disagreements", ["agreement", "DIR", "--coder", "anna", "--coder", "bob",
                                 "--disagreements"]),
    ("matrix-codes", ["matrix", "codes", "DIR", "kind", "--lang", "en"]),
    ("responses", ["responses", "DIR", "--lang", "en"]),
    ("docs-list-markdown", ["docs", "list", "DIR", "--format", "markdown"]),
    # The survey tables (render.results.to_table): groups over their columns, totals below
    # a dotted rule, tests and notes under the table; too wide for 80 columns, in blocks.
    ("freq", ["freq", "DIR", "kind", "--lang", "en"]),
    ("freq-multiple", ["freq", "DIR", "sphere", "--lang", "en"]),
    ("crosstab", ["crosstab", "DIR", "trust", "kind", "--lang", "en"]),
    ("crosstab-ci", ["crosstab", "DIR", "trust", "kind", "--lang", "en", "--ci"]),
    ("banner", ["banner", "DIR", "trust", "kind", "hope", "--lang", "en"]),
    ("likert", ["likert", "DIR", "trust", "hope", "--lang", "en"]),
    ("crosstab-markdown", ["crosstab", "DIR", "trust", "kind", "--lang", "en", "--format",
                           "markdown"]),
])
def test_output_for_people(coded, name, args):
    check(name, run([str(coded.folder) if a == "DIR" else a for a in args]))


def test_empty_codebook_says_so(study):
    out = run(["codes", "list", str(study.folder)])
    assert "Empty DataFrame" not in out and "The codebook is empty" in out


def test_md_is_still_read_as_markdown(coded):
    assert run(["docs", "list", str(coded.folder), "--format", "md"]) == \
        run(["docs", "list", str(coded.folder), "--format", "markdown"])


@pytest.mark.parametrize(("typed", "found"), [
    ("burnout", "Difficulties/Burnout"),
    ("difficulties/BURNOUT", "Difficulties/Burnout"),
    ("  funding ", "Funding"),
])
def test_code_names_ignore_case(coded, typed, found):
    out = run(["segments", str(coded.folder), f"={typed}", "--format", "csv"])
    assert found in out


def test_unknown_code_suggests_the_close_one(coded):
    result = CliRunner().invoke(main, ["segments", str(coded.folder), "=Burnot"])
    assert result.exit_code == 1
    assert "did you mean 'Burnout'?" in result.output


@pytest.mark.parametrize(("where", "found"), [
    (["kind = cso"], "1 segment."),                       # a choice name, as freq/crosstab take
    (["kind = Registered CSO", "--lang", "en"], "1 segment."),  # or its label
    (["kind=cso"], "1 segment."),                         # the old NAME=VALUE still reads
    (["kind = independent"], "No coded segments match."),
    (["staff >= 5"], "1 segment."),                       # comparisons, as in the tables
    (["staff > 5"], "No coded segments match."),
])
def test_where_speaks_the_tables_language(coded, where, found):
    # One --where language for survey and document variables (analysis.where).
    args = ["segments", str(coded.folder), "=Difficulties/Burnout", "--where", where[0],
            *where[1:]]
    assert run(args).strip().splitlines()[-1] == found
