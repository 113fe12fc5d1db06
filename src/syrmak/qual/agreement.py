"""Intercoder agreement, at document level (code present or absent) and segment level.

Document level: for each code, each compared document is a unit and each coder says
"present" (1) or "absent" (0). Reported per code and pooled over all (code, document) units:

- percent agreement: the share of agreeing coder pairs over units (for two coders, the share
  of units where they agree);
- Cohen's kappa, (p_o - p_e) / (1 - p_e) with p_e = p1 q1 + p2 q2 summed over the two
  categories (QualCoder multiplies where these add); with more than two coders, the mean of
  the pairwise kappas (Light's kappa);
- Brennan-Prediger kappa, (p_o - 1/2) / (1 - 1/2): chance fixed at one over the number of
  categories, as MAXQDA reports it;
- Krippendorff's alpha (nominal), computed by the ``krippendorff`` package.

Segment level (MAXQDA's "segment overlap"): a coder's segment agrees when another coder put
the same code on a segment of the same document whose overlap (intersection over union of
the two spans) reaches ``threshold``. Only different coders are compared: one coder's
overlapping segments never count as agreement. Both coders' segments are checked. With
a = agreeing segments / 2, b and c = each coder's unmatched segments, p_o = a / (a + b + c)
and, as MAXQDA, kappa = (p_o - 1/k) / (1 - 1/k) for k codes in the table.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from syrmak.errors import SyrmakError
from syrmak.qual.coding import codings_frame

if TYPE_CHECKING:
    from syrmak.study import Study

OVERALL = "(all codes)"


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Cohen's kappa of two raters' category labels (any hashable labels)."""
    a, b = np.asarray(a), np.asarray(b)
    if len(a) == 0:
        return float("nan")
    po = float(np.mean(a == b))
    categories = np.union1d(a, b)
    pe = float(sum(np.mean(a == c) * np.mean(b == c) for c in categories))
    if pe == 1.0:
        return float("nan")
    return (po - pe) / (1 - pe)


def krippendorff_alpha(matrix: np.ndarray) -> float:
    """Nominal alpha of a coders x units matrix (NaN = missing), via ``krippendorff``."""
    import krippendorff

    data = np.asarray(matrix, dtype=float)
    values = data[~np.isnan(data)]
    if len(np.unique(values)) < 2:
        return float("nan")  # one value only: alpha is undefined (no variation to agree on)
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))


def _pairwise_agreement(matrix: np.ndarray) -> float:
    """The share of agreeing coder pairs over all units (rows: coders, columns: units)."""
    pairs = list(itertools.combinations(range(matrix.shape[0]), 2))
    agree = sum(int(np.sum(matrix[i] == matrix[j])) for i, j in pairs)
    total = len(pairs) * matrix.shape[1]
    return agree / total if total else float("nan")


def _stats(matrix: np.ndarray) -> dict:
    po = _pairwise_agreement(matrix)
    pairs = list(itertools.combinations(range(matrix.shape[0]), 2))
    kappas = [cohen_kappa(matrix[i], matrix[j]) for i, j in pairs]
    kappa = float(np.mean(kappas)) if kappas and not np.isnan(kappas).any() else float("nan")
    return {"units": matrix.shape[1], "agreement": po, "cohen_kappa": kappa,
            "brennan_prediger": (po - 0.5) / 0.5, "krippendorff_alpha": krippendorff_alpha(matrix)}


#: Below this many units a coefficient is too unstable to report without a warning.
FEW_UNITS = 10


@dataclass(frozen=True)
class DocumentAgreement:
    coders: tuple[str, ...]
    documents: tuple[str, ...]
    table: pd.DataFrame  # one row per code and a last OVERALL row
    disagreements: pd.DataFrame  # code, document, coded_by, not_coded_by
    #: Which documents are units and why, and each coefficient resting on fewer than
    #: FEW_UNITS units or undefined (with the reason).
    warnings: tuple[str, ...] = ()
    units_from: str = ""

    def to_frame(self) -> pd.DataFrame:
        return self.table


def _warnings(table: pd.DataFrame) -> list[str]:
    out = []
    for code, row in table.iterrows():
        units = int(row["units"])
        if units < FEW_UNITS:
            out.append(f"'{code}': only {units} unit(s); agreement coefficients on fewer "
                       f"than {FEW_UNITS} units are unstable.")
        if np.isnan(row["krippendorff_alpha"]):
            out.append(f"'{code}': Krippendorff's alpha is undefined: every coder gave every "
                       "unit the same value (no variation to agree on).")
        if np.isnan(row["cohen_kappa"]):
            out.append(f"'{code}': Cohen's kappa is undefined: expected chance agreement is "
                       "1 (the coders used a single category).")
    return out


def _units(study: Study, coders: list[str], documents, assignments) -> tuple[list[str], str]:
    """The documents compared: those given, those assigned to every coder, or (neither
    given) every document of the study. A document a coder was given and left uncoded is
    a judgment ("code absent"), so the units are the assignments, not the codings: counting
    only documents every coder coded at least once drops exactly the units where coders
    disagree by omission."""
    from syrmak.qual.documents import list_documents

    known = [d["name"] for d in list_documents(study).rows]
    if documents is not None and assignments is not None:
        raise SyrmakError("pass documents or assignments, not both.",
                          "documents: the same list for every coder; assignments: a list "
                          "per coder.", code="bad-argument")
    if assignments is not None:
        missing = [c for c in coders if c not in assignments]
        if missing:
            raise SyrmakError(f"no document list for coder(s) {', '.join(missing)}.",
                              "give every compared coder the documents assigned to them.",
                              code="bad-argument")
        chosen = set.intersection(*(set(assignments[c]) for c in coders))
        names, why = [d for d in known if d in chosen], "documents assigned to every coder"
        unknown = sorted(chosen - set(known))
    elif documents is not None:
        names, why = list(dict.fromkeys(documents)), "documents given"
        unknown = [d for d in names if d not in known]
    else:
        names, why = known, ("every document of the study, as none were given: this "
                             "assumes every coder was given every document; pass the "
                             "documents each coder was given if not (--documents)")
        unknown = []
    if unknown:
        raise SyrmakError(f"no document named {', '.join(repr(d) for d in unknown[:5])}.",
                          "list the study's documents with 'syrmak docs list'.",
                          code="unknown-document", value=unknown[0])
    return names, why


def _select(study: Study, coders: list[str] | None, codes: list | None, subcodes: bool):
    frame = codings_frame(study)
    everyone = sorted(frame["coder"].unique())
    coders = list(coders) if coders else everyone
    if len(coders) < 2:
        raise SyrmakError("intercoder agreement needs at least two coders; found "
                          f"{', '.join(coders) or 'none'}.",
                          "code the same documents as two coders, or name them with --coders.",
                          code="too-few-coders")
    unknown = [c for c in coders if c not in everyone]
    if unknown:
        raise SyrmakError(f"no codings by {', '.join(unknown)}.",
                          "coders with codings: " + ", ".join(everyone) + ".",
                          code="unknown-coder", value=unknown[0])
    frame = frame[frame["coder"].isin(coders)]
    if codes:
        from syrmak.qual.lookup import code_paths, code_rows, descendants, resolve_code

        with study.engine.connect() as connection:
            rows = code_rows(connection)
            chosen = [resolve_code(connection, c, rows) for c in codes]
        paths = code_paths(rows)
        parts = []
        for code in chosen:
            ids = descendants(rows, code.id) if subcodes else {code.id}
            part = frame[frame["code_id"].isin(ids)].copy()
            part["code"] = paths[code.id]
            parts.append(part)
        names = [paths[c.id] for c in chosen]
        frame = pd.concat(parts, ignore_index=True) if parts else frame.iloc[:0]
    else:
        names = sorted(frame["code"].unique())
    return frame, coders, names


def document_agreement(study: Study, *, coders: list[str] | None = None,
                       codes: list | None = None, documents: list[str] | None = None,
                       assignments: dict[str, list[str]] | None = None,
                       subcodes: bool = False) -> DocumentAgreement:
    """Presence/absence of each code in each document, compared across coders.

    Units are the documents assigned to the coders: ``documents`` (every coder was given
    them), ``assignments`` (``{coder: [documents]}``; a unit is a document given to every
    compared coder), or by default every document of the study. A coder who left an
    assigned document uncoded said "absent" for every code there.
    """
    frame, coders, names = _select(study, coders, codes, subcodes)
    documents, why = _units(study, coders, documents, assignments)
    if not documents:
        raise SyrmakError("no document is assigned to all the coders compared.",
                          "pass the documents both coders were given (--documents).",
                          code="no-common-documents")
    present = set(zip(frame["code"], frame["document"], frame["coder"], strict=True))
    rows, pooled, disagreements = [], [], []
    for code in names:
        matrix = np.array([[1 if (code, d, c) in present else 0 for d in documents]
                           for c in coders])
        pooled.append(matrix)
        rows.append({"code": code, **_stats(matrix)})
        for j, d in enumerate(documents):
            if len(set(matrix[:, j])) > 1:
                disagreements.append({
                    "code": code, "document": d,
                    "coded_by": ", ".join(c for i, c in enumerate(coders) if matrix[i, j]),
                    "not_coded_by": ", ".join(c for i, c in enumerate(coders) if not matrix[i, j])})
    if pooled:
        rows.append({"code": OVERALL, **_stats(np.concatenate(pooled, axis=1))})
    table = pd.DataFrame(rows, columns=["code", "units", "agreement", "cohen_kappa",
                                        "brennan_prediger", "krippendorff_alpha"])
    table = table.set_index("code")
    notes = [f"units: {len(documents)} {why}."] + _warnings(table)
    return DocumentAgreement(tuple(coders), tuple(documents), table,
                             pd.DataFrame(disagreements,
                                          columns=["code", "document", "coded_by",
                                                   "not_coded_by"]),
                             tuple(notes[1:]), notes[0])


@dataclass(frozen=True)
class SegmentAgreement:
    threshold: float
    table: pd.DataFrame
    disagreements: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        return self.table


def _overlap(s1: int, e1: int, s2: int, e2: int) -> float:
    inter = min(e1, e2) - max(s1, s2)
    if inter <= 0:
        return 0.0
    return inter / (max(e1, e2) - min(s1, s2))


def segment_agreement(study: Study, *, coders: list[str] | None = None,
                      codes: list | None = None, documents: list[str] | None = None,
                      threshold: float = 0.9, subcodes: bool = False) -> SegmentAgreement:
    """Segment-level agreement for each pair of coders (see the module notes), over the
    documents both coders of the pair have coded (or those of ``documents``)."""
    if not 0 < threshold <= 1:
        raise SyrmakError(f"the overlap threshold {threshold} is not in (0, 1].",
                          "give a share such as 0.9 (90%).", code="bad-argument",
                          value=threshold)
    frame, coders, names = _select(study, coders, codes, subcodes)
    if documents is not None:
        frame = frame[frame["document"].isin(documents)]
    rows, missing = [], []
    text_of: dict[str, str] = {}
    from syrmak.qual.documents import get_document

    everything = codings_frame(study)
    for x, y in itertools.combinations(coders, 2):
        pair = f"{x} / {y}"
        # Only documents both coders worked on: elsewhere one of them simply did not code.
        shared = (set(everything.loc[everything.coder == x, "document"])
                  & set(everything.loc[everything.coder == y, "document"]))
        totals = {"a": 0.0, "b": 0, "c": 0}
        for code in names:
            counts = {x: [0, 0], y: [0, 0]}  # agreeing, unmatched
            part = frame[(frame["code"] == code) & frame["document"].isin(shared)]
            for me, other in ((x, y), (y, x)):
                mine = part[part["coder"] == me]
                theirs = part[part["coder"] == other]
                for seg in mine.itertuples():
                    others = theirs[theirs["document"] == seg.document]
                    best = max((_overlap(seg.start, seg.end, o.start, o.end)
                                for o in others.itertuples()), default=0.0)
                    if best >= threshold:
                        counts[me][0] += 1
                    else:
                        counts[me][1] += 1
                        if seg.document not in text_of:
                            text_of[seg.document] = get_document(study, seg.document_id).text
                        missing.append({"pair": pair, "code": code, "document": seg.document,
                                        "coder": me, "start": seg.start, "end": seg.end,
                                        "best_overlap": round(best, 3),
                                        "text": text_of[seg.document][seg.start:seg.end]})
            agree = counts[x][0] + counts[y][0]
            total = agree + counts[x][1] + counts[y][1]
            if total == 0:
                continue
            totals["a"] += agree / 2
            totals["b"] += counts[x][1]
            totals["c"] += counts[y][1]
            rows.append({"pair": pair, "code": code, "agree": agree,
                         "disagree": counts[x][1] + counts[y][1],
                         "agreement": agree / total, "p_o": agree / 2 / (agree / 2 + counts[x][1]
                                                                  + counts[y][1]),
                         "kappa": float("nan")})
        a, b, c = totals["a"], totals["b"], totals["c"]
        k = len([r for r in rows if r["pair"] == pair])
        if a + b + c:
            po = a / (a + b + c)
            pc = 1 / k if k else float("nan")
            kappa = (po - pc) / (1 - pc) if k > 1 else float("nan")
            rows.append({"pair": pair, "code": OVERALL, "agree": int(2 * a),
                         "disagree": int(b + c), "agreement": 2 * a / (2 * a + b + c),
                         "p_o": po, "kappa": kappa})
    table = pd.DataFrame(rows, columns=["pair", "code", "agree", "disagree", "agreement",
                                        "p_o", "kappa"])
    return SegmentAgreement(threshold, table, pd.DataFrame(
        missing, columns=["pair", "code", "document", "coder", "start", "end", "best_overlap",
                          "text"]))
