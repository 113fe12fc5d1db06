"""A respondent who withdraws is erased: answers, contacts, documents; not re-imported."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from syrmak.cli import main
from syrmak.errors import SyrmakError
from syrmak.qual import documents
from syrmak.store import schema

MARK = "Уникальный-ответ-для-проверки"
CONTACT = "withdrawing.person@example.org"
ROWS = (
    "kind,sphere,story,contact,staff\n"
    "cso,rights,Обычный ответ,first@example.org,3\n"
    f"independent,eco women,{MARK},{CONTACT},7\n"
    "cso,women,,,12\n"
)


@pytest.fixture
def answered(study, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(ROWS, encoding="utf-8")
    study.import_responses(path)
    documents.add_text(study, "interview-2", f"Интервью. {MARK} и ещё текст.", respondent=2)
    return study, path


def test_withdrawal_erases_answers_contacts_and_documents(answered):
    study, _ = answered
    done = study.withdraw(2)
    assert (done.contacts_deleted, done.documents_deleted) == (1, 1)
    frame = study.responses(lang="en")
    assert list(frame.index) == [1, 3]
    assert frame.loc[3, "staff"] == 12 and frame.loc[1, "story"] == "Обычный ответ"
    assert study.respondent_count == 2
    assert list(study.contacts().table["value"]) == ["first@example.org"]
    assert documents.list_documents(study).rows == ()
    with study.engine.connect() as connection:
        stored = " ".join(connection.execute(sa.select(schema.answer_columns.c.data)).scalars())
        events = " ".join(connection.execute(sa.select(schema.events.c.detail)).scalars())
    assert MARK not in stored and MARK not in events


def test_withdrawn_data_is_gone_from_the_sqlite_file(tmp_path, form_path):
    from syrmak.study import Study

    study = Study.create(tmp_path / "file-study")  # always SQLite: this checks the file
    study.load_questionnaire(form_path)
    (tmp_path / "r.csv").write_text(ROWS, encoding="utf-8")
    study.import_responses(tmp_path / "r.csv")
    documents.add_text(study, "interview-2", f"Интервью. {MARK} и ещё текст.", respondent=2)
    study.withdraw(2)
    study.close()
    for path in study.folder.glob("study.db*"):
        data = path.read_bytes()
        assert MARK.encode() not in data, path.name
        assert b"withdrawing.person" not in data


def test_reimport_does_not_bring_them_back(answered):
    study, path = answered
    study.withdraw(2)
    result = study.import_responses(path)
    assert result.added == 0
    assert any("withdrew" in note for note in result.notes)
    assert list(study.responses().index) == [1, 3]


def test_unknown_or_repeated_withdrawal(answered):
    study, _ = answered
    with pytest.raises(SyrmakError, match="no respondent 9"):
        study.withdraw(9)
    study.withdraw(2)
    with pytest.raises(SyrmakError, match="already withdrawn"):
        study.withdraw(2)


def test_cli_asks_first(answered):
    study, _ = answered
    refused = CliRunner().invoke(main, ["withdraw", str(study.folder), "2"], input="n\n")
    assert refused.exit_code == 1 and study.respondent_count == 3
    done = CliRunner().invoke(main, ["withdraw", str(study.folder), "2", "--yes"])
    assert done.exit_code == 0, done.output
    assert "Respondent 2 withdrawn" in done.output and study.respondent_count == 2


def _file_study(tmp_path, form_path):
    from syrmak.study import Study

    study = Study.create(tmp_path / "file-study")  # always SQLite: these check the file
    study.load_questionnaire(form_path)
    (tmp_path / "r.csv").write_text(ROWS, encoding="utf-8")
    study.import_responses(tmp_path / "r.csv")
    documents.add_text(study, "interview-2", f"Интервью. {MARK} и ещё текст.", respondent=2)
    return study


def _file_bytes(study) -> bytes:
    return b"".join(path.read_bytes() for path in study.folder.glob("study.db*"))


def test_another_reader_open_makes_withdrawal_fail_loudly(tmp_path, form_path, monkeypatch):
    import sqlite3

    from syrmak.privacy import erasure

    monkeypatch.setattr(erasure, "CHECKPOINT_WAIT_SECONDS", 0.5)
    study = _file_study(tmp_path, form_path)
    reader = sqlite3.connect(study.folder / "study.db")
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM respondents").fetchone()  # holds a read snapshot
    with pytest.raises(SyrmakError) as info:
        study.withdraw(2)
    assert info.value.code == "erasure-incomplete"
    assert "another program" in str(info.value) and "syrmak scrub" in str(info.value)
    assert info.value.result.respondent == 2
    assert study.respondent_count == 2  # the withdrawal itself is committed
    assert MARK.encode() in _file_bytes(study)  # so the message is true: bytes remain
    reader.rollback()
    reader.close()
    erasure.finish(study)
    study.close()
    data = _file_bytes(study)
    assert MARK.encode() not in data and b"withdrawing.person" not in data


def test_cli_scrub_finishes_an_interrupted_erasure(tmp_path, form_path, monkeypatch):
    import sqlite3

    from syrmak.privacy import erasure

    monkeypatch.setattr(erasure, "CHECKPOINT_WAIT_SECONDS", 0.3)
    study = _file_study(tmp_path, form_path)
    reader = sqlite3.connect(study.folder / "study.db")
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM respondents").fetchone()
    failed = CliRunner().invoke(main, ["withdraw", str(study.folder), "2", "--yes"])
    assert failed.exit_code == 1 and "syrmak scrub" in failed.output
    busy = CliRunner().invoke(main, ["scrub", str(study.folder)])
    assert busy.exit_code == 1
    reader.rollback()
    reader.close()
    done = CliRunner().invoke(main, ["scrub", str(study.folder)])
    assert done.exit_code == 0, done.output
    study.close()
    assert MARK.encode() not in _file_bytes(study)


@pytest.mark.store("postgresql")  # VACUUM FULL; SQLite's file is checked byte by byte above
def test_postgresql_tables_are_rewritten_after_withdrawal(answered):
    study, _ = answered
    tables = ("answer_columns", "contacts", "documents", "search_chunks")

    def filenodes():
        with study.engine.connect() as connection:
            return {t: connection.execute(sa.text("SELECT pg_relation_filenode(:t)"),
                                          {"t": t}).scalar() for t in tables}

    before = filenodes()
    done = study.withdraw(2)
    after = filenodes()
    assert all(after[t] != before[t] for t in tables), (before, after)
    assert done.residue == ()


def test_withdrawal_names_backups_and_built_reports(answered):
    study, _ = answered
    backup = study.folder / "study.0005.20261201T101010.bak.db"
    backup.write_bytes(b"old copy")
    for name in ("report.html", "report.docx"):
        (study.folder / name).write_bytes(b"built before")
    charts = study.folder / ".syrmak-cache" / "charts"
    charts.mkdir(parents=True)
    (charts / "0f.svg").write_bytes(b"<svg>a chart that counted respondent 2</svg>")
    done = study.withdraw(2)
    assert done.backups == (backup,)
    assert sorted(p.name for p in done.reports) == ["report.docx", "report.html"]
    assert not charts.exists()  # the next build draws its charts without them


def test_cli_names_what_still_holds_the_respondent(answered):
    study, _ = answered
    (study.folder / "study.0005.20261201T101010.bak.db").write_bytes(b"old copy")
    (study.folder / "report.html").write_bytes(b"built before")
    done = CliRunner().invoke(main, ["withdraw", str(study.folder), "2", "--yes"])
    assert done.exit_code == 0, done.output
    assert "study.0005.20261201T101010.bak.db" in done.output
    assert "report.html" in done.output
