"""Agreement review: two coders' codings of one document side by side, the coefficients of
``syrmak agreement`` for the pair, and adjudication into a consensus coder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.qual import agreement
from syrmak.qual.coding import insert_codings
from syrmak.qual.lookup import code_paths, code_rows, document_row
from syrmak.store import schema
from syrmak.store.writelock import serialized
from syrmak.workspace.people import Researcher, require

if TYPE_CHECKING:
    from syrmak.study import Study

CONSENSUS = "consensus"


@dataclass(frozen=True)
class Side:
    coding: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Pairing:
    """One code's segment by coder A and/or coder B; ``agree`` when they overlap enough."""

    code: str
    colour: str | None
    a: Side | None
    b: Side | None
    overlap: float
    agree: bool
    settled: bool  # the consensus coder already has one of the two spans


@dataclass(frozen=True)
class Review:
    document: str
    document_id: int
    coders: tuple[str, str]
    threshold: float
    pairings: tuple[Pairing, ...]
    document_table: pd.DataFrame  # as 'syrmak agreement --coder A --coder B'
    segment_table: pd.DataFrame  # as '... --level segment'

    @property
    def disagreements(self) -> tuple[Pairing, ...]:
        return tuple(p for p in self.pairings if not p.agree)


def _overlap(a: Side, b: Side) -> float:
    inter = min(a.end, b.end) - max(a.start, b.start)
    return inter / (max(a.end, b.end) - min(a.start, b.start)) if inter > 0 else 0.0


def coders_of(study: Study, who: Researcher, document: int | str | None = None) -> list[str]:
    require(who, "read")
    k = schema.codings
    query = sa.select(k.c.coder).distinct().order_by(k.c.coder)
    with study.engine.connect() as connection:
        if document is not None:
            query = query.where(k.c.document_id == document_row(connection, document).id)
        return list(connection.execute(query).scalars())


def review(study: Study, who: Researcher, document: int | str, coder_a: str, coder_b: str,
           threshold: float = 0.9) -> Review:
    """Pair each code's segments of the two coders by best overlap (MAXQDA's segment test)."""
    require(who, "read")
    if who.blind and who.role != "owner":
        raise SyrmakError("the agreement review shows other coders' work, which blind mode "
                          "hides.", "turn blind mode off to review.", code="forbidden")
    if coder_a == coder_b:
        raise SyrmakError("choose two different coders.", "pick a second coder.",
                          code="too-few-coders")
    k = schema.codings
    with study.engine.connect() as connection:
        doc = document_row(connection, document)
        rows = code_rows(connection)
        codings = connection.execute(
            sa.select(k.c.id, k.c.code_id, k.c.start_offset, k.c.end_offset, k.c.coder)
            .where(k.c.document_id == doc.id,
                   k.c.coder.in_([coder_a, coder_b, CONSENSUS]))
            .order_by(k.c.start_offset)).all()
    paths, colours = code_paths(rows), {r.id: r.colour for r in rows}
    settled = {(c.code_id, c.start_offset, c.end_offset) for c in codings
               if c.coder == CONSENSUS}
    pairings: list[Pairing] = []
    for code_id in sorted({c.code_id for c in codings}, key=lambda i: paths[i]):
        sides = {coder: [Side(c.id, c.start_offset, c.end_offset,
                              doc.text[c.start_offset:c.end_offset])
                         for c in codings if c.code_id == code_id and c.coder == coder]
                 for coder in (coder_a, coder_b)}
        candidates = sorted(((_overlap(x, y), i, j) for i, x in enumerate(sides[coder_a])
                             for j, y in enumerate(sides[coder_b])), reverse=True)
        used_a, used_b = set(), set()
        for value, i, j in candidates:
            if value <= 0 or i in used_a or j in used_b:
                continue
            used_a.add(i)
            used_b.add(j)
            x, y = sides[coder_a][i], sides[coder_b][j]
            pairings.append(Pairing(paths[code_id], colours[code_id], x, y, value,
                                    value >= threshold,
                                    _settled(settled, code_id, x, y)))
        for i, x in enumerate(sides[coder_a]):
            if i not in used_a:
                pairings.append(Pairing(paths[code_id], colours[code_id], x, None, 0.0, False,
                                        _settled(settled, code_id, x, None)))
        for j, y in enumerate(sides[coder_b]):
            if j not in used_b:
                pairings.append(Pairing(paths[code_id], colours[code_id], None, y, 0.0, False,
                                        _settled(settled, code_id, None, y)))
    pairings.sort(key=lambda p: (min(s.start for s in (p.a, p.b) if s), p.code))
    try:
        doc_table = agreement.document_agreement(study, coders=[coder_a, coder_b]).table
        seg_table = agreement.segment_agreement(study, coders=[coder_a, coder_b],
                                                threshold=threshold).table
    except SyrmakError:
        doc_table = seg_table = pd.DataFrame()
    return Review(doc.name, doc.id, (coder_a, coder_b), threshold, tuple(pairings),
                  doc_table, seg_table)


def _settled(settled: set, code_id: int, a: Side | None, b: Side | None) -> bool:
    return any((code_id, s.start, s.end) in settled for s in (a, b) if s is not None)


def adjudicate(study: Study, who: Researcher, document: int | str, codings: list[int],
               consensus: str = CONSENSUS) -> list[int]:
    """Copy the chosen codings (one side of a pairing, or both) to the consensus coder;
    spans it already has are skipped. Returns the new codings' ids."""
    require(who, "adjudicate")
    k = schema.codings
    with serialized(study.engine), study.engine.begin() as connection:
        doc = document_row(connection, document)
        rows = connection.execute(sa.select(k).where(k.c.id.in_(codings),
                                                     k.c.document_id == doc.id)).all()
        if len(rows) != len(set(codings)):
            raise SyrmakError("some of those codings are not in this document.",
                              "reload the review page.", code="unknown-coding")
        return insert_codings(study, connection, [
            {"document": doc.id, "code": r.code_id, "start": r.start_offset,
             "end": r.end_offset, "coder": consensus, "skip_duplicates": True,
             "comment": f"adjudicated by {who.name} from {r.coder}"} for r in rows], who.name)
