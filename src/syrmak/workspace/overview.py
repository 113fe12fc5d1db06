"""The study at a glance: questionnaire, respondents, documents with each coder's progress,
codes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.store import schema
from syrmak.workspace.people import Researcher, require

if TYPE_CHECKING:
    from syrmak.study import Study


@dataclass(frozen=True)
class DocumentProgress:
    id: int
    name: str
    kind: str
    length: int
    respondent: int | None
    #: coder -> (codings, share of the text covered by their codings, 0-1)
    coders: dict


@dataclass(frozen=True)
class Overview:
    title: str
    questionnaire: str | None
    questions: int
    sections: int
    languages: tuple[str, ...]
    respondents: int
    documents: tuple[DocumentProgress, ...]
    coders: tuple[str, ...]
    codes: int
    codings: int


def _covered(spans: list[tuple[int, int]]) -> int:
    total, end = 0, -1
    for s, e in sorted(spans):
        if e <= end:
            continue
        total += e - max(s, end)
        end = e
    return total


def overview(study: Study, who: Researcher) -> Overview:
    require(who, "read")
    try:
        form = study.questionnaire
    except SyrmakError:
        form = None
    d, k, r = schema.documents, schema.codings, schema.respondents
    with study.engine.connect() as connection:
        docs = connection.execute(sa.select(d.c.id, d.c.name, d.c.kind, d.c.length, r.c.number)
                                  .outerjoin(r, r.c.id == d.c.respondent_id)
                                  .order_by(d.c.name)).all()
        spans = connection.execute(sa.select(k.c.document_id, k.c.coder, k.c.start_offset,
                                             k.c.end_offset)).all()
        n_codes = connection.execute(sa.select(sa.func.count())
                                     .select_from(schema.codes)).scalar_one()
    per: dict[tuple[int, str], list] = {}
    for doc_id, coder, s, e in spans:
        if who.blind and coder != who.name:
            continue
        per.setdefault((doc_id, coder), []).append((s, e))
    coders = tuple(sorted({c for _, c in per}))
    rows = tuple(DocumentProgress(
        x.id, x.name, x.kind, x.length, x.number,
        {c: (len(per[(x.id, c)]), _covered(per[(x.id, c)]) / x.length if x.length else 0.0)
         for c in coders if (x.id, c) in per}) for x in docs)
    return Overview(study.title if form or study.config.get("study") else "",
                    form.title if form else None, len(form.answered) if form else 0,
                    len(form.sections) if form else 0, tuple(form.languages) if form else (),
                    study.respondent_count, rows, coders, n_codes, len(spans))
