"""The example study's questionnaire published and answered online: the collected answers
join the imported ones in freq and crosstab, the contacts only in the vault."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from syrmak.cli import main
from syrmak.collect import forms, submissions
from tests.collect.conftest import submission

EXAMPLE = Path(__file__).parents[2] / "examples" / "kz-civic-2021"


@pytest.mark.slow
def test_the_example_questionnaire_collects_online(tmp_path):
    from syrmak.examples import build_example
    from syrmak.study import Study

    build_example("kz-civic-2021", tmp_path / "kz")
    study = Study.open(tmp_path / "kz")
    before = study.respondent_count
    forms.publish(study, EXAMPLE / "questionnaire.xlsx")
    answers = {}
    for q in study.questionnaire.answered:
        if q.is_select:
            answers[q.name] = q.choices[0].name
        elif q.type == "integer":
            answers[q.name] = "2015"
        elif q.type == "text" and not q.name.endswith("_other"):
            answers[q.name] = "+7 701 000 00 00" if q.personal_data else "Работаем онлайн."
    answers["respondent_type"] = "independent"
    receipt = submissions.receive(study, submission(study, answers))
    assert receipt.respondent == before + 1
    assert receipt.contacts_sealed == len([q for q in study.questionnaire.personal
                                           if q.name in answers])
    folder = str(study.folder)
    freq = CliRunner().invoke(main, ["freq", folder, "respondent_type", "--format", "csv"])
    assert freq.exit_code == 0, freq.output
    cross = CliRunner().invoke(main, ["crosstab", folder, "respondent_type", "political"])
    assert cross.exit_code == 0, cross.output
    frame = study.responses()
    assert frame.loc[receipt.respondent, "year_founded"] == 2015
    assert len(frame) == before + 1
    study.close()
