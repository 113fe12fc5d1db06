"""Choosing interviewees: the strata grid, a reproducible draw, the shortlist, its contacts.

The reference study chose 5 of 31 respondents "based on predetermined selection criteria
(registered CSO or independent activist, politically inclined or not, big city or
region)". ``candidates`` shows how many respondents who meet a filter (usually interview
consent) fall in each stratum, names the empty strata, and draws ``per_stratum`` of each
with a stated seed so that anyone can redo the draw. ``select`` records the researcher's
decision; only ``contacts`` opens the vault, for the shortlisted respondents alone, and logs
every entry it decrypts.
"""

from __future__ import annotations

import itertools
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.store import db, schema

if TYPE_CHECKING:
    from syrmak.store.vault import Identity
    from syrmak.study import Study


@dataclass(frozen=True)
class Stratum:
    values: tuple[str, ...]  # one label per strata variable
    respondents: tuple[int, ...]  # candidate numbers, ascending
    drawn: tuple[int, ...]


@dataclass(frozen=True)
class Candidates:
    """The strata grid of the candidates and a draw from it."""

    strata_by: tuple[str, ...]
    where: tuple[str, ...]
    seed: int
    per_stratum: int
    strata: tuple[Stratum, ...]  # every combination, empty ones included

    @property
    def empty(self) -> tuple[Stratum, ...]:
        return tuple(s for s in self.strata if not s.respondents)

    @property
    def shortlist(self) -> tuple[int, ...]:
        return tuple(sorted(n for s in self.strata for n in s.drawn))

    @property
    def total(self) -> int:
        return sum(len(s.respondents) for s in self.strata)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [(*s.values, len(s.respondents), " ".join(map(str, s.respondents)),
              " ".join(map(str, s.drawn))) for s in self.strata],
            columns=[*self.strata_by, "candidates", "respondents", "drawn"])

    def criteria(self) -> dict:
        return {"where": list(self.where), "strata": list(self.strata_by), "seed": self.seed,
                "per_stratum": self.per_stratum}


def candidates(study: Study, *, where=(), strata=(), per_stratum: int = 1,
               seed: int | None = None, lang: str | None = None) -> Candidates:
    """Respondents who meet ``where``, in the grid of the single-answer ``strata`` variables
    (questions or derived variables), with ``per_stratum`` drawn from each by ``seed``
    (a fresh random seed when None; the result states it, so the draw can be repeated)."""
    from syrmak.analysis.where import mask
    from syrmak.survey.responses import analysis_frame

    where = tuple([where] if isinstance(where, str) else where)
    strata = tuple(strata)
    if per_stratum < 0:
        raise SyrmakError("--per-stratum cannot be negative.", "give 0 or more.",
                          code="bad-argument", value=per_stratum)
    if not strata:
        raise SyrmakError("no strata given.",
                          "name the selection criteria, e.g. --strata respondent_type,political.",
                          code="bad-argument")
    form = study.analysis_questionnaire
    for name in strata:
        q = form.question(name)
        if q.type != "select_one":
            raise SyrmakError(
                f"'{name}' is a {q.type} question; a stratum needs one answer per respondent.",
                "stratify by a single-answer question, or define a derived variable from it "
                "with 'syrmak interviews derive'.", code="bad-stratum", value=name)
    frame = analysis_frame(study, list(strata), where=list(where), lang=lang)
    keep = mask(form, frame, list(where)) if where else np.ones(len(frame), dtype=bool)
    frame = frame[keep]
    withdrawn = _withdrawn(study)
    frame = frame[~frame.index.isin(withdrawn)]
    seed = secrets.randbelow(2**31) if seed is None else int(seed)
    rng = np.random.default_rng(seed)
    labels = [list(frame[name].cat.categories) for name in strata]
    cells = []
    for combo in itertools.product(*labels):
        inside = np.ones(len(frame), dtype=bool)
        for name, value in zip(strata, combo, strict=True):
            inside &= (frame[name] == value).fillna(False).to_numpy(dtype=bool)
        numbers = tuple(sorted(int(n) for n in frame.index[inside]))
        # Every stratum consumes the generator in grid order, so a seed gives one draw.
        drawn = tuple(sorted(int(n) for n in rng.permutation(numbers)[:per_stratum])) \
            if numbers else ()
        cells.append(Stratum(tuple(map(str, combo)), numbers, drawn))
    return Candidates(strata, where, seed, per_stratum, tuple(cells))


def _withdrawn(study: Study) -> set[int]:
    r = schema.respondents
    with study.engine.connect() as connection:
        return set(connection.execute(sa.select(r.c.number)
                                      .where(r.c.withdrawn_at.is_not(None))).scalars())


@dataclass(frozen=True)
class Selected:
    number: int
    reason: str
    criteria: dict
    selected_by: str
    selected_at: datetime


def select(study: Study, numbers, *, reason: str, criteria: dict | None = None,
           actor: str | None = None) -> tuple[Selected, ...]:
    """Put respondents on the interview shortlist, with the reason and criteria; all or none."""
    from syrmak.study import default_actor

    numbers = list(dict.fromkeys(int(n) for n in numbers))
    if not numbers:
        raise SyrmakError("no respondent given.", "name them by number, e.g. 6 13 15.",
                          code="bad-argument")
    if not reason or not reason.strip():
        raise SyrmakError("a selection needs a reason.",
                          'say why, e.g. --reason "one per stratum of type, politics, place".',
                          code="bad-argument")
    actor = actor or default_actor()
    r, s = schema.respondents, schema.interview_selections
    now = datetime.now(UTC)
    with db.writer(study.engine, study.id) as connection:
        rows = {row.number: row for row in connection.execute(
            sa.select(r.c.id, r.c.number, r.c.withdrawn_at).where(r.c.number.in_(numbers)))}
        for n in numbers:
            if n not in rows:
                raise SyrmakError(f"there is no respondent {n}.",
                                  "list the numbers with 'syrmak interviews candidates DIR'.",
                                  code="unknown-respondent", value=n)
            if rows[n].withdrawn_at is not None:
                raise SyrmakError(f"respondent {n} has withdrawn from the study.",
                                  "choose another respondent.", code="withdrawn-respondent",
                                  value=n)
        ids = [rows[n].id for n in numbers]
        connection.execute(sa.delete(s).where(s.c.respondent_id.in_(ids)))
        connection.execute(sa.insert(s), [
            {"respondent_id": rows[n].id, "reason": reason.strip(),
             "criteria": json.dumps(criteria or {}, ensure_ascii=False),
             "selected_by": actor, "selected_at": now} for n in numbers])
        study.log("interview-select", {"respondents": numbers}, actor, connection)
    return tuple(Selected(n, reason.strip(), criteria or {}, actor, now) for n in numbers)


def deselect(study: Study, numbers, actor: str | None = None) -> int:
    r, s = schema.respondents, schema.interview_selections
    with db.writer(study.engine, study.id) as connection:
        ids = list(connection.execute(sa.select(r.c.id).where(r.c.number.in_(list(numbers))))
                   .scalars())
        gone = connection.execute(sa.delete(s).where(s.c.respondent_id.in_(ids))).rowcount
        study.log("interview-deselect", {"respondents": sorted(numbers)}, actor, connection)
    return gone


def shortlist(study: Study) -> tuple[Selected, ...]:
    r, s = schema.respondents, schema.interview_selections
    with study.engine.connect() as connection:
        rows = connection.execute(
            sa.select(r.c.number, s.c.reason, s.c.criteria, s.c.selected_by, s.c.selected_at)
            .join(r, r.c.id == s.c.respondent_id).order_by(r.c.number)).all()
    return tuple(Selected(n, reason, json.loads(criteria), by, at)
                 for n, reason, criteria, by, at in rows)


def contacts(study: Study, identity: Identity, questions=(), actor: str | None = None
             ) -> pd.DataFrame:
    """The shortlisted respondents' contact details (needs the vault key). Only their
    entries (of ``questions``, when given: e.g. the interview contact and not the snowball
    contacts of other people) are decrypted, and each decryption is logged (respondent and
    question, never the value)."""
    from syrmak.store import contacts as vault_contacts

    numbers = [s.number for s in shortlist(study)]
    if not numbers:
        raise SyrmakError("nobody is on the interview shortlist yet.",
                          "choose with 'syrmak interviews select DIR N ...'.",
                          code="empty-shortlist")
    personal = {q.name for q in study.questionnaire.personal}
    for name in questions:
        if name not in personal:
            raise SyrmakError(f"'{name}' is not a personal-data question of the study.",
                              f"use one of: {', '.join(sorted(personal)) or '(none)'}.",
                              code="unknown-question", value=name)
    with study.engine.connect() as connection:
        found = vault_contacts.read(connection, identity, study.id, kinds=("personal",),
                                    numbers=numbers, questions=tuple(questions) or None)
    with db.writer(study.engine, study.id) as connection:
        for row in found.table.itertuples():
            study.log("interview-contact-read",
                      {"respondent": int(row.respondent), "question": row.question},
                      actor, connection)
        for problem in found.damaged:
            study.log("interview-contact-damaged", {"problem": problem}, actor, connection)
    table = found.table[["respondent", "question", "value"]].reset_index(drop=True)
    table.attrs["damaged"] = found.damaged
    return table
