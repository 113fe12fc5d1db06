"""The survey as it comes in: what the workspace's monitoring page shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa

from syrmak.store import schema

if TYPE_CHECKING:
    from syrmak.study import Study
    from syrmak.workspace.people import Researcher


@dataclass(frozen=True)
class Monitoring:
    open_version: int | None
    online: int  # respondents who came through /submission
    per_day: tuple[tuple[str, int], ...]
    per_seed: tuple[tuple[int, int], ...]
    per_wave: tuple[tuple[int, int], ...]
    sessions: int  # survey pages opened
    consented: int
    submitted: int  # browser sessions that became a respondent
    edges: tuple[tuple[int, int], ...]  # (recruiter, recruit) respondent numbers

    @property
    def consent_rate(self) -> float | None:
        return self.consented / self.sessions if self.sessions else None

    @property
    def completion_rate(self) -> float | None:
        return self.submitted / self.consented if self.consented else None


def monitoring(study: Study, who: Researcher | None) -> Monitoring:
    """Submissions per day, per seed and wave, consent and completion, the tree so far."""
    from syrmak.collect.forms import open_version
    from syrmak.collect.tree import recruitment
    from syrmak.workspace.people import require

    require(who, "read")
    r, i, s = schema.respondents, schema.imports, schema.survey_sessions
    with study.engine.connect() as connection:
        times = connection.execute(sa.select(r.c.submitted_at).join(i, i.c.id == r.c.import_id)
                                   .where(i.c.format == "openrosa",
                                          r.c.withdrawn_at.is_(None))).scalars().all()
        sessions, consented, submitted = connection.execute(sa.select(
            sa.func.count(), sa.func.count(s.c.consented_at),
            sa.func.count(s.c.respondent_id))).one()
    days: dict[str, int] = {}
    for when in times:
        day = when.date().isoformat() if when else "?"
        days[day] = days.get(day, 0) + 1
    tree = recruitment(study)
    version = open_version(study)
    return Monitoring(
        open_version=version.number if version else None, online=len(times),
        per_day=tuple(sorted(days.items())),
        per_seed=tuple((int(k), int(v)) for k, v in tree.groupby("seed").size().items()),
        per_wave=tuple((int(k), int(v)) for k, v in tree.groupby("wave").size().items()),
        sessions=sessions, consented=consented, submitted=submitted,
        edges=tuple((int(rec), int(n)) for n, rec in tree["recruiter"].dropna().items()))
