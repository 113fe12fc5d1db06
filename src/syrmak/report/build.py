"""Resolve a report spec against a study: run the analyses, find the quotes, draw the charts.

Every statistic comes from ``syrmak.analysis`` (or ``syrmak.qual`` for code matrices); this
module only picks cells out of the frozen results and formats them. Everything is checked
and computed before a byte is written, so a bad spec leaves no half report behind.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from syrmak import analysis as A
from syrmak.errors import SyrmakError
from syrmak.privacy import disclosure, redaction
from syrmak.render import cells, published
from syrmak.render.grid import to_cells
from syrmak.report import charts as C
from syrmak.report import geo, i18n, model, quotes, rds_report
from syrmak.report import spec as S

if TYPE_CHECKING:
    import pandas as pd

    from syrmak.study import Study
    from syrmak.survey.instrument import Question, Questionnaire

Progress = Callable[[str], None]


# --------------------------------------------------------------------------- numbers

# How published numbers are written (render.cells); named here for the live numbers.
round_half_up, fmt_percent, fmt_count = cells.round_half_up, cells.fmt_percent, cells.fmt_count


def slug(text: str) -> str:
    s = re.sub(r"[^\w]+", "-", text.casefold(), flags=re.UNICODE).strip("-")
    return s[:60] or "section"


# --------------------------------------------------------------------------- context


class Builder:
    def __init__(self, study: Study, spec: S.Spec, progress: Progress | None = None) -> None:
        self.study = study
        self.spec = spec
        self.file = spec.file
        self.form: Questionnaire = study.analysis_questionnaire
        self.lang = self.form.language(spec.lang) if spec.lang else self.form.language(None)
        self.progress = progress or (lambda _step: None)
        self._frame: pd.DataFrame | None = None
        self._cache: dict = {}
        self.warnings: list[str] = []
        self.ids: dict[str, str] = {}

    # -- helpers -----------------------------------------------------------------
    def fail(self, exc: SyrmakError | str, line: int, hint: str | None = None,
             code: str = "bad-report-spec") -> SyrmakError:
        if isinstance(exc, SyrmakError):
            return SyrmakError(exc.message, exc.hint, code=exc.code, file=self.file, line=line,
                               value=exc.location.value)
        return SyrmakError(exc, hint, code=code, file=self.file, line=line)

    @property
    def frame(self) -> pd.DataFrame:
        if self._frame is None:
            self._frame = self.study.responses(lang=self.lang)
        return self._frame

    def question(self, name: Any, line: int) -> Question:
        if not isinstance(name, str) or not name:
            raise self.fail(f"a question is named by a word, not {name!r}.", line,
                            "write the question's name from the questionnaire.")
        try:
            return self.form.question(name)
        except SyrmakError as exc:
            raise self.fail(exc, line) from None

    def run(self, line: int, func, *args, **kwargs):
        key = (func.__name__, repr(args), repr(sorted(kwargs.items())))
        if key in self._cache:
            return self._cache[key]
        try:
            result = func(self.form, self.frame, *args, lang=self.lang, **kwargs)
        except SyrmakError as exc:
            raise self.fail(exc, line) from None
        self._cache[key] = result
        return result

    def one(self, q: Question, line: int, where: str | None = None):
        """Frequencies of a single-answer question, or multiple response."""
        if q.type == "select_multiple":
            return self.run(line, A.multiple_response, q.name, where=where)
        if q.type in ("select_one", "integer"):
            return self.run(line, A.frequencies, q.name, where=where)
        raise self.fail(f"question '{q.name}' is a {q.type} question; charts and live numbers "
                        "need a select_one, select_multiple or integer question.", line,
                        "choose a closed question.", code="wrong-question-type")

    def option(self, q: Question, text: str, line: int) -> str:
        wanted = geo.normal(text)
        for c in q.choices:
            if geo.normal(c.name) == wanted or any(geo.normal(x) == wanted
                                                   for x in c.labels.values()):
                return c.name
        names = ", ".join(c.name for c in q.choices)
        raise self.fail(f"'{text}' is not an option of '{q.name}'.", line,
                        f"use one of: {names}.", code="unknown-option")

    def n_text(self, result) -> str:
        if isinstance(result, A.MultipleResponse):
            return i18n.word(self.lang, "n_multiple", n=fmt_count(result.answered,
                                                                    result.weighted))
        if isinstance(result, A.Frequencies):
            if result.missing:
                return i18n.word(self.lang, "n_of", n=fmt_count(result.valid, result.weighted),
                                 total=fmt_count(result.total, result.weighted))
            return i18n.word(self.lang, "n", n=fmt_count(result.valid, result.weighted))
        if isinstance(result, A.Likert):
            return i18n.word(self.lang, "n", n=fmt_count(max(result.bases, default=0),
                                                           result.weighted))
        return i18n.word(self.lang, "n", n=fmt_count(getattr(result, "base", 0)))

    # -- live numbers ----------------------------------------------------------------
    PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]+)\s*:\s*(.*?)\s*\}\}", re.S)

    def prose(self, block: S.Text, refs: Mapping[str, str]) -> str:
        def line_at(pos: int) -> int:
            return block.text_line + block.markdown.count("\n", 0, pos)

        def substitute(match: re.Match) -> str:
            return self.live(match.group(1), match.group(2), line_at(match.start()), refs)

        text = self.PLACEHOLDER.sub(substitute, block.markdown)
        stray = text.find("{{")
        if stray >= 0:
            raise self.fail("a '{{' here starts no live number.", line_at(stray),
                            "write '{{ pct: QUESTION = OPTION }}' (or n, base, ref).")
        return text

    def live(self, kind: str, body: str, line: int, refs: Mapping[str, str]) -> str:
        if kind == "ref":
            target = body.strip()
            if target not in refs:
                known = ", ".join(sorted(refs)) or "none yet"
                raise self.fail(f"'{{{{ ref: {target} }}}}' names no table, figure or heading "
                                "id.", line, f"give the block 'id: {target}' (ids: {known}).",
                                code="unknown-reference")
            return refs[target]
        if kind not in ("pct", "n", "base"):
            raise self.fail(f"unknown live number '{kind}'.", line,
                            "use pct, n, base or ref, e.g. '{{ pct: q3 = yes }}'.")
        parts = [p.strip() for p in body.split(";")]
        expression, options = parts[0], {}
        for part in parts[1:]:
            m = re.match(r"(\w+)\s*[:=]?\s*(.*)$", part, re.S)
            if not m or m.group(1) not in ("where", "decimals", "of"):
                raise self.fail(f"unknown option '{part}' in a live number.", line,
                                "use '; where: CLAUSE', '; decimals: 1' or '; of: all'.")
            options[m.group(1)] = m.group(2).strip()
        m = re.match(r"^([\w.\-]+)\s*(?:(!=|=)\s*(.+))?$", expression, re.S)
        if not m:
            raise self.fail(f"cannot read '{expression}'.", line,
                            "write 'QUESTION = OPTION[, OPTION]' or 'QUESTION != OPTION'.")
        q = self.question(m.group(1), line)
        result = self.one(q, line, options.get("where"))
        decimals = 0
        if "decimals" in options:
            if not options["decimals"].isdigit() or int(options["decimals"]) > 4:
                raise self.fail("decimals must be 0 to 4.", line, "write '; decimals: 1'.")
            decimals = int(options["decimals"])
        if kind == "base" or m.group(2) is None:
            if kind == "pct":
                raise self.fail("a percentage needs options: 'QUESTION = OPTION'.", line,
                                "write e.g. '{{ pct: q3 = yes }}'.")
            return fmt_count(result.base, result.weighted)
        names = [self.option(q, x.strip().strip("\"'"), line) for x in m.group(3).split(",")]
        index = [result.names.index(n) for n in names]
        multiple = isinstance(result, A.MultipleResponse)
        if multiple and len(index) > 1:
            raise self.fail(f"'{q.name}' allows several answers, so its options' shares "
                            "cannot be added up.", line,
                            "name one option per live number.", code="bad-live-number")
        if kind == "n":
            value = sum(result.counts[i] for i in index)
            if m.group(2) == "!=":
                value = result.base - value
            return fmt_count(value, result.weighted)
        of_all = options.get("of") == "all"
        if of_all and multiple:
            raise self.fail("'of: all' is for single-answer questions.", line,
                            "leave it out (the base is those who answered).")
        shares = result.percent_all if of_all else result.percent
        value = sum(shares[i] for i in index)
        if m.group(2) == "!=":
            value = 100.0 - value
        return fmt_percent(value, decimals)

    # -- tables --------------------------------------------------------------------
    def table(self, block: S.Table, number: int) -> model.TableBlock:
        a = block.analysis
        if a.kind == "rds":
            return rds_report.table(self, block, number)
        args = dict(a.args)
        where = args.pop("where", None)
        words = published.Words(i18n.word(self.lang, "total"), i18n.word(self.lang, "count"),
                                i18n.word(self.lang, "percent"))
        if a.kind in ("frequencies", "multiple"):
            q = self.question(args.get("question"), a.line)
            result = self.one(q, a.line, where)
            if a.kind == "frequencies" and isinstance(result, A.MultipleResponse):
                raise self.fail(f"'{q.name}' allows several answers.", a.line,
                                "use 'multiple:' for it.", code="wrong-question-type")
            if a.kind == "multiple" and not isinstance(result, A.MultipleResponse):
                raise self.fail(f"'{q.name}' allows one answer.", a.line,
                                "use 'frequencies:' for it.", code="wrong-question-type")
            grid = published.options(result, show=block.show, words=words,
                                     corner=self._corner(block, result.title),
                                     base_line=self.n_text(result))
        elif a.kind == "crosstab":
            rows = args.get("rows", args.get("row"))
            cols = args.get("columns", args.get("column", args.get("col")))
            if isinstance(args.get("questions"), list) and len(args["questions"]) == 2:
                rows, cols = args["questions"]
            if rows is None or cols is None:
                raise self.fail("a crosstab needs 'rows:' and 'columns:'.", a.line,
                                "write 'crosstab: {rows: Q1, columns: Q2}'.")
            self.question(rows, a.line_of("rows"))
            self.question(cols, a.line_of("columns"))
            percent = str(args.get("percent", "total"))
            result = self.run(a.line, A.crosstab, rows, cols, percent=percent, where=where)
            hidden = self._suppression(result, rows, cols, a.line)
            grid = published.crosstab(result, show=block.show, words=words, hidden=hidden,
                                      corner=self._corner(block, result.title),
                                      mark=disclosure.SUPPRESSED)
            if hidden is not None and hidden.any:
                suppression_note = i18n.word(self.lang, "suppressed", k=self._k)
        elif a.kind == "banner":
            rows = args.get("rows", args.get("row"))
            cols = args.get("columns")
            if rows is None or not cols:
                raise self.fail("a banner needs 'rows:' and 'columns: [..]'.", a.line,
                                "write 'banner: {rows: Q, columns: [Q1, Q2]}'.")
            cols = [cols] if isinstance(cols, str) else list(cols)
            result = self.run(a.line, A.banner, rows, tuple(cols), where=where)
            grid = published.banner(result, corner=self._corner(block, result.title),
                                    words=words)
        elif a.kind == "likert":
            result = self.likert(a, where)
            grid = published.likert(result, show=block.show,
                                    corner=self._corner(block, result.title))
        elif a.kind == "codes":
            result = self.code_matrix(a)
            grid = published.code_matrix(result, show=block.show, words=words,
                                         corner=self._corner(block, result.variable))
        else:  # pragma: no cover - spec.py allows only the kinds above
            raise self.fail(f"unknown table analysis '{a.kind}'.", a.line)
        header, body = to_cells(grid, block.decimals)
        notes = [block.note] if block.note else []
        if a.kind == "crosstab" and hidden is not None and hidden.any:
            notes.append(suppression_note)
        return model.TableBlock(number, block.caption, block.id or f"table-{number}",
                                tuple(header), tuple(body), " ".join(notes) or None, result)

    def _corner(self, block: S.Table, default: str) -> str:
        if block.corner is not None:
            return block.corner
        if block.stem:
            return self.question(block.stem, block.line).label(self.lang)
        return default

    @property
    def _k(self) -> int:
        return disclosure.k_of(self.study)

    def _suppression(self, result, rows: str, cols: str, line: int):
        """Which cells a published table crossing an identifying question must hide."""
        form = self.study.questionnaire
        if not (form.question(rows).identifying or form.question(cols).identifying):
            return None
        try:
            return disclosure.suppress(result.counts, self._k)
        except SyrmakError as exc:
            raise self.fail(exc, line) from None

    def likert(self, a: S.Analysis, where: str | None):
        args = dict(a.args)
        if "question" in args:
            questions: Any = args.pop("question")
        elif "questions" in args:
            questions = args.pop("questions")
        elif "items" in args:
            questions = args.pop("items")
        elif "list" in args:
            questions = args.pop("list")
        else:
            raise self.fail("a Likert table needs 'items: [..]' or a choice list name.", a.line,
                            "write 'likert: {items: [q1, q2]}' or 'likert: LIST'.")
        if isinstance(questions, list):
            for name in questions:
                self.question(name, a.line_of("items"))
            questions = tuple(questions)
        kwargs = {}
        for key in ("collapse", "dont_know", "base", "sort", "box", "title"):
            if key in args:
                value = args.pop(key)
                if key == "collapse" and isinstance(value, dict):
                    value = {str(k): tuple(v) if isinstance(v, list) else (v,)
                             for k, v in value.items()}
                    value = tuple(value.items())
                elif isinstance(value, list):
                    value = tuple(value)
                kwargs[key] = value
        args.pop("where", None)
        if args:
            key = next(iter(args))
            raise self.fail(f"unknown Likert option '{key}'.", a.line_of(key),
                            "use items, collapse, dont_know, base, sort, box or title.")
        if "collapse" in kwargs:
            kwargs["collapse"] = dict(kwargs["collapse"])
        return self._likert(a.line, questions, where, kwargs)

    def _likert(self, line: int, questions, where, kwargs):
        key = ("likert", repr(questions), where, repr(sorted(kwargs.items(), key=lambda x: x[0])))
        if key in self._cache:
            return self._cache[key]
        try:
            result = A.likert(self.form, self.frame, list(questions) if isinstance(
                questions, tuple) else questions, lang=self.lang, where=where, **kwargs)
        except SyrmakError as exc:
            raise self.fail(exc, line) from None
        self._cache[key] = result
        return result

    def code_matrix(self, a: S.Analysis):
        from syrmak.qual.matrices import code_matrix

        args = dict(a.args)
        variable = args.get("variable") or args.get("question")
        if not variable:
            raise self.fail("a code matrix needs 'variable:' (a survey question or document "
                            "variable).", a.line, "write 'codes: {variable: respondent_type}'.")
        codes = args.get("codes")
        try:
            return code_matrix(self.study, str(variable), list(codes) if codes else None,
                               unit=str(args.get("unit", "documents")), lang=self.lang)
        except SyrmakError as exc:
            raise self.fail(exc, a.line) from None

    # -- figures ---------------------------------------------------------------------
    def figure(self, block: S.Figure, number: int) -> model.FigureBlock:
        a = block.analysis
        if a.kind == "tree":
            return rds_report.figure(self, block, number)
        opts = dict(block.options)
        lines = opts.pop("_lines", {})
        where = a.args.get("where")
        axis = i18n.word(self.lang, "percent_axis")
        note = block.note
        if block.chart == "map" and self.question(a.args.get("question"),
                                                  a.line).type == "geopoint":
            q = self.question(a.args.get("question"), a.line)
            chart, attribution = self._map_points(q, where, opts, lines, a.line)
            if attribution:
                note = f"{note} {attribution}" if note else attribution
            result = None
        elif block.chart in ("bar", "map"):
            q = self.question(a.args.get("question"), a.line)
            result = self.one(q, a.line, where)
            if block.chart == "bar":
                chart = self._bar(result, opts, axis)
            else:
                chart, attribution = self._map(q, result, opts, lines)
                if attribution:
                    note = f"{note} {attribution}" if note else attribution
        elif block.chart == "grouped":
            names = a.args.get("questions") or []
            if len(names) < 2:
                raise self.fail("a grouped chart needs two or more questions.", a.line,
                                "write 'questions: [BEFORE, DURING]'.")
            qs = [self.question(n, a.line) for n in names]
            results = [self.one(q, a.line, where) for q in qs]
            series = opts.get("series")
            if series is not None and (not isinstance(series, list) or
                                       len(series) != len(qs)):
                raise self.fail(f"'series' must list {len(qs)} names, one per question.",
                                lines.get("series", block.line), "write 'series: [Before, During]'.")
            chart = self._grouped(qs, results, [str(s) for s in series] if series else None,
                                  opts, axis, a.line)
            result = tuple(results)
        else:
            result = self.likert(a, where)
            chart = C.StackedChart(result.rows, result.columns, result.percent,
                                   result.scale_columns, block.chart == "diverging", axis,
                                   self.n_text(result))
        return model.FigureBlock(number, block.caption, block.id or f"figure-{number}", chart,
                                 self.alt(chart), note, result=result)

    def _order(self, values: list[float], opts: Mapping[str, Any]) -> list[int]:
        order = list(range(len(values)))
        if opts.get("sort", True):
            order.sort(key=lambda i: -(0.0 if math.isnan(values[i]) else values[i]))
        return order

    def _bar(self, r, opts: Mapping[str, Any], axis: str) -> C.BarChart:
        order = self._order(list(r.percent), opts)
        hide = opts.get("empty", "hide" if opts.get("sort", True) else "show") == "hide"
        keep = [i for i in order if not (hide and r.counts[i] == 0)]
        labels = opts.get("labels") or {}
        return C.BarChart(tuple(str(labels.get(r.names[i], r.rows[i])) for i in keep),
                          tuple(r.percent[i] for i in keep), tuple(r.counts[i] for i in keep),
                          axis, self.n_text(r))

    def _grouped(self, qs, results, series, opts, axis, line) -> C.GroupedChart:
        names = list(results[0].names)
        for q, r in zip(qs[1:], results[1:], strict=True):
            if list(r.names) != names:
                raise self.fail(f"'{q.name}' has other options than '{qs[0].name}'.", line,
                                "group questions that share one choice list.")
        last = list(results[-1].percent)
        order = self._order(last, opts)
        hide = opts.get("empty", "hide") == "hide"
        keep = [i for i in order if not (hide and all(r.counts[i] == 0 for r in results))]
        labels = tuple(results[0].rows[i] for i in keep)
        series = series or [q.label(self.lang) for q in qs]
        bases = [self.n_text(r) for r in results]
        n_text = bases[0] if len(set(bases)) == 1 else "; ".join(
            f"{s}: {b}" for s, b in zip(series, bases, strict=True))
        return C.GroupedChart(labels, tuple(series),
                              tuple(tuple(r.percent[i] for i in keep) for r in results),
                              tuple(tuple(r.counts[i] for i in keep) for r in results),
                              axis, n_text)

    def _map(self, q, r, opts, lines) -> tuple[C.MapChart, str | None]:
        line = lines.get("geojson", lines.get("match"))
        boundaries = geo.load_boundaries(opts.get("geojson"), self.spec.folder, file=self.file,
                                         line=line)
        try:
            matched = geo.match_options(q, boundaries, opts.get("match"))
        except SyrmakError as exc:
            raise self.fail(exc, line or self.spec.lines.get("content", 1)) from None
        values: list[float | None] = [0.0] * len(boundaries.features)
        outside = []
        for i, name in enumerate(r.names):
            hit = matched.get(name)
            if hit is None:
                if r.counts[i]:
                    outside.append(f"{r.rows[i]}: {fmt_count(r.counts[i], r.weighted)} "
                                   f"({fmt_percent(r.percent[i], 0)})")
            else:
                values[hit] = r.counts[i]
        chart = C.MapChart(
            tuple(f.rings for f in boundaries.features),
            tuple(f.name(self.lang) for f in boundaries.features),
            tuple(f.kind for f in boundaries.features),
            tuple(values), i18n.word(self.lang, "respondents"), self.n_text(r),
            i18n.word(self.lang, "not_on_map", items="; ".join(outside)) if outside else None,
            {"city_legend": i18n.word(self.lang, "city_dot")})
        return chart, boundaries.attribution

    def _map_points(self, q, where, opts, lines, line) -> tuple[C.MapChart, str | None]:
        """A geopoint question on the map: each respondent's location a dot, each area
        shaded by how many locations fall in it."""
        import numpy as np
        from matplotlib.path import Path as MplPath

        at = lines.get("geojson", line)
        boundaries = geo.load_boundaries(opts.get("geojson"), self.spec.folder, file=self.file,
                                         line=at)
        frame = self.frame
        try:
            keep = A.where_mask(self.form, frame, where)
        except SyrmakError as exc:
            raise self.fail(exc, line) from None
        lat, lon = frame[f"{q.name}/latitude"], frame[f"{q.name}/longitude"]
        located = lat.notna() & lon.notna()
        if keep is not None:
            located &= keep
        points = np.column_stack([lon[located].to_numpy(dtype=float),
                                  lat[located].to_numpy(dtype=float)])
        inside = np.zeros(len(points), dtype=bool)
        values: list[float | None] = []
        for feature in boundaries.features:
            hit = np.zeros(len(points), dtype=bool)
            for ring in feature.rings:
                if len(points) and len(ring) >= 3:
                    hit |= MplPath(list(ring)).contains_points(points)
            inside |= hit
            values.append(float(hit.sum()))
        outside = int((~inside).sum())
        chart = C.MapChart(
            tuple(f.rings for f in boundaries.features),
            tuple(f.name(self.lang) for f in boundaries.features),
            tuple(f.kind for f in boundaries.features),
            tuple(values), i18n.word(self.lang, "respondents"), f"n = {len(points)}",
            i18n.word(self.lang, "not_on_map", items=str(outside)) if outside else None,
            points=tuple((float(x), float(y)) for x, y in points))
        return chart, boundaries.attribution

    def alt(self, chart: C.Chart) -> str:
        if isinstance(chart, C.BarChart):
            parts = [f"{lab}: {C.pct_text(p)}" for lab, p in zip(chart.labels, chart.percent,
                                                                 strict=True)]
        elif isinstance(chart, C.GroupedChart):
            parts = [f"{lab}: " + ", ".join(f"{s} {C.pct_text(chart.percent[k][i])}"
                                            for k, s in enumerate(chart.series))
                     for i, lab in enumerate(chart.labels)]
        elif isinstance(chart, C.StackedChart):
            parts = [f"{item}: " + ", ".join(f"{c} {C.pct_text(p)}" for c, p in
                                             zip(chart.categories, row, strict=True))
                     for item, row in zip(chart.items, chart.percent, strict=True)]
        else:
            parts = [f"{n}: {fmt_count(v)}" for n, v in zip(chart.names, chart.values,
                                                            strict=True) if v]
            if chart.outside:
                parts.append(chart.outside)
        return f"{'; '.join(parts)}. {chart.n_text}."

    # -- quotes --------------------------------------------------------------------
    def quote(self, block: S.Quote, connection, number: int, compiled: dict) -> model.QuoteBlock:
        span = quotes.locate(connection, block.locator, file=self.file,
                             lines=block.locator_lines, line=block.line)
        original_lang = self.spec.original_language or self.form.language(None) or "ru"
        translation = None
        if i18n.base(original_lang) != i18n.base(self.lang):
            translation = quotes.translation_of(connection, span, self.lang)
            if translation is None:
                self.warnings.append(
                    f"[{self.file}, line {block.line}] the quote from '{span.document}' "
                    f"({span.start}-{span.end}) has no translation into '{self.lang}'; the "
                    "original is printed alone. Add one with 'syrmak translation set'.")
        source = block.attribution or self._attribution_source(span)
        if source not in compiled:
            compiled[source] = quotes.template(source, file=self.file, line=block.line)
        context = quotes.attribution_context(span, self._doc_variables(span.document_id),
                                             self._answers(span.respondent), self.form,
                                             self.lang)
        text = quotes.attribute(compiled[source], context, file=self.file, line=block.line)
        # Accepted redactions replace names by pseudonyms; the stored text stays as it is.
        original = redaction.redact(connection, span.document_id, span.start, span.end,
                                    span.text, redaction.style(self.study))
        if original != span.text and translation is not None:
            self.warnings.append(
                f"[{self.file}, line {block.line}] the quote from '{span.document}' is "
                "redacted, but its translation is printed as it was stored: check that it "
                "names no one ('syrmak translation set' replaces it).")
        return model.QuoteBlock(original, original_lang, translation, self.lang, text,
                                self.spec.quote_layout, block.id or f"quote-{number}")

    def _attribution_source(self, span: quotes.Span) -> str:
        configured = self.spec.attribution or self.study.config.get("report", {}).get(
            "attribution")
        if configured:
            return configured
        key = "default_attribution" if span.respondent is not None else "anonymous_attribution"
        return i18n.word(self.lang, key)

    def _answers(self, number: int | None):
        if number is None or number not in self.frame.index:
            return None
        return self.frame.loc[number]

    def _doc_variables(self, document_id: int) -> dict:
        from syrmak.qual.documents import get_document

        return dict(get_document(self.study, document_id).variables)


def resolve(study: Study, spec: S.Spec, progress: Progress | None = None) -> model.Report:
    """The report with every table, figure and quote resolved (charts not drawn yet)."""
    b = Builder(study, spec, progress)
    refs: dict[str, str] = {}
    t = f = 0
    for block in spec.blocks:
        if isinstance(block, S.Table):
            t += 1
            if block.id:
                refs[block.id] = f"{i18n.word(b.lang, 'table')} {t}"
        elif isinstance(block, S.Figure):
            f += 1
            if block.id:
                refs[block.id] = f"{i18n.word(b.lang, 'figure')} {f}"
        elif isinstance(block, S.Heading) and block.id:
            refs[block.id] = block.text
    links = {k: f"[{v}](#{k})" for k, v in refs.items()}

    out: list = []
    headings: list[model.Heading] = []
    anchors: set[str] = set()
    t = f = qn = 0
    compiled: dict = {}
    notes: dict[str, int] = {}
    with study.engine.connect() as connection:
        quotes.check_all(connection, spec.quotes, b.file)
        for block in spec.blocks:
            if isinstance(block, S.Heading):
                anchor = block.id or slug(block.text)
                base, k = anchor, 2
                while anchor in anchors:
                    anchor, k = f"{base}-{k}", k + 1
                anchors.add(anchor)
                h = model.Heading(block.text, block.level, anchor)
                headings.append(h)
                out.append(h)
            elif isinstance(block, S.Text):
                cited = _cite(b, block, spec.footnotes, notes)
                out.append(model.Prose(b.prose(replace(block, markdown=cited), links)))
            elif isinstance(block, S.References):
                out.append(model.References(block.items))
            elif isinstance(block, S.Table):
                t += 1
                b.progress(f"Table {t}")
                out.append(b.table(block, t))
            elif isinstance(block, S.Figure):
                f += 1
                b.progress(f"Figure {f}")
                out.append(b.figure(block, f))
            elif isinstance(block, S.Quote):
                qn += 1
                b.progress(f"Quote {qn}")
                out.append(b.quote(block, connection, qn, compiled))
            elif isinstance(block, S.Toc):
                out.append(block)
            elif isinstance(block, S.PageBreak):
                out.append(model.PageBreak())
    blocks = tuple(
        model.Toc(x.title or i18n.word(b.lang, "contents"), tuple(headings))
        if isinstance(x, S.Toc) else x for x in out)
    created = study.meta("created_at") or "2000-01-01T00:00:00+00:00"
    timestamp = f"{spec.date}T00:00:00+00:00" if spec.date and len(spec.date) == 10 else created
    return model.Report(
        title=spec.title or study.title, subtitle=spec.subtitle, authors=spec.authors,
        date=spec.date, lang=b.lang or "en", blocks=blocks, timestamp=timestamp,
        warnings=tuple(b.warnings), output=spec.output,
        footnotes=tuple(spec.footnotes[name] for name in notes))


_FOOTNOTE = re.compile(r"\[\^([\w-]+)\]")


def _cite(b: Builder, block: S.Text, footnotes: Mapping[str, str], notes: dict[str, int]) -> str:
    """``[^name]`` -> footnote mark N, numbered in order of first citation."""
    def mark(match: re.Match) -> str:
        name = match.group(1)
        if name not in footnotes:
            line = (block.text_line or block.line) + block.markdown[:match.start()].count("\n")
            known = ", ".join(footnotes) or "none"
            raise b.fail(f"there is no footnote '{name}' under 'footnotes:' (known: {known}).",
                         line, f"add '{name}: TEXT' under 'footnotes:' at the top of the spec, "
                         "or fix the name.")
        number = notes.setdefault(name, len(notes) + 1)
        return f"{model.NOTE}{number}{model.NOTE}"

    return _FOOTNOTE.sub(mark, block.markdown)

