"""Publishing the questionnaire as numbered form versions, and closing it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from syrmak.cli import main
from syrmak.collect import forms
from syrmak.errors import SyrmakError
from tests.forms import SURVEY, write_xlsform


def test_publish_numbers_versions_and_closes_the_one_before(study, form_path):
    first = forms.publish(study, form_path)
    second = forms.publish(study, form_path)
    assert (first.number, second.number) == (1, 2)
    assert [v.is_open for v in forms.versions(study)] == [False, True]
    assert forms.open_version(study).number == 2
    xform = forms.xform(study, 2)
    assert 'id="test_form"' in xform and 'version="2"' in xform


def test_publish_refuses_a_form_that_is_not_the_loaded_questionnaire(study, tmp_path):
    changed = write_xlsform(tmp_path / "changed.xlsx",
                            survey=[*SURVEY, ["integer", "extra", "Ещё", "More"]])
    with pytest.raises(SyrmakError) as caught:
        forms.publish(study, changed)
    assert caught.value.code == "form-changed"
    assert forms.versions(study) == []


def test_close_stops_answers_and_says_so_when_nothing_is_open(study, form_path):
    with pytest.raises(SyrmakError) as caught:
        forms.close(study)
    assert caught.value.code == "survey-not-open"
    forms.publish(study, form_path)
    assert not forms.close(study).is_open
    assert forms.open_version(study) is None


def test_unknown_version_has_no_xform(study):
    with pytest.raises(SyrmakError) as caught:
        forms.xform(study, 7)
    assert caught.value.code == "unknown-form"


def test_cli_publish_status_close(study, form_path):
    folder = str(study.folder)
    runner = CliRunner()
    done = runner.invoke(main, ["survey", "publish", folder, "--form", str(form_path)])
    assert done.exit_code == 0, done.output
    assert "form version 1" in done.output
    status = runner.invoke(main, ["survey", "status", folder])
    assert "version 1" in status.output and "open" in status.output
    closed = runner.invoke(main, ["survey", "close", folder])
    assert closed.exit_code == 0 and "Closed form version 1" in closed.output
    again = runner.invoke(main, ["survey", "close", folder])
    assert again.exit_code != 0 and "not open" in again.output


def test_publish_finds_the_xlsform_in_the_study_folder(study, form_path):
    (study.folder / form_path.name).write_bytes(form_path.read_bytes())
    assert forms.publish(study).number == 1
