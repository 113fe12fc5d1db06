"""Disclosure control before publishing: who is unique, which attributions point at one
person, and which table cells must not be printed.

No answer names anyone, yet region, type of organisation and "political or not" together
may single out the one political CSO of a small oblast. The questions that identify in
combination are marked ``identifying = yes`` on the XLSForm's survey sheet. ``check``
reports, as sdcMicro's ``print(sdc, "kAnon")`` does, how many respondents are unique on
those questions or in a group smaller than k (``[privacy] k`` in ``syrmak.toml``, 3 by
default); which quoted respondents' attributions ("Respondent 25, independent activist")
fit fewer than k respondents; and which regions of the report's map hold fewer than k.

``suppress`` decides which cells of a table crossing an identifying question are hidden in
the report and in exports: every non-empty cell under k (primary suppression) and, in each
row and column where one hidden cell could be worked out from the total, one more cell
(secondary suppression), repeated until no hidden cell can be recovered from a margin.
A missing answer counts as a value of its own (sdcMicro can instead treat it as matching
anything, which makes groups larger); that is the cautious choice for small studies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from syrmak.errors import SyrmakError

if TYPE_CHECKING:
    import pandas as pd

    from syrmak.study import Study

DEFAULT_K = 3
#: What a suppressed cell shows, in the report and in exports (as statistical offices do).
SUPPRESSED = "x"


def k_of(study: Study) -> int:
    value = study.config.get("privacy", {}).get("k", DEFAULT_K)
    if not isinstance(value, int) or isinstance(value, bool) or value < 2:
        raise SyrmakError(f"[privacy] k = {value!r} in syrmak.toml is not a whole number of 2 "
                          "or more.", "write e.g. 'k = 3' under [privacy].", code="bad-config",
                          file="syrmak.toml", value=str(value))
    return value


@dataclass(frozen=True)
class Suppression:
    """Which cells of a counts table are hidden: ``cells[i][j]``, and the margins."""

    cells: tuple[tuple[bool, ...], ...]
    row_totals: tuple[bool, ...]
    column_totals: tuple[bool, ...]

    @property
    def any(self) -> bool:
        return any(any(row) for row in self.cells) or any(self.row_totals) or \
            any(self.column_totals)

    @property
    def primary_and_secondary(self) -> int:
        return sum(sum(row) for row in self.cells)


def suppress(counts, k: int) -> Suppression:
    """Primary and secondary suppression of a two-way table of counts (rows x columns)."""
    table = [[float(v) for v in row] for row in counts]
    n_rows = len(table)
    n_cols = len(table[0]) if table else 0
    hidden = [[0 < v < k for v in row] for row in table]
    row_totals = [False] * n_rows
    col_totals = [False] * n_cols

    def lines():
        for i in range(n_rows):
            yield [(i, j) for j in range(n_cols)], row_totals, i
        for j in range(n_cols):
            yield [(i, j) for i in range(n_rows)], col_totals, j

    changed = True
    while changed:
        changed = False
        for cells, totals, index in lines():
            if totals[index]:
                continue
            shut = [c for c in cells if hidden[c[0]][c[1]]]
            if len(shut) != 1:
                continue
            # The total minus the open cells would give the hidden one: hide another, the
            # smallest non-empty one (the least information lost), else the margin itself.
            open_cells = sorted((table[i][j], i, j) for i, j in cells
                                if not hidden[i][j] and table[i][j] > 0)
            if open_cells:
                _, i, j = open_cells[0]
                hidden[i][j] = True
            else:
                totals[index] = True
            changed = True
    return Suppression(tuple(tuple(r) for r in hidden), tuple(row_totals), tuple(col_totals))


@dataclass(frozen=True)
class Attribution:
    respondent: int
    variables: tuple[str, ...]
    #: How many respondents share this respondent's values of the attribution's variables.
    group: int
    #: Whether the respondent is also unique on all identifying questions.
    unique: bool


@dataclass(frozen=True)
class Disclosure:
    k: int
    variables: tuple[str, ...]
    respondents: int
    #: Respondent number -> size of their group on the identifying questions, for groups < k.
    at_risk: dict[int, int] = field(default_factory=dict)
    attributions: tuple[Attribution, ...] = ()
    #: Map regions (labels) with fewer than k respondents, and their counts.
    map_cells: tuple[tuple[str, int], ...] = ()
    map_question: str | None = None

    @property
    def unique(self) -> tuple[int, ...]:
        return tuple(n for n, size in sorted(self.at_risk.items()) if size == 1)

    def lines(self) -> list[str]:
        out = [f"Identifying questions: {', '.join(self.variables)}; k = {self.k}; "
               f"{self.respondents} respondents."]
        small = sorted(n for n, s in self.at_risk.items() if s > 1)
        out.append(f"Unique on these questions: {len(self.unique)} respondent(s)"
                   + (f": {', '.join(map(str, self.unique))}." if self.unique else "."))
        out.append(f"In groups smaller than {self.k} (but not alone): {len(small)}"
                   + (f": {', '.join(map(str, small))}." if small else "."))
        for a in self.attributions:
            risk = "fits fewer than k respondents" if a.group < self.k else "fits enough"
            out.append(f"Quote attribution of respondent {a.respondent} ({', '.join(a.variables)}"
                       f"): {a.group} respondent(s) share it, {risk}"
                       + ("; the respondent is unique on the identifying questions, so "
                          "tables by those questions can point at them." if a.unique else "."))
        if self.map_question:
            cells = "; ".join(f"{label}: {n}" for label, n in self.map_cells)
            out.append(f"Map of '{self.map_question}': {len(self.map_cells)} region(s) with "
                       f"fewer than {self.k} respondents" + (f" ({cells})." if cells else "."))
        return out


def _keys(frame: pd.DataFrame, names) -> pd.DataFrame:
    """One comparable value per respondent and question; a multiple answer is the set of
    options chosen (the frame spreads it over ``question/option`` columns)."""
    import pandas as pd

    out = {}
    for name in names:
        if name in frame.columns:
            out[name] = frame[name].astype("string").fillna("(no answer)")
            continue
        parts = [c for c in frame.columns if c.startswith(f"{name}/")]
        chosen = frame[parts].fillna(False).astype(bool)
        out[name] = chosen.apply(lambda row: " ".join(c.split("/", 1)[1] for c in row.index
                                                      if row[c]) or "(no answer)", axis=1)
    return pd.DataFrame(out, index=frame.index)


def _group_sizes(keys: pd.DataFrame) -> pd.Series:
    return keys.groupby(list(keys.columns), dropna=False)[keys.columns[0]].transform("size")


def check(study: Study, k: int | None = None) -> Disclosure:
    """The disclosure report of ``study`` (``syrmak disclosure``)."""
    form = study.questionnaire
    names = tuple(q.name for q in form.identifying)
    if not names:
        raise SyrmakError("no question is marked as identifying.",
                          "add a column 'identifying' to the XLSForm's survey sheet, write yes "
                          "for questions such as region, type of organisation or age group, and "
                          "load the form again ('syrmak questionnaire load').",
                          code="no-identifying-questions")
    k = k or k_of(study)
    frame = study.responses()
    sizes = _group_sizes(_keys(frame, names))
    at_risk = {int(n): int(s) for n, s in sizes.items() if s < k}
    attributions = _attributions(study, frame, sizes)
    map_question, map_cells = _map(study, frame, k)
    return Disclosure(k, names, len(frame), at_risk, attributions, map_cells, map_question)


def _spec(study: Study):
    from syrmak.report.spec import SPEC_NAME, load_spec

    if study.folder is None or not (study.folder / SPEC_NAME).is_file():
        return None
    return load_spec(study.folder / SPEC_NAME)


def _template_variables(template: str, names: set[str]) -> tuple[str, ...]:
    found = re.findall(r"\b([A-Za-z_][A-Za-z0-9_]*)\b", template)
    return tuple(dict.fromkeys(n for n in found if n in names))


def _attributions(study: Study, frame: pd.DataFrame, sizes: pd.Series):
    """Quoted respondents (those with linked documents) against the attribution's variables."""
    import sqlalchemy as sa

    from syrmak.store import schema

    spec = _spec(study)
    template = (spec.attribution if spec else None) or \
        study.config.get("report", {}).get("attribution") or ""
    variables = _template_variables(template, {q.name for q in study.questionnaire.questions})
    if not variables:
        return ()
    d, r = schema.documents, schema.respondents
    with study.engine.connect() as connection:
        quoted = sorted(set(connection.execute(
            sa.select(r.c.number).join(d, d.c.respondent_id == r.c.id)
            .where(r.c.withdrawn_at.is_(None))).scalars()))
    group = _group_sizes(_keys(frame, variables))
    return tuple(Attribution(n, variables, int(group.loc[n]), int(sizes.loc[n]) == 1)
                 for n in quoted if n in group.index)


def _map(study: Study, frame: pd.DataFrame, k: int):
    spec = _spec(study)
    if spec is None:
        return None, ()
    form = study.questionnaire
    for block in spec.blocks:
        chart = getattr(block, "chart", None)
        if chart != "map":
            continue
        name = block.analysis.args.get("question")
        try:
            q = form.question(name)
        except SyrmakError:
            continue
        counts = _keys(frame, [name])[name].str.split(" ").explode().value_counts()
        label = {c.name: c.label(spec.lang) for c in q.choices}
        return name, tuple((label.get(c, c), int(n)) for c, n in sorted(counts.items())
                           if c != "(no answer)" and 0 < n < k)
    return None, ()


def for_export(study: Study, result):
    """A crosstab as it may leave the researcher's screen: cells of a table crossing an
    identifying question suppressed (``SUPPRESSED``), with a note. Other results, and
    crosstabs of questions that identify no one, come back unchanged."""
    import dataclasses

    from syrmak.analysis.results import Crosstab

    if not isinstance(result, Crosstab):
        return result
    form = study.questionnaire
    if not (form.question(result.question).identifying
            or form.question(result.column_question).identifying):
        return result
    k = k_of(study)
    hidden = suppress(result.counts, k)
    if not hidden.any:
        return result

    def mask(matrix, shut):
        return tuple(tuple(SUPPRESSED if shut[i][j] else v for j, v in enumerate(row))
                     for i, row in enumerate(matrix))

    def line(values, shut):
        return tuple(SUPPRESSED if s else v for v, s in zip(values, shut, strict=True))

    ci = None if result.ci is None else tuple(
        tuple((None, None) if hidden.cells[i][j] else c for j, c in enumerate(row))
        for i, row in enumerate(result.ci))
    note = (f"Cells with fewer than {k} respondents, and cells from which they could be "
            f"worked out, are not shown ({SUPPRESSED}).")
    return dataclasses.replace(
        result, counts=mask(result.counts, hidden.cells),
        percent=mask(result.percent, hidden.cells),
        row_totals=line(result.row_totals, hidden.row_totals),
        row_total_percent=line(result.row_total_percent, hidden.row_totals),
        column_totals=line(result.column_totals, hidden.column_totals),
        column_total_percent=line(result.column_total_percent, hidden.column_totals),
        ci=ci, notes=(*result.notes, note))
