"""The recruitment tree as recorded by coupons, as a frame for ``syrmak.analysis.rds``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa

from syrmak.store import schema

if TYPE_CHECKING:
    from syrmak.study import Study


def recruitment(study: Study) -> pd.DataFrame:
    """One row per respondent who came through a coupon (withdrawn ones left out), indexed
    by respondent number: recruiter, seed (numbers; recruiter NA for a seed), wave, coupons
    issued to them and how many of those were used."""
    r, t, c = schema.respondents, schema.recruitment, schema.coupons
    me, recruiter, seed = r.alias("me"), r.alias("recruiter"), r.alias("seed")
    issued = (sa.select(c.c.recruiter_id, sa.func.count().label("issued"),
                        sa.func.count(c.c.used_by).label("used"))
              .group_by(c.c.recruiter_id).subquery())
    query = (sa.select(me.c.number.label("respondent"), recruiter.c.number.label("recruiter"),
                       seed.c.number.label("seed"), t.c.wave,
                       sa.func.coalesce(issued.c.issued, 0).label("coupons_issued"),
                       sa.func.coalesce(issued.c.used, 0).label("coupons_used"))
             .select_from(t.join(me, me.c.id == t.c.respondent_id)
                          .outerjoin(recruiter, recruiter.c.id == t.c.recruiter_id)
                          .outerjoin(seed, seed.c.id == t.c.seed_id)
                          .outerjoin(issued, issued.c.recruiter_id == t.c.respondent_id))
             .where(me.c.withdrawn_at.is_(None)).order_by(me.c.number))
    with study.engine.connect() as connection:
        rows = connection.execute(query).all()
    frame = pd.DataFrame(rows, columns=["respondent", "recruiter", "seed", "wave",
                                        "coupons_issued", "coupons_used"])
    frame["recruiter"] = frame["recruiter"].astype("Int64")
    frame["seed"] = frame["seed"].astype("Int64")
    return frame.set_index("respondent")


def degree_question(study: Study, explicit: str | None = None) -> str:
    """The name of the degree question RDS-II weights by: ``explicit`` (``--degree``, a
    report block's ``degree:``), else ``[survey] degree`` in syrmak.toml, else the question
    marked ``rds = degree`` on the XLSForm's survey sheet. It must be a number question."""
    from syrmak.errors import SyrmakError

    form = study.questionnaire
    name = explicit or study.config.get("survey", {}).get("degree")
    if not name:
        marked = form.degree
        if marked is None:
            raise SyrmakError(
                "RDS-II needs a degree question (each respondent's network size in the "
                "target population), and none is named.",
                "write degree in an 'rds' column of the XLSForm's survey sheet on that "
                "question (then load the questionnaire again), or pass --degree QUESTION, or "
                "set [survey] degree = \"QUESTION\" in syrmak.toml.", code="no-degree")
        return marked.name
    question = form.question(name)
    if question.type not in ("integer", "decimal"):
        raise SyrmakError(
            f"the degree question '{name}' is a {question.type} question; a degree is a "
            "number.", "name an integer question that asks for the network size.",
            code="bad-degree", value=name)
    return name
