"""The report's tables of every kind, laid out by syrmak.render (render.published and
grid.to_cells): spans, total and base rows, ``show`` and ``decimals``, cell by cell against
the analysis results."""

from __future__ import annotations

import pytest

from syrmak import analysis as A
from syrmak.render.cells import fmt_count, fmt_percent
from syrmak.report import i18n, resolve_report

SPEC = """\
title: Tables
lang: en
content:
  - table: {caption: Kinds, frequencies: {question: kind}, decimals: 1}
  - table: {caption: Regions, multiple: {question: region}, show: count}
  - table: {caption: Both, crosstab: {rows: trust, columns: kind, percent: column}, show: both}
  - table: {caption: Banner, banner: {rows: trust, columns: [kind, political]}}
  - table: {caption: Agreement, likert: {items: [trust, hope]}, show: count, corner: ""}
"""


@pytest.fixture(scope="module")
def tables(shared_reported):
    study = shared_reported
    path = study.folder / "tables.yaml"
    path.write_text(SPEC, encoding="utf-8")
    report = resolve_report(study, path)
    frame = study.responses(lang="en")
    return report.tables, study.analysis_questionnaire, frame


def _texts(rows):
    return [[c.text for c in row] for row in rows]


def test_frequencies_with_a_total_row(tables):
    (freq, *_), form, frame = tables
    r = A.frequencies(form, frame, "kind", lang="en")
    assert _texts(freq.header) == [[r.title, i18n.word("en", "count"), i18n.word("en", "percent")]]
    body = _texts(freq.body)
    assert body[:-1] == [[label, fmt_count(n), fmt_percent(p, 1)]
                         for label, n, p in zip(r.rows, r.counts, r.percent, strict=True)]
    assert body[-1] == ["Total", fmt_count(r.valid), "100%"]
    assert all(c.header for c in freq.body[-1]) and not any(c.header for c in freq.body[0])


def test_multiple_response_ends_with_its_base(tables):
    (_, multiple, *_), form, frame = tables
    r = A.multiple_response(form, frame, "region", lang="en")
    assert _texts(multiple.header) == [[r.title, i18n.word("en", "count")]]
    assert _texts(multiple.body)[:-1] == [[label, fmt_count(n)]
                                          for label, n in zip(r.rows, r.counts, strict=True)]
    last = multiple.body[-1]
    assert last[0].text.startswith("n = ") and last[1].text == "" and last[0].header


def test_crosstab_counts_and_percentages_under_the_column_question(tables):
    (_, _, both, *_), form, frame = tables
    r = A.crosstab(form, frame, "trust", "kind", percent="column", lang="en")
    top, second = both.header
    assert (top[0].text, top[0].rowspan) == (r.title, 2)
    assert (top[1].text, top[1].colspan) == (r.column_title, len(r.columns) + 1)
    assert [c.text for c in second] == [*r.columns, "Total"]
    for i, row in enumerate(_texts(both.body)[:-1]):
        assert row[1:-1] == [f"{fmt_count(n)} ({fmt_percent(p)})"
                             for n, p in zip(r.counts[i], r.percent[i], strict=True)]
    assert _texts(both.body)[-1][0] == "Total"
    assert _texts(both.body)[-1][-1] == f"{fmt_count(r.base)} (100%)"


def test_banner_groups_span_their_columns_and_end_with_the_bases(tables):
    (*_, banner, _), form, frame = tables
    r = A.banner(form, frame, "trust", ["kind", "political"], lang="en")
    top, second = banner.header
    assert top[0].rowspan == 2 and top[1].text == ""
    assert [(c.text, c.colspan) for c in top[2:]] == [(g.title, g.stop - g.start)
                                                      for g in r.groups]
    assert [c.text for c in second] == [r.columns[0]] + [
        f"{r.columns[j]} ({r.letters[j]})" for j in range(1, len(r.columns))]
    for i, row in enumerate(_texts(banner.body)[:-1]):
        assert row[1:] == [fmt_percent(p) + (f" {m}" if m else "")
                           for p, m in zip(r.percent[i], r.marks[i], strict=True)]
    assert _texts(banner.body)[-1] == ["n", *(fmt_count(b) for b in r.bases)]


def test_likert_counts_with_an_empty_corner(tables):
    (*_, likert), form, frame = tables
    r = A.likert(form, frame, ["trust", "hope"], lang="en")
    assert _texts(likert.header) == [["", *r.columns]]
    assert _texts(likert.body) == [[label, *(fmt_count(n) for n in r.counts[i])]
                                   for i, label in enumerate(r.rows)]
