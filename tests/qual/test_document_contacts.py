"""Documents are not quarantined (their text must stay codable), but adding them flags the
lines that look like contact details, by line and kind, never the value."""

from __future__ import annotations

from click.testing import CliRunner

from syrmak.cli import main
from syrmak.privacy import quarantine
from syrmak.qual.documents import get_document, import_open_answers
from tests.survey.test_import_support import write_csv


def test_documents_with_contacts_are_flagged_by_line_without_the_value(study, tmp_path):
    transcript = tmp_path / "interview-07.txt"
    transcript.write_text("Интервьюер: Как с вами связаться?\nРеспондент: Пишите на t.me/aigerim_kz\n"
                          "или звоните +7 701 999 88 77.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["docs", "add", str(study.folder), str(transcript)])
    assert result.exit_code == 0, result.output
    assert "[interview-07.txt, line 2]" in result.output and "profile" in result.output
    assert "[interview-07.txt, line 3]" in result.output and "phone number" in result.output
    assert "aigerim_kz" not in result.output and "999 88" not in result.output
    # The document is kept as it is: it must stay codable.
    assert "t.me/aigerim_kz" in get_document(study, "interview-07").text


def test_open_answers_with_contacts_are_flagged(study, tmp_path):
    rows = [["kind", "story"], ["cso", "Работаем онлайн"], ["cso", "звоните 8 701 555 66 77"]]
    study.import_responses(write_csv(tmp_path / "r.csv", rows), format="csv")
    # The researcher released it: it is an answer again, and an open answer like any other.
    quarantine.release(study, study.unlock(), 2, "story")
    result = import_open_answers(study)
    assert result.added == ("story/1", "story/2")
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith("[story/2, line 1]") and "phone number" in result.warnings[0]
    assert "701" not in result.warnings[0]
