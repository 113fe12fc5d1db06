"""Mixed-methods matrices: codes set against survey variables, codes against codes.

- ``code_matrix``: how many documents (or respondents) of each group carry each code.
- ``cooccurrence``: codes together in a document, or on overlapping segments; counts and
  Jaccard.
- ``quote_matrix``: the segments themselves in a code x group grid (MAXQDA's Interactive
  Quote Matrix).
- ``code_variable`` / ``with_codes``: a code as a respondent variable for survey crosstabs.

"Carries a code" counts the code's subcodes too unless ``subcodes=False``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.qual.lookup import code_paths, code_rows, descendants, resolve_code
from syrmak.store import schema

if TYPE_CHECKING:
    from syrmak.study import Study
    from syrmak.survey.instrument import Questionnaire

TOTAL = "Total"


def _code_sets(study: Study, codes: list | None, subcodes: bool,
               coders: list[str] | None) -> tuple[list[str], pd.DataFrame]:
    """Codes (paths) asked for, and a frame of (document_id, respondent, code path, start, end)
    where a coding of a subcode also counts for its ancestors when ``subcodes``."""
    k, d, r = schema.codings, schema.documents, schema.respondents
    with study.engine.connect() as connection:
        rows = code_rows(connection)
        paths = code_paths(rows)
        chosen = [resolve_code(connection, c, rows) for c in codes] if codes else [
            x for x in rows]
        query = (sa.select(k.c.id, k.c.document_id, r.c.number, k.c.code_id, k.c.start_offset,
                           k.c.end_offset)
                 .join(d, d.c.id == k.c.document_id).outerjoin(r, r.c.id == d.c.respondent_id))
        if coders:
            query = query.where(k.c.coder.in_(coders))
        codings = pd.DataFrame(connection.execute(query).all(),
                               columns=["id", "document_id", "respondent", "code_id", "start",
                                        "end"])
    parts = []
    for code in chosen:
        ids = descendants(rows, code.id) if subcodes else {code.id}
        part = codings[codings["code_id"].isin(ids)].copy()
        part["code"] = paths[code.id]
        parts.append(part)
    names = [paths[c.id] for c in chosen]
    if not parts:
        return names, codings.assign(code=pd.Series(dtype=object))
    return names, pd.concat(parts, ignore_index=True)


def _groups(frame: pd.DataFrame, variable: str) -> pd.DataFrame:
    """Boolean membership, one column per group; a select_multiple gives one per option."""
    if variable in frame.columns:
        values = frame[variable]
        if isinstance(values.dtype, pd.CategoricalDtype):
            labels = [c for c in values.cat.categories if (values == c).any()]
        else:
            labels = sorted({v for v in values.dropna()}, key=str)
        return pd.DataFrame({str(g): (values == g).fillna(False).astype(bool) for g in labels},
                            index=frame.index)
    options = [c for c in frame.columns if c.startswith(f"{variable}/")]
    if not options:
        raise SyrmakError(f"there is no variable '{variable}'.",
                          "choose a question of the survey or a document variable; "
                          "'syrmak docs variables DIR' lists them.", code="unknown-variable",
                          value=variable)
    return pd.DataFrame({c.split("/", 1)[1]: frame[c].fillna(False).astype(bool)
                         for c in options}, index=frame.index)


@dataclass(frozen=True)
class CodeMatrix:
    """Counts and percentages of units (documents or respondents) carrying each code."""

    variable: str
    unit: str
    counts: pd.DataFrame
    bases: pd.Series

    @property
    def percents(self) -> pd.DataFrame:
        with np.errstate(divide="ignore", invalid="ignore"):
            return (self.counts / self.bases.replace(0, np.nan) * 100).round(1)

    def to_frame(self) -> pd.DataFrame:
        """Columns (group, 'n' | '%'); a last row holds the group sizes."""
        parts = {}
        for group in self.counts.columns:
            parts[(group, "n")] = self.counts[group]
            parts[(group, "%")] = self.percents[group]
        frame = pd.DataFrame(parts)
        base = pd.DataFrame({(g, "n"): [self.bases[g]] for g in self.counts.columns},
                            index=[f"{self.unit} (base)"])
        return pd.concat([frame, base])


def _units(study: Study, unit: str, lang: str | None) -> tuple[pd.DataFrame, str]:
    from syrmak.qual.documents import document_variables

    if unit == "documents":
        frame = document_variables(study, lang).reset_index()
        return frame.set_index("doc_id", drop=False), "document_id"
    if unit == "respondents":
        frame = study.responses(lang)
        with study.engine.connect() as connection:
            linked = set(connection.execute(
                sa.select(schema.respondents.c.number)
                .join(schema.documents, schema.documents.c.respondent_id == schema.respondents.c.id)
            ).scalars())
        # Only respondents with a document can carry a code: the base is the interviewed.
        return frame[frame.index.isin(linked)], "respondent"
    raise SyrmakError(f"unknown unit '{unit}'.", "use 'documents' or 'respondents'.",
                      code="bad-argument", value=unit)


def code_matrix(study: Study, variable: str, codes: list | None = None, *,
                unit: str = "documents", subcodes: bool = True, coders: list[str] | None = None,
                lang: str | None = None) -> CodeMatrix:
    """Code x group: how many documents (or respondents) of each group carry each code."""
    frame, key = _units(study, unit, lang)
    groups = _groups(frame, variable)
    groups[TOTAL] = True
    names, codings = _code_sets(study, codes, subcodes, coders)
    counts = pd.DataFrame(0, index=pd.Index(names, name="code"), columns=groups.columns)
    for code, part in codings.groupby("code"):
        carriers = set(part[key].dropna())
        mask = groups.index.isin(list(carriers))
        counts.loc[code] = groups[mask].sum().astype(int)
    bases = groups.sum().astype(int)
    return CodeMatrix(variable, unit, counts, bases)


@dataclass(frozen=True)
class Cooccurrence:
    level: str
    counts: pd.DataFrame
    jaccard: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        return self.counts


def cooccurrence(study: Study, codes: list | None = None, *, level: str = "document",
                 subcodes: bool = False, coders: list[str] | None = None) -> Cooccurrence:
    """Codes together. ``document``: documents carrying both (diagonal: carrying one);
    ``segment``: codings of one code overlapping a coding of the other, counted as pairs
    (diagonal: codings). Jaccard = both / (either) = n_ab / (n_a + n_b - n_ab)."""
    if level not in ("document", "segment"):
        raise SyrmakError(f"unknown level '{level}'.", "use 'document' or 'segment'.",
                          code="bad-argument", value=level)
    names, codings = _code_sets(study, codes, subcodes, coders)
    counts = pd.DataFrame(0, index=names, columns=names, dtype=int)
    if level == "document":
        sets = {n: set(codings.loc[codings.code == n, "document_id"]) for n in names}
        for a in names:
            for b in names:
                counts.loc[a, b] = len(sets[a] & sets[b])
    else:
        by_code = {n: codings[codings.code == n] for n in names}
        for a in names:
            counts.loc[a, a] = len(by_code[a])
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                merged = by_code[a].merge(by_code[b], on="document_id")
                n = int(((merged.start_x < merged.end_y) & (merged.start_y < merged.end_x)
                         & (merged.id_x != merged.id_y)).sum())
                counts.loc[a, b] = counts.loc[b, a] = n
    diagonal = np.diag(counts.to_numpy())
    union = diagonal[:, None] + diagonal[None, :] - counts.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        jac = np.where(union > 0, counts.to_numpy() / union, np.nan)
    return Cooccurrence(level, counts, pd.DataFrame(jac, index=names, columns=names))


@dataclass(frozen=True)
class QuoteMatrix:
    """Segments in a code x group grid: ``cells[(code, group)]`` is a tuple of segment rows."""

    variable: str
    codes: tuple[str, ...]
    groups: tuple[str, ...]
    cells: dict

    def to_frame(self, separator: str = "\n\n") -> pd.DataFrame:
        data = {g: [separator.join(f"{s['text']} [{s['document']}]"
                                   for s in self.cells.get((c, g), ())) for c in self.codes]
                for g in self.groups}
        return pd.DataFrame(data, index=pd.Index(self.codes, name="code"))

    def to_xlsx(self, path: str | Path) -> Path:
        from syrmak.exports import write_xlsx

        return write_xlsx(self.to_frame(), path, sheet_name="quotes")

    def to_markdown(self) -> str:
        lines = [f"# Quotes by code and {self.variable}", ""]
        for code in self.codes:
            lines += [f"## {code}", ""]
            for group in self.groups:
                segs = self.cells.get((code, group), ())
                if not segs:
                    continue
                lines += [f"### {group}", ""]
                for s in segs:
                    lines += ["> " + s["text"].replace("\n", "\n> "), "", f"— {s['document']}",
                              ""]
        return "\n".join(lines)


def quote_matrix(study: Study, variable: str, codes: list | None = None, *,
                 coders: list[str] | None = None, lang: str | None = None) -> QuoteMatrix:
    from syrmak.qual.retrieval import Code, retrieve

    frame, _ = _units(study, "documents", lang)
    groups = _groups(frame, variable)
    names, _ = _code_sets(study, codes, True, coders)
    member = {g: set(frame.loc[groups[g], "document"]) for g in groups.columns}
    cells: dict = {}
    for code in names:
        for s in retrieve(study, Code(code), coders=coders, context=0).rows:
            for g in groups.columns:
                if s["document"] in member[g]:
                    cells.setdefault((code, g), []).append(s)
    cells = {k: tuple(v) for k, v in cells.items()}
    return QuoteMatrix(variable, tuple(names), tuple(groups.columns), cells)


def code_variable(study: Study, code: str | int, *, kind: str = "has", subcodes: bool = True,
                  coders: list[str] | None = None) -> pd.Series:
    """A code as a respondent variable (index: respondent number, every respondent).

    ``has``: True/False for respondents with at least one document, <NA> for the rest;
    ``count``: number of codings (0 for respondents with documents, <NA> otherwise).
    """
    if kind not in ("has", "count"):
        raise SyrmakError(f"unknown kind '{kind}'.", "use 'has' or 'count'.",
                          code="bad-argument", value=kind)
    names, codings = _code_sets(study, [code], subcodes, coders)
    r, d = schema.respondents, schema.documents
    with study.engine.connect() as connection:
        everyone = connection.execute(sa.select(r.c.number).order_by(r.c.number)).scalars().all()
        linked = set(connection.execute(sa.select(r.c.number)
                                        .join(d, d.c.respondent_id == r.c.id)).scalars())
    index = pd.Index(everyone, name="respondent", dtype="int64")
    counts = codings.dropna(subset=["respondent"]).groupby("respondent").size()
    counts.index = counts.index.astype("int64")
    values = counts.reindex(index, fill_value=0).astype("Int64")
    values[~index.isin(list(linked))] = pd.NA
    if kind == "has":
        values = (values > 0).astype("boolean")
    values.name = names[0]
    return values


_YES = {"ru": ("да", "нет"), "en": ("yes", "no"), "kk": ("иә", "жоқ")}


def with_codes(study: Study, codes: list, *, lang: str | None = None,
               coders: list[str] | None = None) -> tuple[Questionnaire, pd.DataFrame]:
    """The questionnaire and ``study.responses(lang)`` with one select_one question per code
    (``code:<path>``, yes/no, missing for respondents with no document), ready for
    ``syrmak.analysis`` crosstabs."""
    from syrmak.survey.instrument import Choice, Question

    form = study.questionnaire
    frame = study.responses(lang)
    lang = frame.attrs.get("lang", lang)
    added = []
    for code in codes:
        has = code_variable(study, code, coders=coders).reindex(frame.index)
        name = f"code:{has.name}"
        langs = form.languages or ("en",)
        yes = Choice("yes", {x: _YES.get(x.split()[-1].strip("()"), _YES["en"])[0] for x in langs})
        no = Choice("no", {x: _YES.get(x.split()[-1].strip("()"), _YES["en"])[1] for x in langs})
        question = Question(name, "select_one", {x: str(has.name) for x in langs}, (yes, no),
                            list_name="yes_no")
        added.append(question)
        labels = [yes.label(lang), no.label(lang)]
        values = has.map({True: labels[0], False: labels[1]}).astype(object)
        frame[name] = pd.Categorical(values.where(has.notna(), None), categories=labels,
                                     ordered=True)
    return replace(form, questions=form.questions + tuple(added)), frame
