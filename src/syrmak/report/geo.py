"""Boundaries for the choropleth map: any GeoJSON, matched to a question's options.

An option matches a feature when its name or one of its labels (any language) equals, after
case and spacing are ignored, the feature's value of the ``match`` property, or, without
one, any of the usual code and name properties (ISO 3166-2 code, English, Russian or Kazakh
name). syrmak ships Kazakhstan's 2021 regions (``data/kz_regions_2021.geojson``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from syrmak.errors import SyrmakError
from syrmak.survey.instrument import Question
from syrmak.text import normal as text_normal

DEFAULT_GEOJSON = "kz_regions_2021.geojson"
#: Properties tried, in order, when the spec names none.
MATCH_PROPERTIES = ("iso_3166_2", "iso_3166_2_alpha", "iso_3166_2_numeric", "kato", "name_en",
                    "name_ru", "name_kk", "name", "NAME", "NAME_1", "ADM1_EN", "ADM1_PCODE", "id")
NAME_PROPERTIES = ("name_{lang}", "name_en", "name", "NAME", "NAME_1", "ADM1_EN")

Ring = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Feature:
    properties: dict
    rings: tuple[Ring, ...]

    def name(self, lang: str | None) -> str:
        for template in NAME_PROPERTIES:
            value = self.properties.get(template.format(lang=lang or "en"))
            if value:
                return str(value)
        return str(self.properties.get("iso_3166_2") or "?")

    @property
    def kind(self) -> str:
        return str(self.properties.get("kind") or "region")


@dataclass(frozen=True)
class Boundaries:
    source: str
    features: tuple[Feature, ...]
    attribution: str | None


def normal(text: object) -> str:
    """A place name as compared: syrmak.text.normal, with ё as е and every dash as '-'."""
    return re.sub(r"[‐-―−]", "-", text_normal(text).replace("ё", "е"))


def _rings(geometry: dict) -> tuple[Ring, ...]:
    kind = geometry.get("type")
    coords = geometry.get("coordinates") or []
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else None
    if polygons is None:
        raise ValueError(f"geometry type {kind!r} is not a Polygon or MultiPolygon")
    out = []
    for polygon in polygons:
        for ring in polygon:
            points = tuple((float(x), float(y)) for x, y, *_ in ring)
            if len(points) > 1 and points[0] == points[-1]:
                points = points[:-1]
            if len(points) >= 3:
                out.append(points)
    return tuple(out)


@lru_cache(maxsize=8)
def _read(path: str) -> Boundaries:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    features = data.get("features") if isinstance(data, dict) else None
    if not features:
        raise ValueError("no 'features' (expected a GeoJSON FeatureCollection)")
    out = []
    for f in features:
        if not f.get("geometry"):
            continue
        out.append(Feature(dict(f.get("properties") or {}), _rings(f["geometry"])))
    attribution = data.get("attribution")
    if isinstance(attribution, str):
        # A pointer to the data's own README means nothing to a report's reader.
        attribution = re.sub(r"\s*See README(\.md)?\.?\s*$", "", attribution).strip() or None
    return Boundaries(Path(path).name, tuple(out), attribution)


def load_boundaries(path: str | Path | None, folder: Path | None = None, *,
                    file: str | None = None, line: int | None = None) -> Boundaries:
    """The packaged Kazakhstan 2021 regions, or a GeoJSON file (relative to the spec)."""
    if path is None:
        resolved = Path(str(resources.files("syrmak.report") / "data" / DEFAULT_GEOJSON))
    else:
        resolved = Path(path)
        if not resolved.is_absolute() and folder is not None:
            resolved = folder / resolved
    if not resolved.exists():
        raise SyrmakError(f"the map file {path} does not exist.",
                          "give the path of a GeoJSON file, relative to the report spec.",
                          code="bad-geojson", file=file, line=line, value=str(path))
    try:
        return _read(str(resolved))
    except (ValueError, KeyError, TypeError) as exc:
        raise SyrmakError(f"cannot read the map file {resolved.name}: {exc}.",
                          "give a GeoJSON FeatureCollection of Polygons/MultiPolygons.",
                          code="bad-geojson", file=file, line=line) from exc


def match_options(question: Question, boundaries: Boundaries,
                  prop: str | None = None) -> dict[str, int | None]:
    """Option name -> index of its feature (None: no feature, e.g. "national level")."""
    properties = (prop,) if prop else MATCH_PROPERTIES
    index: dict[str, set[int]] = {}
    for i, feature in enumerate(boundaries.features):
        for p in properties:
            value = feature.properties.get(p)
            if value not in (None, ""):
                index.setdefault(normal(value), set()).add(i)
    out: dict[str, int | None] = {}
    taken: dict[int, str] = {}
    for choice in question.choices:
        keys = [choice.name, *choice.labels.values()]
        hits: set[int] = set()
        for key in keys:
            hits |= index.get(normal(key), set())
        if len(hits) > 1:
            names = ", ".join(boundaries.features[i].name("en") for i in sorted(hits))
            raise SyrmakError(
                f"option '{choice.name}' of '{question.name}' matches several map areas "
                f"({names}).", "name the property to match on with 'match: iso_3166_2'.",
                code="ambiguous-map-match", value=choice.name)
        hit = next(iter(hits)) if hits else None
        if hit is not None and hit in taken:
            raise SyrmakError(
                f"options '{taken[hit]}' and '{choice.name}' of '{question.name}' both match "
                f"the map area {boundaries.features[hit].name('en')}.",
                "give the options distinct codes or names.", code="ambiguous-map-match")
        if hit is not None:
            taken[hit] = choice.name
        out[choice.name] = hit
    if not taken:
        raise SyrmakError(
            f"no option of '{question.name}' matches an area of {boundaries.source}.",
            "use ISO 3166-2 codes or region names as option names or labels, or name the "
            "property to match on with 'match:'.", code="no-map-match")
    return out
