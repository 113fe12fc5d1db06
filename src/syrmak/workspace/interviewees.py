"""The interviewee page of the workspace: the strata grid, the draw and the shortlist.

Numbers and survey answers only: the contacts of the shortlisted stay behind the vault key
(``syrmak interviews contacts``), never in a browser.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from syrmak.interviews import selection
from syrmak.workspace.people import Researcher, require

if TYPE_CHECKING:
    from syrmak.study import Study


def grid(study: Study, who: Researcher, *, where: str, strata: list[str], per_stratum: int,
         seed: int | None, lang: str | None) -> selection.Candidates:
    require(who, "read")
    return selection.candidates(study, where=[where] if where.strip() else [], strata=strata,
                                per_stratum=per_stratum, seed=seed, lang=lang)


def shortlist(study: Study, who: Researcher) -> tuple[selection.Selected, ...]:
    require(who, "read")
    return selection.shortlist(study)


def choose(study: Study, who: Researcher, numbers: list[int], reason: str,
           criteria: dict) -> tuple[selection.Selected, ...]:
    require(who, "interviewees")
    return selection.select(study, numbers, reason=reason, criteria=criteria, actor=who.name)
