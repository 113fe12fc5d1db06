"""A later version of the questionnaire keeps what the study knows only from its data.

A study stores each questionnaire version it was given (``questionnaires`` table, newest
last): the XLSForms loaded, and the versions an import made when a file held options or
questions the loaded form lacked (another version's in a Kobo all-versions export, the codes
of a list kept in a file). No XLSForm lists those, so a later one must not drop them.
"""

from __future__ import annotations

import json

import pandas as pd
import sqlalchemy as sa
from click.testing import CliRunner

from syrmak.cli import main
from syrmak.store import schema
from tests.forms import write_xlsform

SURVEY = [["type", "name", "label"], ["select_multiple coffee", "fav", "Favourite"],
          ["text", "brand", "Brand"]]
CHOICES = [["list_name", "name", "label"], ["coffee", "french", "French"],
           ["coffee", "american", "American"]]
ALL_VERSIONS = ("fav;fav/french;fav/italian;fav/american;brand;old_question;__version__;_uuid\n"
                "french italian;1;1;0;Breville;kept;v1;u1\n"
                "american;0;0;1;Saico;;v2;u2\n")


def _form(tmp_path, name, survey=SURVEY, choices=CHOICES, version="2"):
    return write_xlsform(tmp_path / name, survey, choices,
                         [["form_id", "version"], ["coffee", version]])


def _versions(study) -> list[tuple[str | None, str]]:
    q = schema.questionnaires
    with study.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(
            sa.select(q.c.version, q.c.source_name).order_by(q.c.id))]


def _all_versions_study(new_study, tmp_path):
    study = new_study()
    study.load_questionnaire(_form(tmp_path, "v2.xlsx"))
    path = tmp_path / "all.csv"
    path.write_text(ALL_VERSIONS, encoding="utf-8")
    study.import_responses(path)
    return study


def test_an_import_stores_what_it_added_as_a_version(new_study, tmp_path):
    study = _all_versions_study(new_study, tmp_path)
    assert _versions(study) == [("2", "v2.xlsx"), ("2", "all.csv (what the data held)")]
    italian = study.questionnaire.question("fav").choice("italian")
    assert italian.from_data and not study.questionnaire.question("fav").choice("french").from_data


def test_a_later_version_keeps_options_and_questions_known_from_the_data(new_study, tmp_path):
    study = _all_versions_study(new_study, tmp_path)
    # Version 3 relabels an option and adds a question; it never had 'italian'.
    survey = [*SURVEY, ["integer", "cups", "Cups a day"]]
    choices = [CHOICES[0], ["coffee", "french", "French press"], CHOICES[2]]
    form = study.load_questionnaire(_form(tmp_path, "v3.xlsx", survey, choices, "3"))
    assert [c.name for c in form.question("fav").choices] == ["french", "american", "italian"]
    assert form.question("fav").choice("italian").from_data
    assert form.question("fav").choice("french").label() == "French press"
    assert form.has("old_question") and form.has("cups")
    assert study.questionnaire == form and _versions(study)[-1] == ("3", "v3.xlsx")
    # The answers are still read, and still analysed with their label.
    frame = study.responses()
    assert frame.loc[1, "fav/italian"] and not frame.loc[2, "fav/italian"]
    assert frame.loc[1, "old_question"] == "kept" and pd.isna(frame.loc[2, "old_question"])
    out = CliRunner().invoke(main, ["freq", str(study.folder), "fav", "--format", "json"])
    assert out.exit_code == 0, out.output
    table = json.loads(out.stdout)
    assert table["names"] == ["french", "american", "italian"]
    assert table["counts"] == [[1], [1], [1]]
    # A version-1 answer imported now decodes: no error, no new version needed.
    more = tmp_path / "more.csv"
    more.write_text("fav;brand;__version__;_uuid\nitalian;Bialetti;v1;u3\n", encoding="utf-8")
    assert study.import_responses(more).added == 1
    assert study.responses().loc[3, "fav/italian"]
    assert _versions(study)[-1] == ("3", "v3.xlsx")
    with study.engine.connect() as connection:
        logged = json.loads(connection.execute(
            sa.select(schema.events.c.detail).where(
                schema.events.c.action == "questionnaire-load")
            .order_by(schema.events.c.id.desc()).limit(1)).scalar())
    assert logged["kept_from_data"] == ["option(s) 'italian' of 'fav'", "question 'old_question'"]


def test_a_later_version_that_lists_the_option_gives_its_label(new_study, tmp_path):
    study = _all_versions_study(new_study, tmp_path)
    choices = [*CHOICES, ["coffee", "italian", "Italian (moka)"]]
    form = study.load_questionnaire(_form(tmp_path, "v3.xlsx", choices=choices, version="3"))
    italian = form.question("fav").choice("italian")
    assert italian.label() == "Italian (moka)" and not italian.from_data
    assert [c.name for c in form.question("fav").choices] == ["french", "american", "italian"]


def test_a_later_version_keeps_the_codes_of_a_file_list(new_study, tmp_path):
    survey = [["type", "name", "label"], ["select_one_from_file cities.csv", "city", "City"]]
    choices = [["list_name", "name", "label"], ["unused", "x", "X"]]
    study = new_study()
    study.load_questionnaire(write_xlsform(tmp_path / "v1.xlsx", survey, choices,
                                           [["form_id", "version"], ["cities", "1"]]))
    path = tmp_path / "r.csv"
    path.write_text("city\nmadrid\nlima\n", encoding="utf-8")
    study.import_responses(path)
    survey2 = [["type", "name", "label"], ["select_one_from_file cities.csv", "city", "Town"]]
    form = study.load_questionnaire(write_xlsform(tmp_path / "v2.xlsx", survey2, choices,
                                                  [["form_id", "version"], ["cities", "2"]]))
    assert [(c.name, c.from_data) for c in form.question("city").choices] == \
        [("lima", True), ("madrid", True)]
    frame = study.responses()
    assert frame["city"].tolist() == ["madrid", "lima"]
    out = CliRunner().invoke(main, ["questionnaire", "show", str(study.folder)])
    assert out.exit_code == 0, out.output
    assert "lima" in out.stdout and "Town" in out.stdout


def test_a_later_version_still_may_not_drop_an_option_its_form_had(new_study, tmp_path):
    """Options the researcher's own form listed are theirs to keep: dropping one that
    answers use is still refused (relabel it instead)."""
    import pytest

    from syrmak.errors import SyrmakError

    study = _all_versions_study(new_study, tmp_path)
    choices = [CHOICES[0], CHOICES[1]]  # 'american' gone
    with pytest.raises(SyrmakError, match="drops option"):
        study.load_questionnaire(_form(tmp_path, "v3.xlsx", choices=choices, version="3"))
