"""Listing and releasing quarantined answers: only with the key, in one transaction, audited
without the value; a released answer is decoded as the import would have."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from syrmak.cli import main
from syrmak.errors import SyrmakError
from syrmak.privacy import quarantine
from syrmak.store import schema
from tests.privacy.test_spread import OTHER_EMAIL, OTHER_PHONE, _import, run
from tests.survey.test_import_quarantine import HELD, SPELT_EMAIL, imported, stored
from tests.survey.test_import_support import snapshot, write_csv

__all__ = ["imported"]  # the fixture, shared


def held(study):
    return quarantine.held(study, study.unlock()).table


def release(study, respondent, question):
    return quarantine.release(study, study.unlock(), respondent, question)


def test_release_stores_the_answer_and_empties_the_vault_entry(imported):
    study, _ = imported
    done = release(study, 1, "staff")
    assert done.answers == ("staff",) and done.entries == 1
    # Released although it still looks like a contact: the researcher decided.
    assert stored(study, "staff").loc[1, "staff"] == 77019998877
    release(study, 2, "sphere")
    frame = stored(study, "sphere", "sphere_other")
    assert frame.loc[2].tolist() == ["women other", "пишите @aigerim_kz"]
    release(study, 2, "story")
    assert stored(study, "story").loc[2, "story"] == SPELT_EMAIL
    left = held(study)
    assert sorted(zip(left.respondent, left.question, strict=True)) == [(3, "kind"), (3, "story")]
    with study.engine.connect() as connection:
        events = connection.execute(sa.select(schema.events.c.action, schema.events.c.detail)
                                    .where(schema.events.c.action == "quarantine-release")).all()
    assert len(events) == 3
    assert all(v not in e.detail for e in events for v in HELD)
    with pytest.raises(SyrmakError) as caught:
        release(study, 1, "staff")
    assert caught.value.code == "not-quarantined"


def test_a_value_that_is_no_answer_stays_in_quarantine(imported):
    study, _ = imported
    before = snapshot(study)
    with pytest.raises(SyrmakError) as caught:
        release(study, 3, "kind")
    assert caught.value.code == "cannot-release"
    assert "tg_handle" not in str(caught.value) and caught.value.location.value is None
    assert snapshot(study) == before
    assert len(held(study)) == 5


def test_released_other_text_marks_the_other_option(study, tmp_path):
    rows = [["kind", "sphere", "sphere_other"],
            ["cso", "rights other", "звоните 8 701 555 66 77"]]
    result = study.import_responses(write_csv(tmp_path / "k.csv", rows), format="csv")
    assert result.quarantined == 1
    assert stored(study, "sphere", "sphere_other").loc[1].tolist() == ["rights other", None]
    release(study, 1, "sphere_other")
    assert stored(study, "sphere_other").loc[1, "sphere_other"] == "звоните 8 701 555 66 77"


def test_personal_data_is_never_released_into_the_answers(imported):
    study, _ = imported
    with pytest.raises(SyrmakError) as caught:
        release(study, 3, "contact")
    assert caught.value.code == "not-quarantined"
    assert stored(study, "story").shape == (3, 1)


def test_quarantine_commands_list_and_release_with_the_key(study, tmp_path):
    _import(study, tmp_path)
    listed = run("quarantine", "list", study.folder).output
    assert OTHER_PHONE in listed and "[r.csv, row 2, column 'sphere_other']" in listed
    assert OTHER_EMAIL in listed
    released = run("quarantine", "release", study.folder, 1, "sphere_other").output
    assert "Released respondent 1's answer to 'sphere_other'" in released
    assert "701" not in released
    assert OTHER_PHONE in run("responses", study.folder).output
    listed = run("quarantine", "list", study.folder).output
    assert OTHER_PHONE not in listed and OTHER_EMAIL in listed
    failed = CliRunner().invoke(main, ["quarantine", "release", str(study.folder), "1",
                                       "sphere_other"])
    assert failed.exit_code == 1 and "nothing of respondent 1" in failed.output
