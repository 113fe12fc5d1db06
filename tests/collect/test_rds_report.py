"""The recruitment tree and the RDS-II table in the report (HTML and Word), and the charts
of 'syrmak rds --chart', on a survey collected through coupons."""

from __future__ import annotations

import re
import textwrap

import docx
import pytest
from click.testing import CliRunner

from syrmak.cli import main
from syrmak.errors import SyrmakError
from tests.collect.conftest import GOOD
from tests.collect.test_degree_marker import marked_survey
from tests.forms import write_xlsform
from tests.report.conftest import data_tables, paragraphs

HOST = "http://127.0.0.1:8765"


def collect(study, path):
    """Publish ``path`` and collect two seeds' trees through coupon links:
    1 -> 2 -> 4, 1 -> 3; 5 -> 6 (kind and staff, the degree, vary)."""
    from syrmak.collect import coupons, forms
    from syrmak.web.app import create_survey_app
    from tests.collect.test_coupons import respond

    study.load_questionnaire(path)
    forms.publish(study, path)
    app = create_survey_app(study)
    first, second = coupons.issue_seeds(study, 2)
    _, links1 = respond(app, f"/survey?c={first}", {**GOOD, "staff": "10"})
    _, links2 = respond(app, links1[0].removeprefix(HOST),
                        {**GOOD, "kind": "independent", "staff": "2"})
    respond(app, links1[1].removeprefix(HOST), {**GOOD, "kind": "independent", "staff": "4"})
    respond(app, links2[0].removeprefix(HOST), {**GOOD, "staff": "5"})
    _, links5 = respond(app, f"/survey?c={second}", {**GOOD, "staff": "8"})
    respond(app, links5[0].removeprefix(HOST), {**GOOD, "kind": "independent", "staff": "1"})
    return study


@pytest.fixture
def recruited(new_study, tmp_path):
    path = write_xlsform(tmp_path / "marked.xlsx", marked_survey({"staff": "degree"}))
    return collect(new_study(), path)


SPEC = """\
    title: Snowball
    lang: en
    content:
      - text: "{{ ref: est }} and {{ ref: tree }}."
      - table:
          caption: Whom they represent
          frequencies: kind
      - tree:
          caption: Who recruited whom
          question: kind
          id: tree
      - rds:
          caption: Whom they represent, RDS-II
          question: kind
          replicates: 200
          id: est
"""


def build(study, spec: str):
    from syrmak.report import build_report

    (study.folder / "report.yaml").write_text(textwrap.dedent(spec), encoding="utf-8")
    return build_report(study, study.folder / "report.yaml", out=f"{study.folder}/out/")


def expected_rows(study):
    """RDS-II computed by the library directly, formatted as the table prints it."""
    from syrmak.analysis import rds
    from syrmak.collect.tree import recruitment
    from syrmak.report.build import fmt_percent

    frame = study.responses("en", ["kind", "staff"])
    tree = recruitment(study)
    result = rds.estimate(tree, frame["kind"], frame["staff"], replicates=200,
                          categories=("Registered CSO", "Independent activist"))
    return [[c, fmt_percent(result.sample[i] * 100, 1), fmt_percent(result.estimate[i] * 100, 1),
             f"{fmt_percent(result.lower[i] * 100, 1, False)}–"
             f"{fmt_percent(result.upper[i] * 100, 1, False)}"]
            for i, c in enumerate(result.categories)], result


def test_tree_and_rds_blocks_in_html_and_word(recruited):
    rows, result = expected_rows(recruited)
    # By hand: CSO 1/10 + 1/5 + 1/8, independent 1/2 + 1/4 + 1/1 (degrees from 'staff').
    cso, ind = 1 / 10 + 1 / 5 + 1 / 8, 1 / 2 + 1 / 4 + 1
    assert result.estimate == pytest.approx((cso / (cso + ind), ind / (cso + ind)))
    done = build(recruited, SPEC)
    report = done.report
    assert [t.number for t in report.tables] == [1, 2]
    assert [f.number for f in report.figures] == [1]
    assert len(report.figures[0].chart.nodes) == 6
    # Drawn once, kept in the study's chart cache like every report chart.
    assert len(list((recruited.folder / ".syrmak-cache" / "charts").glob("*.svg"))) == 1
    html = (recruited.folder / "out" / "report.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    flat = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    assert "Table 2 and Figure 1." in flat
    assert "Figure 1. Who recruited whom" in flat
    assert "Table 2. Whom they represent, RDS-II" in flat
    for row in rows:
        assert " ".join(row) in text
    assert "6 respondents from 2 seeds, deepest wave 2" in text
    assert "<svg" in html and "Whom do you represent?" in html
    document = docx.Document(recruited.folder / "out" / "report.docx")
    table = next(t for t in data_tables(document) if t.rows[0].cells[0].text == "Category")
    cells = [[c.text for c in r.cells] for r in table.rows]
    assert cells[0] == ["Category", "Sample, %", "RDS-II, %", "95% interval"]
    assert cells[1:3] == rows
    assert cells[3][:2] == ["n", "6"]
    captions = [p.text for p in paragraphs(document) if p.text.startswith(("Figure", "Table"))]
    assert any("Who recruited whom" in c for c in captions)
    assert any("Whom they represent, RDS-II" in c for c in captions)
    assert len(document.inline_shapes) == 1


@pytest.mark.parametrize(("spec", "words", "line"), [
    ("- rds: {caption: X, question: kinds}", "rds block's 'question' field", 3),
    ("- rds: {caption: X, question: kind, degree: story}", "rds block's 'degree' field", 3),
    ("- tree: {caption: X, question: staff}", "tree block's 'question' field", 3),
    ("- tree: {caption: X}", "tree block has no 'question' field", 3),
    ("- rds: {caption: X, question: kind, level: 2}", "rds block's 'level' field", 3),
])
def test_bad_blocks_name_the_spec_the_block_and_the_field(recruited, spec, words, line):
    with pytest.raises(SyrmakError) as caught:
        build(recruited, f"title: T\ncontent:\n  {spec}\n")
    error = caught.value
    assert words in error.message
    assert (error.location.file, error.location.line) == ("report.yaml", line)
    assert error.hint
    assert not (recruited.folder / "out").exists()  # nothing written


def test_no_degree_question_is_named_in_the_rds_block(published):
    with pytest.raises(SyrmakError) as caught:
        build(published[0], "title: T\ncontent:\n  - rds: {caption: X, question: kind}\n")
    assert "rds block's 'degree' field" in caught.value.message
    assert "rds" in caught.value.hint and caught.value.location.file == "report.yaml"


def test_no_recruitment_is_named_in_the_tree_block(published):
    with pytest.raises(SyrmakError) as caught:
        build(published[0], "title: T\ncontent:\n  - text: hi\n"
                            "  - tree: {caption: X, question: kind}\n")
    error = caught.value
    assert "tree block" in error.message and "referral coupon" in error.message
    assert (error.location.file, error.location.line) == ("report.yaml", 4)


def test_a_chart_written_to_a_file_is_an_audited_export(recruited, tmp_path):
    """The tree shows each respondent's number and answer: writing it out is an export."""
    from syrmak.privacy import audit

    out = tmp_path / "tree.svg"
    done = CliRunner().invoke(main, ["rds", str(recruited.folder), "-q", "kind", "--chart",
                                     "tree", "--out", str(out), "--replicates", "50"])
    assert done.exit_code == 0, done.output
    exports = audit.entries(recruited, action="export")
    assert [e.detail for e in exports][-1:] == [{"file": "tree.svg", "format": "rds-tree"}]
    assert audit.verify(recruited).broken is None


@pytest.mark.parametrize("kind", ["tree", "convergence", "bottleneck"])
def test_cli_draws_the_chart_to_a_file(recruited, tmp_path, kind):
    out = tmp_path / f"{kind}.svg"
    done = CliRunner().invoke(main, ["rds", str(recruited.folder), "-q", "kind", "--chart",
                                     kind, "--out", str(out), "--replicates", "50",
                                     "--lang", "ru"])
    assert done.exit_code == 0, done.output
    svg = out.read_text(encoding="utf-8")
    assert svg.lstrip().startswith(("<?xml", "<svg"))
    assert "Независимый активист" in svg
    png = tmp_path / f"{kind}.png"
    done = CliRunner().invoke(main, ["rds", str(recruited.folder), "-q", "kind", "--chart",
                                     kind, "--out", str(png), "--replicates", "50"])
    assert done.exit_code == 0, done.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_chart_refuses_an_unknown_format_and_a_missing_question(recruited, tmp_path):
    folder = str(recruited.folder)
    done = CliRunner().invoke(main, ["rds", folder, "-q", "kind", "--chart", "tree",
                                     "--out", str(tmp_path / "t.pdf")])
    assert done.exit_code != 0 and ".svg or .png" in done.output
    assert not (tmp_path / "t.pdf").exists()
    done = CliRunner().invoke(main, ["rds", folder, "--chart", "tree",
                                     "--out", str(tmp_path / "t.svg")])
    assert done.exit_code != 0 and "--question" in done.output
