"""The HTML and Word outputs, checked by structure against the analysis results."""

from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser

import docx
import pytest
from docx.oxml.ns import qn
from PIL import Image
from tests.report.conftest import data_tables, paragraphs

from syrmak import analysis as A
from syrmak.report import build_report, resolve_report
from syrmak.report.build import fmt_percent


@pytest.fixture(scope="module")
def built(shared_reported):
    return build_report(shared_reported)


@pytest.fixture
def reported_once(shared_reported):
    return shared_reported


def _paths(result):
    return {p.suffix: p for p in result.files}


# --------------------------------------------------------------------------- Word


def test_docx_has_real_headings_toc_field_and_language(built):
    document = docx.Document(_paths(built)[".docx"])
    headings = [(p.style.name, p.text) for p in document.paragraphs
                if p.style.name.startswith("Heading")]
    assert headings == [("Heading 1", "Results"), ("Heading 2", "Voices")]
    assert document.paragraphs[0].style.name == "Title"
    body = document.element.body.xml
    assert "PAGEREF _Toc00000001" in body
    assert "w:updateFields" in document.settings.element.xml
    # The contents field's cached result already lists the headings.
    assert [p.text for p in document.paragraphs if p.style.name == "TOC Heading"] == ["Contents"]


def test_docx_captions_are_numbered_seq_fields(built):
    document = docx.Document(_paths(built)[".docx"])
    # Figure captions sit in the figure's floating frame (a one-cell table), with it.
    captions = [p for p in paragraphs(document) if p.style.name == "Caption"]
    assert [p.text for p in captions] == [
        "Table 1. Kind by political", "Table 2. Agreement", "Figure 1. Where they work",
        "Figure 2. Perception", "Figure 3. Tools before and during",
        "Figure 4. Agreement, diverging"]
    fields = [f.text.strip() for p in captions for f in p._p.iter(qn("w:instrText"))]
    assert fields == ["SEQ Table \\* ARABIC"] * 2 + ["SEQ Figure \\* ARABIC"] * 4


def test_docx_table_cells_equal_the_analysis_results(built, reported_once):
    reported = reported_once
    document = docx.Document(_paths(built)[".docx"])
    frame = reported.responses(lang="en")
    form = reported.questionnaire
    cross = A.crosstab(form, frame, "kind", "political", lang="en")
    table = data_tables(document)[0]
    grid = [[c.text for c in row.cells] for row in table.rows]
    assert grid[0][0] == cross.title and grid[0][1] == cross.column_title
    assert grid[1][1:] == [*cross.columns, "Total"]
    for i, label in enumerate(cross.rows):
        row = grid[2 + i]
        assert row[0] == label
        assert row[1:-1] == [fmt_percent(p) for p in cross.percent[i]]
        assert row[-1] == fmt_percent(cross.row_total_percent[i])
    assert grid[-1] == ["Total", *[fmt_percent(p) for p in cross.column_total_percent], "100%"]

    likert = A.likert(form, frame, ["trust", "hope"], dont_know=["dk"], base="all", lang="en")
    table = data_tables(document)[1]
    grid = [[c.text for c in row.cells] for row in table.rows]
    assert grid[0] == ["Do you agree with the statements?", *likert.columns]
    for i, label in enumerate(likert.rows):
        assert grid[1 + i] == [label, *[fmt_percent(p) for p in likert.percent[i]]]


def test_docx_has_one_png_per_figure_at_200_dpi_or_more(built):
    document = docx.Document(_paths(built)[".docx"])
    blips = document.element.body.findall(".//" + qn("a:blip"))
    assert len(blips) == 4
    for blip in blips:
        part = document.part.related_parts[blip.get(qn("r:embed"))]
        assert part.content_type == "image/png"
        image = Image.open(io.BytesIO(part.blob))
        dpi = image.info.get("dpi", (0, 0))
        assert min(dpi) >= 199.5
        assert image.size[0] >= 6 * 200
    descriptions = [e.get("descr") for e in document.element.body.iter(qn("wp:docPr"))]
    assert all(d.startswith("Figure ") and "n = " in d for d in descriptions)


def test_docx_quotes_translation_attribution_then_original(built):
    document = docx.Document(_paths(built)[".docx"])
    texts = [p.text for p in document.paragraphs]
    i = texts.index("Before the pandemic we never had enough money for the office rent.")
    assert texts[i + 1] == ("Respondent 1, representative of an CSO pursuing political "
                            "activities, interview quote")
    assert texts[i + 2] == "Original in Russian:"
    assert texts[i + 3] == "До пандемии нам всё время не хватало денег на аренду офиса."
    j = texts.index("No money for the office rent.")
    assert texts[j + 1] == ("Respondent 1, representative of an CSO pursuing political "
                            "activities, survey quote")
    # The third quote has no translation: the original stands alone, then its source.
    k = texts.index("Было сложно переходить в онлайн, но мы справились.")
    assert texts[k - 1] != "Original in Russian:"
    assert texts[k + 1].startswith("Respondent 1,")
    original = document.paragraphs[i + 3].runs[0]._r
    assert original.find(".//" + qn("w:lang")).get(qn("w:val")) == "ru-RU"


def test_docx_and_html_are_byte_for_byte_reproducible(shared_reported, tmp_path):
    reported = shared_reported
    first = build_report(reported, out=tmp_path / "a")
    second = build_report(reported, out=tmp_path / "b")
    for a, b in zip(first.files, second.files, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    with zipfile.ZipFile(first.files[1]) as package:
        assert {i.date_time for i in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = package.read("docProps/core.xml").decode()
    created = reported.meta("created_at")[:19]
    assert f">{created}Z<" in core or f">{created}" in core


# --------------------------------------------------------------------------- HTML


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.stack: list[str] = []
        self.text: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.stack.append(tag)

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data):
        if self.stack:
            self.text.setdefault(self.stack[-1], []).append(data)


def test_html_is_self_contained(built):
    html = _paths(built)[".html"].read_text(encoding="utf-8")
    parser = _Collect()
    parser.feed(html)
    tags = [t for t, _ in parser.tags]
    assert "script" not in tags and "img" not in tags and "link" not in tags
    assert "iframe" not in tags and "object" not in tags
    for _, attrs in parser.tags:
        for key in ("src", "href", "xlink:href", "srcset", "action"):
            value = attrs.get(key)
            # In-page anchors, or the colour bar's pixels embedded in the map's SVG.
            assert value is None or value.startswith(("#", "data:image/png;base64,")), key
    assert not re.search(r"url\(\s*['\"]?(?!#)", html), "CSS must not load anything"
    assert "@import" not in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert "@media print" in html
    assert tags.count("svg") == 4
    assert html.count('<figure class="chart"') == 4
    assert html.count('<figure class="table"') == 2


def test_html_structure_numbers_and_quotes(built, reported_once):
    reported = reported_once
    html = _paths(built)[".html"].read_text(encoding="utf-8")
    assert '<h2 id="results">Results</h2>' in html
    assert '<nav class="toc"' in html and '<a href="#results">Results</a>' in html
    frame = reported.responses(lang="en")
    change = A.frequencies(reported.questionnaire, frame, "change", lang="en")
    better = fmt_percent(change.percent[0], 0)
    assert better == "57%"  # 4 of the 7 who answered
    assert f"Most respondents ({better}) say" in html
    assert "5 work in Almaty" in html
    assert '<a href="#cross">Table 1</a>' in html and '<a href="#regions">Figure 1</a>' in html
    quote = re.search(r'<blockquote class="quote" id="quote-1">(.*?)</blockquote>', html, re.S)
    inner = quote.group(1)
    order = [inner.index(x) for x in ("Before the pandemic we never", "Respondent 1,",
                                      "Original in Russian:", "До пандемии нам")]
    assert order == sorted(order)
    assert 'lang="ru"' in inner
    assert "Boundaries: geokz" in html  # the map's attribution under it
    assert "Not on the map: Whole country: 2 (25%)" in html


def test_html_figures_carry_n_and_a_text_alternative(built):
    html = _paths(built)[".html"].read_text(encoding="utf-8")
    titles = re.findall(r'<svg[^>]*role="img"[^>]*><title id="([^"]+)-alt">([^<]*)</title>',
                        html)
    assert [anchor for anchor, _ in titles] == ["regions", "figure-2", "figure-3", "figure-4"]
    assert all("n = " in text for _, text in titles)
    perception = titles[1][1]
    assert "Changed for the better: 57%" in perception and "n = 7 of 8" in perception


def test_resolved_report_keeps_the_results_for_notebooks(shared_reported):
    reported = shared_reported
    report = resolve_report(reported)
    assert [t.number for t in report.tables] == [1, 2]
    assert isinstance(report.tables[0].result, A.Crosstab)
    assert report.figures[0].svg is None  # charts are drawn only when rendering
    assert len(report.warnings) == 1 and "no translation into 'en'" in report.warnings[0]


def test_chart_workers_draw_the_same_bytes_as_one_process(shared_reported):
    from syrmak.report import _draw_in_workers
    from syrmak.report import charts as C

    report = resolve_report(shared_reported)
    jobs = [(f.chart, f"syrmak-{f.anchor}", ("svg", "png")) for f in report.figures]
    steps = []
    assert _draw_in_workers(jobs, 2, steps.append) == [C.render_both(j) for j in jobs]
    assert steps == [f"Chart {i}" for i in range(1, 5)]


def test_a_failing_chart_worker_is_reported():
    from dataclasses import replace

    from syrmak.report import _draw_in_workers
    from syrmak.report import charts as C

    broken = replace(C.BarChart(("a",), (1.0,), (1.0,), "%", "n = 1"), labels=None)
    with pytest.raises(RuntimeError, match="chart worker failed"):
        _draw_in_workers([(broken, "s", ("svg",))], 1, None)


def test_filters_on_tables_figures_and_live_numbers(shared_reported):
    from syrmak.report import parse_spec

    spec = parse_spec(
        "lang: en\ncontent:\n"
        "  - text: '{{ pct: change = better; where: kind = cso }} of CSOs'\n"
        "  - table: {caption: CSOs, frequencies: change, where: kind = cso}\n"
        "  - figure: {caption: CSOs, chart: bar, question: change, where: kind = cso}\n")
    report = resolve_report(shared_reported, spec)
    table = report.tables[0]
    assert table.result.where == "kind = cso" and table.result.valid == 5
    assert report.figures[0].result.where == "kind = cso"
    assert report.blocks[0].markdown.startswith("80% of CSOs")  # 4 of the 5 CSOs
    assert [c.text for c in table.body[-1]] == ["Total", "5", "100%"]
