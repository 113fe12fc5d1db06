"""Charts drawn with matplotlib (Agg, no pyplot state): the data in, SVG or PNG bytes out.

Each chart is described by a small frozen dataclass of plain values (labels, shares,
counts, the "n = ..." line), made by the report builder from an analysis result, so this
module computes no statistic and the descriptions can be drawn in worker processes.
Output is deterministic: fixed ``svg.hashsalt`` per figure, no dates in the metadata.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

import matplotlib

matplotlib.use("Agg")

from matplotlib import colormaps, rc_context  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import PathPatch  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402

#: Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
             "#000000")
BAR = OKABE_ITO[0]
NEUTRAL = "#E3E3E3"
# "No position" categories beside a scale: greys far apart in lightness from each other and
# from NEUTRAL (the scale's middle), so that no two read alike (issue 10: three did).
NO_POSITION = ("#A3A3A3", "#555555", "#C8C8C8", "#262626")
TEXT = "#222222"
MUTED = "#555555"
WIDTH_IN = 6.5
PNG_DPI = 200

RC = {
    # Matplotlib lays text out with DejaVu Sans (it ships with it); SVG keeps text as text
    # (searchable, selectable, a tenth of the bytes of paths) and names this stack, every
    # member of which has Cyrillic and the Kazakh letters, for the reader's browser.
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Noto Sans", "Liberation Sans", "Arial", "Segoe UI",
                        "Roboto", "Helvetica Neue"],
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.edgecolor": "#888888",
    "axes.labelcolor": TEXT,
    "xtick.color": MUTED,
    "ytick.color": TEXT,
    "svg.fonttype": "none",
    "path.simplify": True,
    "savefig.facecolor": "white",
}


@dataclass(frozen=True)
class BarChart:
    labels: tuple[str, ...]
    percent: tuple[float, ...]
    counts: tuple[float, ...]
    axis: str
    n_text: str


@dataclass(frozen=True)
class StackedChart:
    """Items x categories (percent); the first ``scale`` categories are the scale."""

    items: tuple[str, ...]
    categories: tuple[str, ...]
    percent: tuple[tuple[float, ...], ...]
    scale: int
    diverging: bool
    axis: str
    n_text: str


@dataclass(frozen=True)
class GroupedChart:
    labels: tuple[str, ...]
    series: tuple[str, ...]
    #: percent[s][i]: share of series s for label i.
    percent: tuple[tuple[float, ...], ...]
    counts: tuple[tuple[float, ...], ...]
    axis: str
    n_text: str


@dataclass(frozen=True)
class MapChart:
    #: One entry per feature: its rings (lists of (x, y)), its name and kind.
    shapes: tuple[tuple[tuple[tuple[float, float], ...], ...], ...]
    names: tuple[str, ...]
    kinds: tuple[str, ...]
    values: tuple[float | None, ...]
    legend: str
    n_text: str
    outside: str | None = None
    extra: dict = field(default_factory=dict)
    #: Respondents' locations (longitude, latitude) from a geopoint question, drawn as dots.
    points: tuple[tuple[float, float], ...] = ()


Chart = BarChart | StackedChart | GroupedChart | MapChart


# --------------------------------------------------------------------------- helpers


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width, break_long_words=False,
                                   break_on_hyphens=False)) or text


def pct_text(value: float) -> str:
    """Whole percentages (half up), as a reader expects on a chart; one decimal under 1%."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if 0 < abs(value) < 1:
        return f"{value:.1f}%"
    return f"{math.floor(value + 0.5 + 1e-9):d}%"


def _count_text(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else f"{value:,.1f}"


def _ink(colour: str) -> str:
    r, g, b = to_rgb(colour)
    return "white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5 else TEXT


def _lines(labels: Sequence[str], width: int) -> int:
    return sum(max(1, _wrap(lab, width).count("\n") + 1) for lab in labels)


def _style(ax) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.set_axisbelow(True)
    ax.xaxis.grid(True, color="#E5E5E5", linewidth=0.6)


def _figure(height: float) -> Figure:
    return Figure(figsize=(WIDTH_IN, height), layout="constrained")


# --------------------------------------------------------------------------- charts


def _bar(c: BarChart) -> Figure:
    labels = [_wrap(x, 42) for x in c.labels]
    height = max(1.8, 0.24 * _lines(c.labels, 42) + 0.16 * len(labels) + 0.9)
    fig = _figure(height)
    ax = fig.add_subplot()
    y = list(range(len(labels)))
    values = [0.0 if math.isnan(v) else v for v in c.percent]
    ax.barh(y, values, color=BAR, height=0.66)
    top = max(values + [1.0])
    for i, (v, n) in enumerate(zip(values, c.counts, strict=True)):
        ax.text(v + top * 0.01, i, f"{pct_text(v)} ({_count_text(n)})", va="center",
                ha="left", fontsize=8.5, color=TEXT)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.22)
    ax.set_xlabel(f"{c.axis}\n{c.n_text}", color=MUTED, fontsize=8.5)
    _style(ax)
    return fig


def _scale_colours(scale: int, diverging: bool) -> list:
    if scale == 1:
        return [BAR]
    cmap = colormaps["PuOr_r"] if diverging else colormaps["cividis"]
    if diverging:
        # Even spacing over the diverging map; a middle category is neutral grey.
        points = [0.08 + 0.84 * i / (scale - 1) for i in range(scale)]
        colours = [cmap(p) for p in points]
        if scale % 2:
            colours[scale // 2] = NEUTRAL
        return colours
    return [cmap(0.1 + 0.8 * i / (scale - 1)) for i in range(scale)]


def _segment_label(ax, x: float, y: float, width: float, colour) -> None:
    if width >= 7:
        from matplotlib.colors import to_hex

        ax.text(x + width / 2, y, pct_text(width), ha="center", va="center", fontsize=7.5,
                color=_ink(to_hex(colour)))


def _stacked(c: StackedChart) -> Figure:
    labels = [_wrap(x, 34) for x in c.items]
    extra = len(c.categories) - c.scale
    height = max(2.0, 0.24 * _lines(c.items, 34) + 0.22 * len(labels) + 1.3)
    fig = _figure(height)
    if extra:
        ax, side = fig.subplots(1, 2, sharey=True, width_ratios=[5, 1.3])
    else:
        ax, side = fig.add_subplot(), None
    colours = _scale_colours(c.scale, c.diverging)
    y = list(range(len(labels)))
    handles = []
    pct = [[0.0 if math.isnan(v) else v for v in row] for row in c.percent]
    if c.diverging:
        mid = c.scale // 2
        odd = c.scale % 2 == 1
        for i, row in enumerate(pct):
            left = -(sum(row[:mid]) + (row[mid] / 2 if odd else 0.0))
            for j in range(c.scale):
                h = ax.barh(i, row[j], left=left, color=colours[j], height=0.66,
                            edgecolor="white", linewidth=0.5)
                if i == 0:
                    handles.append((h, c.categories[j]))
                _segment_label(ax, left, i, row[j], colours[j])
                left += row[j]
        lows = [-(sum(r[:mid]) + (r[mid] / 2 if odd else 0.0)) for r in pct]
        highs = [sum(r[mid:c.scale]) - (r[mid] / 2 if odd else 0.0) for r in pct]
        span = max([abs(v) for v in lows + highs] + [10.0])
        span = min(100.0, math.ceil(span / 10) * 10)
        ax.set_xlim(-span, span)
        ax.axvline(0, color="#444444", linewidth=0.8)
        ticks = [t for t in range(-100, 101, 20 if span > 50 else 10) if abs(t) <= span]
        ax.set_xticks(ticks, [f"{abs(t)}%" for t in ticks])
    else:
        for i, row in enumerate(pct):
            left = 0.0
            for j in range(c.scale):
                h = ax.barh(i, row[j], left=left, color=colours[j], height=0.66,
                            edgecolor="white", linewidth=0.5)
                if i == 0:
                    handles.append((h, c.categories[j]))
                _segment_label(ax, left, i, row[j], colours[j])
                left += row[j]
        ax.set_xlim(0, 100)
        ax.set_xticks(range(0, 101, 20), [f"{t}%" for t in range(0, 101, 20)])
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel(f"{c.axis}\n{c.n_text}", color=MUTED, fontsize=8.5)
    _style(ax)
    if side is not None:
        for i, row in enumerate(pct):
            left = 0.0
            for k in range(extra):
                j = c.scale + k
                colour = NO_POSITION[k % len(NO_POSITION)]
                h = side.barh(i, row[j], left=left, color=colour, height=0.66,
                              edgecolor="white", linewidth=0.5)
                if i == 0:
                    handles.append((h, c.categories[j]))
                left += row[j]
            # Each category's own share, in the legend's order ("3% + 6%"), not their sum;
            # categories nobody chose are left out (their colour shows no bar either).
            parts = [pct_text(row[c.scale + k]) for k in range(extra) if row[c.scale + k]]
            side.text(left + 1, i, " + ".join(parts) or pct_text(0), va="center",
                      fontsize=7.5, color=TEXT)
        most = max([sum(r[c.scale:]) for r in pct] + [5.0])
        side.set_xlim(0, most * (1.6 + 0.5 * (extra - 1)))
        side.set_xticks([])
        _style(side)
        side.spines["left"].set_visible(False)
        side.xaxis.grid(False)
    fig.legend([h for h, _ in handles], [_wrap(t, 22) for _, t in handles],
               loc="outside upper center", ncols=min(len(handles), 4), fontsize=7.5,
               frameon=False)
    return fig


def _grouped(c: GroupedChart) -> Figure:
    labels = [_wrap(x, 36) for x in c.labels]
    k = len(c.series)
    # Bars 0.13 in thick: Figure 7 (13 platforms, two series) was 22 cm tall in Word and
    # left two-thirds of a page blank before it.
    height = max(2.2, (0.13 * k + 0.08) * len(labels) + 0.1 * _lines(c.labels, 36) + 1.1)
    fig = _figure(height)
    ax = fig.add_subplot()
    band = 0.8 / k
    top = max([v for row in c.percent for v in row if not math.isnan(v)] + [1.0])
    for s, name in enumerate(c.series):
        ys = [i - 0.4 + band * (s + 0.5) for i in range(len(labels))]
        values = [0.0 if math.isnan(v) else v for v in c.percent[s]]
        ax.barh(ys, values, height=band * 0.92, color=OKABE_ITO[s % len(OKABE_ITO)],
                label=name)
        for yv, v, n in zip(ys, values, c.counts[s], strict=True):
            ax.text(v + top * 0.01, yv, f"{pct_text(v)} ({_count_text(n)})", va="center",
                    fontsize=7.5, color=TEXT)
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.25)
    ax.set_xlabel(f"{c.axis}\n{c.n_text}", color=MUTED, fontsize=8.5)
    _style(ax)
    fig.legend(loc="outside upper center", ncols=k, frameon=False, fontsize=8)
    return fig


def _ring_area(ring) -> float:
    return 0.5 * sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1],
                                                                      strict=True))


def _centroid(ring) -> tuple[float, float]:
    a = _ring_area(ring)
    if abs(a) < 1e-12:
        xs, ys = zip(*ring, strict=True)
        return sum(xs) / len(xs), sum(ys) / len(ys)
    cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        f = x0 * y1 - x1 * y0
        cx += (x0 + x1) * f
        cy += (y0 + y1) * f
    return cx / (6 * a), cy / (6 * a)


def _map(c: MapChart) -> Figure:
    xs = [x for shape in c.shapes for ring in shape for x, _ in ring]
    ys = [y for shape in c.shapes for ring in shape for _, y in ring]
    lat0 = (min(ys) + max(ys)) / 2
    k = math.cos(math.radians(lat0))
    x0, x1 = min(xs) * k, max(xs) * k
    y0, y1 = min(ys), max(ys)
    aspect = (y1 - y0) / (x1 - x0)
    fig = _figure(WIDTH_IN * aspect + 1.3)
    ax = fig.add_subplot()
    classes = map_classes([v for v in c.values if v is not None])
    colours = class_colours(len(classes))
    labels = []
    for shape, name, kind, value in zip(c.shapes, c.names, c.kinds, c.values, strict=True):
        vertices, codes = [], []
        for ring in shape:
            points = [(x * k, y) for x, y in ring]
            vertices += points + [points[0]]
            codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(points) - 1) + [MplPath.CLOSEPOLY]
        colour = colours[class_of(value, classes)] if value else EMPTY
        ax.add_patch(PathPatch(MplPath(vertices, codes), facecolor=colour, edgecolor="white",
                               linewidth=0.7))
        biggest = max(shape, key=lambda r: abs(_ring_area(list(r))))
        cx, cy = _centroid(list(biggest))
        labels.append((cx * k, cy, name, kind, value, colour))
    if c.points:
        ax.scatter([x * k for x, _ in c.points], [y for _, y in c.points], s=7,
                   color="#C0392B", alpha=0.75, linewidths=0, zorder=3)
    for cx, cy, name, kind, value, colour in labels:
        text = _count_text(value) if value else "0"
        if kind == "city":
            ax.plot([cx], [cy], marker="o", markersize=11, color=colour,
                    markeredgecolor="#333333", markeredgewidth=0.8)
            ax.text(cx, cy, text, ha="center", va="center", fontsize=6.5,
                    color=_ink(colour if isinstance(colour, str) else _hex(colour)),
                    fontweight="bold")
            ax.annotate(name, (cx, cy), xytext=(8, -2), textcoords="offset points",
                        fontsize=7, color=TEXT, ha="left", va="top")
        else:
            ink = _ink(colour if isinstance(colour, str) else _hex(colour))
            ax.text(cx, cy, f"{_wrap(name, 14)}\n{text}", ha="center", va="center",
                    fontsize=6.5, color=ink, linespacing=1.0)
    pad = 0.3
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    # Classes, not a continuous scale: two cities with many respondents stretched it so far
    # that regions with 1 and 2 respondents had the same pale blue.
    handles = [Patch(facecolor=EMPTY, edgecolor="#BBBBBB", linewidth=0.5, label="0")]
    handles += [Patch(facecolor=colour, label=class_label(low, high))
                for (low, high), colour in zip(classes, colours, strict=True)]
    if "city" in c.kinds:
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=9,
                              markerfacecolor="white", markeredgecolor="#333333",
                              label=c.extra.get("city_legend", "city")))
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 8),
               fontsize=7.5, frameon=False, title=c.legend, title_fontsize=8,
               handlelength=1.4, columnspacing=1.0)
    lines = [c.n_text] + ([c.outside] if c.outside else [])
    ax.set_xlabel("\n".join(_wrap(x, 110) for x in lines), color=MUTED, fontsize=8)
    return fig


EMPTY = "#F2F2F2"


def map_classes(values) -> list[tuple[int, int]]:
    """Classes of respondent counts for a map: one per count up to 5 (1 and 2 must look
    different), then 3-4, 5-9, 10-19, 20-49, 50-99, ..., the last ending at the maximum."""
    top = max([math.ceil(v) for v in values if v] + [1])
    if top <= 5:
        return [(n, n) for n in range(1, top + 1)]
    bounds = [1, 2, 3, 5, 10, 20, 50]
    while bounds[-1] <= top:
        bounds.append(bounds[-3] * 10)  # 100, 200, 500, 1000, ...
    out = []
    for low, nxt in zip(bounds, bounds[1:], strict=False):
        if low > top:
            break
        out.append((low, min(nxt - 1, top)))
    return out


def class_of(value: float, classes: list[tuple[int, int]]) -> int:
    for i, (_low, high) in enumerate(classes):
        if value <= high:
            return i
    return len(classes) - 1


def class_label(low: int, high: int) -> str:
    return str(low) if low == high else f"{low}\u2013{high}"


def class_colours(n: int) -> list[str]:
    """``n`` blues from light to dark, evenly spaced in ColorBrewer's Blues."""
    cmap = colormaps["Blues"]
    if n == 1:
        return [_hex(cmap(0.6))]
    return [_hex(cmap(0.25 + 0.7 * i / (n - 1))) for i in range(n)]


def _hex(colour) -> str:
    from matplotlib.colors import to_hex

    return to_hex(colour)


_DRAW = {BarChart: _bar, StackedChart: _stacked, GroupedChart: _grouped, MapChart: _map}


def register(kind: type, drawer) -> None:
    """Let a module of its own draw a chart type (rds_charts: the recruitment tree), with
    this module's style, output and cache."""
    _DRAW[kind] = drawer


def draw(chart: Chart) -> Figure:
    with rc_context(RC):
        return _DRAW[type(chart)](chart)


def _save(fig: Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "svg":
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "syrmak"})
    else:
        fig.savefig(buffer, format="png", dpi=PNG_DPI, metadata={"Software": "syrmak"})
    return buffer.getvalue()


def render(chart: Chart, fmt: str, salt: str) -> bytes:
    """The chart as SVG (text as text) or PNG at ``PNG_DPI``; same input, same bytes."""
    with rc_context({**RC, "svg.hashsalt": salt}):
        return _save(_DRAW[type(chart)](chart), fmt)


def render_both(job: tuple[Chart, str, tuple[str, ...]]) -> tuple[bytes | None, bytes | None]:
    """(svg, png) of one chart, each only when asked for, from one drawing; a top-level
    function so a process pool can run it."""
    chart, salt, formats = job
    with rc_context({**RC, "svg.hashsalt": salt}):
        fig = _DRAW[type(chart)](chart)
        svg = _save(fig, "svg") if "svg" in formats else None
        if svg is not None:
            # The layout is settled by the first save; keep it rather than solve it again.
            fig.set_layout_engine("none")
        png = _save(fig, "png") if "png" in formats else None
    return svg, png
