"""Charts and the map: deterministic bytes, what is drawn, matching regions to options."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from syrmak.errors import SyrmakError
from syrmak.report import charts as C
from syrmak.report import geo
from syrmak.survey.instrument import Choice, Question

BAR = C.BarChart(("Первый вариант", "Second option, with a rather long label to wrap"),
                 (58.06, 41.94), (18.0, 13.0), "% of respondents", "n = 31")
STACK = C.StackedChart(("Item A", "Item B"), ("Disagree", "Neither", "Agree", "Don't know"),
                       ((20.0, 30.0, 40.0, 10.0), (50.0, 10.0, 40.0, 0.0)), 3, True,
                       "% of respondents", "n = 10")
GROUPED = C.GroupedChart(("Zoom", "WhatsApp"), ("Before", "During"),
                         ((19.35, 80.65), (93.55, 90.32)), ((6.0, 25.0), (29.0, 28.0)),
                         "% of respondents", "n = 31")


@pytest.mark.parametrize("chart", [BAR, STACK, GROUPED,
                                   C.StackedChart(STACK.items, STACK.categories, STACK.percent,
                                                  3, False, "%", "n = 10")])
def test_same_chart_same_bytes(chart):
    svg1, png1 = C.render_both((chart, "salt-1", ("svg", "png")))
    svg2, png2 = C.render_both((chart, "salt-1", ("svg", "png")))
    assert svg1 == svg2 and png1 == png2
    text = svg1.decode()
    assert "<dc:date>" not in text
    # Distinct salts give distinct element ids, so several SVGs can live in one page.
    other, _ = C.render_both((chart, "salt-2", ("svg",)))
    ids1 = set(re.findall(r'id="([^"]+)"', text))
    ids2 = set(re.findall(r'id="([^"]+)"', other.decode()))
    hashed = {i for i in ids1 if re.fullmatch(r"[a-z]+[0-9a-f]{8,}", i)}
    assert hashed and not hashed & ids2


def test_png_resolution_and_width():
    _, png = C.render_both((BAR, "s", ("png",)))
    image = Image.open(io.BytesIO(png))
    assert min(image.info["dpi"]) >= 199.5  # PNG stores pixels per metre
    assert image.size[0] == pytest.approx(C.WIDTH_IN * C.PNG_DPI, abs=2)


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))
            if t.get_text()]


def test_bar_chart_labels_values_and_n():
    fig = C.draw(BAR)
    texts = " | ".join(_texts(fig))
    assert "58% (18)" in texts and "42% (13)" in texts
    assert "n = 31" in texts
    assert "Первый вариант" in texts


def test_diverging_chart_is_centred_on_the_neutral_category():
    fig = C.draw(STACK)
    ax = fig.axes[0]
    bars = [p for p in ax.patches]
    # Item A: Disagree 20 then Neither 30 (split around 0), Agree 40.
    item_a = [b for b in bars if abs(b.get_y() + b.get_height() / 2) < 1e-6]
    lefts = sorted((round(b.get_x(), 6), round(b.get_width(), 6)) for b in item_a)
    assert lefts == [(-35.0, 20.0), (-15.0, 30.0), (15.0, 40.0)]
    # "Don't know" is drawn beside, not on the scale.
    side = fig.axes[1]
    assert [round(p.get_width(), 6) for p in side.patches] == [10.0, 0.0]


def test_grouped_chart_has_one_bar_per_option_and_series():
    fig = C.draw(GROUPED)
    ax = fig.axes[0]
    assert len(ax.patches) == 4
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Zoom", "WhatsApp"]
    legend = fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == ["Before", "During"]


def _question(*choices: tuple[str, str, str]) -> Question:
    return Question("region", "select_multiple", {"en": "Regions"},
                    tuple(Choice(n, {"en": en, "ru": ru}) for n, en, ru in choices), "region")


def test_packaged_boundaries_are_kazakhstan_2021_with_attribution():
    b = geo.load_boundaries(None)
    assert len(b.features) == 17
    codes = {f.properties["iso_3166_2"] for f in b.features}
    assert {"KZ-ALA", "KZ-ALM", "KZ-AST", "KZ-SHY"} <= codes
    assert "geokz" in b.attribution and "CC BY 4.0" in b.attribution


def test_options_match_by_iso_code_or_russian_kazakh_english_name():
    b = geo.load_boundaries(None)
    q = _question(("KZ-ALA", "Almaty", "Алматы"),                     # ISO code
                  ("capital", "The capital", "Нур-Султан"),           # Russian name
                  ("kar", "Karaganda Region", "Карагандинская"),       # English name
                  ("shym", "Shym", "Шымкент"),                         # Russian (city)
                  ("ak", "Ақмола облысы", "Акмола"),                   # Kazakh name
                  ("national", "Whole country", "Весь Казахстан"))
    matched = geo.match_options(q, b)
    name = {k: (None if v is None else b.features[v].properties["iso_3166_2"])
            for k, v in matched.items()}
    assert name == {"KZ-ALA": "KZ-ALA", "capital": "KZ-AST", "kar": "KZ-KAR",
                    "shym": "KZ-SHY", "ak": "KZ-AKM", "national": None}


def test_ambiguous_or_absent_matches_are_errors():
    b = geo.load_boundaries(None)
    both = _question(("x", "Almaty", "Алматинская область"))
    with pytest.raises(SyrmakError, match="matches several map areas") as info:
        geo.match_options(both, b)
    assert info.value.code == "ambiguous-map-match"
    none = _question(("a", "Atlantis", "Атлантида"))
    with pytest.raises(SyrmakError, match="no option of 'region' matches"):
        geo.match_options(none, b)
    # With an explicit property only that property is used.
    iso_only = _question(("KZ-ALA", "x", "y"), ("b", "Akmola Region", "z"))
    matched = geo.match_options(iso_only, b, "iso_3166_2")
    assert matched["b"] is None and matched["KZ-ALA"] is not None


def test_map_draws_every_feature_with_counts_and_outside_note():
    b = geo.load_boundaries(None)
    values = tuple(12.0 if f.properties["iso_3166_2"] == "KZ-ALA" else 0.0 for f in b.features)
    chart = C.MapChart(tuple(f.rings for f in b.features), tuple(f.name("en") for f in
                                                                  b.features),
                       tuple(f.kind for f in b.features), values, "Respondents", "n = 31",
                       "Not on the map: Whole country: 5 (16%)")
    fig = C.draw(chart)
    ax = fig.axes[0]
    from matplotlib.patches import PathPatch

    patches = [p for p in ax.patches if isinstance(p, PathPatch)]
    assert len(patches) == 17
    texts = " | ".join(_texts(fig))
    assert "Almaty" in texts and "12" in texts and "Whole country: 5 (16%)" in texts
    assert "n = 31" in texts
    svg, png = C.render_both((chart, "map", ("svg", "png")))
    assert svg.startswith(b"<?xml") and png[:8] == b"\x89PNG\r\n\x1a\n"


def test_custom_geojson_file(tmp_path):
    path = tmp_path / "two.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "properties": {"name": "North"}, "geometry": {"type": "Polygon",'
        ' "coordinates": [[[0,1],[1,1],[1,2],[0,2],[0,1]]]}},'
        '{"type": "Feature", "properties": {"name": "South"}, "geometry": {"type":'
        ' "MultiPolygon", "coordinates": [[[[0,0],[1,0],[1,1],[0,1],[0,0]]]]}}]}',
        encoding="utf-8")
    b = geo.load_boundaries("two.geojson", tmp_path)
    assert [f.name("en") for f in b.features] == ["North", "South"]
    q = _question(("n", "North", "Север"), ("s", "South", "Юг"))
    assert geo.match_options(q, b, "name") == {"n": 0, "s": 1}
    with pytest.raises(SyrmakError, match="does not exist") as info:
        geo.load_boundaries("missing.geojson", tmp_path, file="report.yaml", line=9)
    assert info.value.location.line == 9
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"geometry": {"type": "Point",'
                   ' "coordinates": [0, 0]}}]}', encoding="utf-8")
    with pytest.raises(SyrmakError, match="cannot read the map file"):
        geo.load_boundaries(bad)


def _kz_map(counts: dict[str, float], **extra) -> C.MapChart:
    b = geo.load_boundaries(None)
    values = tuple(counts.get(f.properties["iso_3166_2"], 0.0) for f in b.features)
    return C.MapChart(tuple(f.rings for f in b.features), tuple(f.name("en") for f in
                                                                 b.features),
                      tuple(f.kind for f in b.features), values, "Respondents", "n = 31",
                      None, extra)


def _fill(fig, name: str) -> str:
    """The colour of the region whose label starts with ``name``."""
    from matplotlib.colors import to_hex
    from matplotlib.patches import PathPatch

    ax = fig.axes[0]
    patches = [p for p in ax.patches if isinstance(p, PathPatch)]
    b = geo.load_boundaries(None)
    (i,) = [k for k, f in enumerate(b.features) if f.name("en") == name]
    return to_hex(patches[i].get_facecolor())


def test_map_keeps_one_and_two_apart_when_two_cities_stretch_the_scale():
    """Issue 10: with 10 and 12 in the cities, regions with 1 and 2 respondents had the
    same pale blue on a continuous scale."""
    fig = C.draw(_kz_map({"KZ-ALA": 12.0, "KZ-AST": 10.0, "KZ-ATY": 2.0, "KZ-AKM": 1.0},
                         city_legend="city, counted apart from its region"))
    one, two = _fill(fig, "Akmola Region"), _fill(fig, "Atyrau Region")
    rgb = [tuple(int(c[k:k + 2], 16) for k in (1, 3, 5)) for c in (one, two)]
    assert sum(abs(a - b) for a, b in zip(*rgb, strict=True)) > 60
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["0", "1", "2", "3\u20134", "5\u20139", "10\u201312",
                      "city, counted apart from its region"]


@pytest.mark.parametrize(("values", "classes"), [
    ([1], [(1, 1)]),
    ([1, 2, 5], [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5)]),
    ([1, 2, 6], [(1, 1), (2, 2), (3, 4), (5, 6)]),
    ([12, 10, 2, 1], [(1, 1), (2, 2), (3, 4), (5, 9), (10, 12)]),
    ([250], [(1, 1), (2, 2), (3, 4), (5, 9), (10, 19), (20, 49), (50, 99), (100, 199),
             (200, 250)]),
    ([2.4], [(1, 1), (2, 2), (3, 3)]),
])
def test_map_classes(values, classes):
    assert C.map_classes(values) == classes


def test_side_panel_labels_each_category_and_its_greys_differ():
    chart = C.StackedChart(("Fundraising", "Services"),
                           ("Easier", "Same", "Harder", "No problem", "Difficult to answer"),
                           ((19.0, 42.0, 29.0, 3.2, 6.45), (16.0, 39.0, 26.0, 19.4, 0.0)),
                           3, True, "% of respondents", "n = 31")
    fig = C.draw(chart)
    side = fig.axes[1]
    texts = [t.get_text() for t in side.texts]
    assert texts == ["3% + 6%", "19%"]
    from matplotlib.colors import to_rgb

    greys = [C.NEUTRAL, *C.NO_POSITION[:2]]
    light = sorted(sum(to_rgb(g)) / 3 for g in greys)
    assert all(b - a > 0.2 for a, b in zip(light, light[1:], strict=False))

def test_a_geopoint_question_on_the_map(new_study, tmp_path):
    """Locations are dots, and each area is shaded by the locations inside it."""
    import json

    from tests.forms import write_xlsform

    from syrmak.report import resolve_report

    study = new_study()
    study.load_questionnaire(write_xlsform(tmp_path / "f.xlsx", [
        ["type", "name", "label"], ["geopoint", "where", "Where"]],
        [["list_name", "name", "label"]], [["form_id", "default_language"], ["geo", "en"]]))
    responses = tmp_path / "r.csv"
    # latitude longitude: two in West (x 0-1), one in East (x 1-2), one on no area
    responses.write_text("where\n0.5 0.5 0 5\n0.7 0.2\n0.5 1.5\n5 5\n\n", encoding="utf-8")
    study.import_responses(responses)
    shapes = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "West"}, "geometry": {
            "type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}},
        {"type": "Feature", "properties": {"name": "East"}, "geometry": {
            "type": "Polygon", "coordinates": [[[1, 0], [2, 0], [2, 1], [1, 1], [1, 0]]]}}]}
    (study.folder / "areas.geojson").write_text(json.dumps(shapes), encoding="utf-8")
    (study.folder / "report.yaml").write_text(
        "title: Where\nlang: en\ncontent:\n  - figure:\n      caption: Locations\n"
        "      chart: map\n      question: where\n      geojson: areas.geojson\n",
        encoding="utf-8")
    report = resolve_report(study)
    chart = report.figures[0].chart
    assert chart.names == ("West", "East") and chart.values == (2.0, 1.0)
    assert len(chart.points) == 4 and chart.n_text == "n = 4"
    assert "1" in chart.outside  # the location at (5, 5) is on no area
    svg, png = C.render_both((chart, "map", ("svg", "png")))
    assert svg.startswith(b"<?xml") and png[:4] == b"\x89PNG"
