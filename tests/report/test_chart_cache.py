"""Charts are drawn once: a rebuild with nothing changed redraws none, and SVG keeps text."""

from __future__ import annotations

import re
from dataclasses import replace

from syrmak.report import build_report, chart_cache, charts


def _counting(monkeypatch):
    drawn = []
    real = charts.render_both

    def counted(job):
        drawn.append(job[1])
        return real(job)

    monkeypatch.setattr(charts, "render_both", counted)
    return drawn


def test_a_rebuild_with_nothing_changed_draws_no_chart(reported, monkeypatch):
    drawn = _counting(monkeypatch)
    first = build_report(reported, workers=1)
    before = {p: p.read_bytes() for p in first.files}
    assert drawn  # the spec has figures, all drawn the first time
    drawn.clear()
    again = build_report(reported, workers=1)
    assert drawn == []
    assert {p: p.read_bytes() for p in again.files}.keys() == before.keys()
    html = [p for p in again.files if p.suffix == ".html"][0]
    assert html.read_bytes() == before[html]


def test_only_charts_missing_from_the_cache_are_redrawn(reported, monkeypatch):
    build_report(reported, workers=1)
    cache = reported.folder / ".syrmak-cache" / "charts"
    svgs = sorted(cache.glob("*.svg"))
    assert len(svgs) >= 2
    svgs[0].unlink()
    drawn = _counting(monkeypatch)
    build_report(reported, workers=1)
    assert len(drawn) == 1 and svgs[0].exists()


def test_the_key_follows_the_data_and_the_style(monkeypatch):
    bar = charts.BarChart(("Да", "Нет"), (60.0, 40.0), (3, 2), "%", "n = 5")
    job = (bar, "syrmak-f1", ("svg", "png"))
    assert chart_cache.key(job) == chart_cache.key((replace(bar), "syrmak-f1", ("svg", "png")))
    assert chart_cache.key(job) != chart_cache.key((replace(bar, percent=(59.0, 41.0)),
                                                    "syrmak-f1", ("svg", "png")))
    assert chart_cache.key(job) != chart_cache.key((bar, "syrmak-f1", ("svg",)))
    before = chart_cache.key(job)
    monkeypatch.setitem(charts.RC, "font.size", 10)
    assert chart_cache.key(job) != before


def test_svg_charts_keep_their_text_as_text_with_a_cyrillic_font_stack():
    bar = charts.BarChart(("Выгорание", "Қаражат"), (60.0, 40.0), (3, 2), "%", "n = 5")
    svg = charts.render(bar, "svg", "syrmak-test").decode("utf-8")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "Выгорание" in texts and "Қаражат" in texts
    assert "Noto Sans" in svg and "DejaVu Sans" in svg
