"""Fields a form fills itself (calculate, start, deviceid) appear in Kobo/ODK exports."""

from __future__ import annotations

from syrmak.survey.xlsform import load_xlsform
from tests.forms import SURVEY, write_xlsform


def _form(tmp_path):
    survey = [[*SURVEY[0], "calculation"], *SURVEY[1:],
              ["calculate", "score", "", "", "", "", "", "1 + 1"], ["start", "started"]]
    return write_xlsform(tmp_path / "calc.xlsx", survey)


def test_hidden_fields_are_remembered(tmp_path):
    form = load_xlsform(_form(tmp_path))
    assert set(form.hidden_fields) == {"score", "started"}
    assert not form.has("score")


def test_kobo_export_with_a_calculate_column_imports(new_study, tmp_path):
    study = new_study()
    study.load_questionnaire(_form(tmp_path))
    path = tmp_path / "kobo.csv"
    path.write_text(
        '"started";"about/kind";"score";"_uuid";"_submission_time"\n'
        '"2021-09-15T10:00:00";"cso";"7";"u-1";"2021-09-15T10:05:00"\n',
        encoding="utf-8")
    result = study.import_responses(path)
    assert result.format == "kobo" and result.added == 1
    assert study.responses(lang="en").loc[1, "kind"] == "Registered CSO"
