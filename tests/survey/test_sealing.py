"""Marking a question personal after answers were stored: the answers move into the vault,
the plaintext leaves the store, rows keep their identity, withdrawn people stay out."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from syrmak.cli import main
from syrmak.errors import SyrmakError
from syrmak.store import schema
from syrmak.survey import identity
from syrmak.survey.imports import parse, read_file
from tests.forms import SURVEY, write_xlsform

STORIES = ["Нет денег на аренду", "Выгорание команды", "Давление со стороны акимата",
           "Сложно работать онлайн", "Донор ушёл из страны"]
# No uuid column: the rows are known by a hash of their answers. Rows 6 and 7 have no story.
ROWS = "kind,sphere,story,contact,staff\n" + "".join([
    f"cso,rights,{STORIES[0]},first@example.org,3\n",
    f"independent,eco women,{STORIES[1]},second@example.org,7\n",
    f"cso,women,{STORIES[2]},,12\n",
    f"cso,eco,{STORIES[3]},,4\n",
    f"independent,rights,{STORIES[4]},fifth@example.org,1\n",
    "cso,women,,,2\n",
    "independent,eco,,,9\n",
])


def _form(tmp_path, name: str, *personal: str):
    survey = [list(row) + [""] * (7 - len(row)) for row in SURVEY]
    for row in survey[1:]:
        if row[1] in personal:
            row[6] = "yes"
    return write_xlsform(tmp_path / name, survey)


@pytest.fixture
def imported(study, tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text(ROWS, encoding="utf-8")
    study.import_responses(path)
    return study, path


def _stored_text(study) -> str:
    with study.engine.connect() as connection:
        return " ".join(connection.execute(sa.select(schema.answer_columns.c.data)).scalars())


def _vault(study, kind="personal"):
    table = study.contacts().table
    return table[(table["question"] == "story") & (table["kind"] == kind)]


def test_reimport_after_marking_personal_adds_nobody(imported, tmp_path):
    """The reproduction of issue 8, item 3."""
    study, path = imported
    study.withdraw(1)
    study.load_questionnaire(_form(tmp_path, "v2.xlsx", "contact", "story"))
    result = study.import_responses(path)
    assert result.added == 0 and result.contacts_stored == 0
    assert any("withdrew" in note for note in result.notes)
    assert list(study.responses().index) == [2, 3, 4, 5, 6, 7]
    with study.engine.connect() as connection:
        numbers = list(connection.execute(sa.select(schema.respondents.c.number)).scalars())
    assert sorted(numbers) == [1, 2, 3, 4, 5, 6, 7]
    assert 1 not in set(study.contacts().table["respondent"])


def test_loading_a_version_that_marks_a_question_personal_seals_its_answers(imported, tmp_path):
    study, _ = imported
    study.withdraw(1)
    study.load_questionnaire(_form(tmp_path, "v2.xlsx", "contact", "story"))
    sealed = _vault(study)
    assert dict(zip(sealed["respondent"], sealed["value"], strict=True)) == \
        {n: STORIES[n - 1] for n in (2, 3, 4, 5)}
    assert "story" not in study.responses().columns
    stored = _stored_text(study)
    assert not any(story in stored for story in STORIES)
    with study.engine.connect() as connection:
        events = connection.execute(sa.select(schema.events.c.action, schema.events.c.detail)
                                    ).all()
    assert [json.loads(d)["entries"] for a, d in events if a == "seal"] == [4]
    assert not any(story in d for _, d in events for story in STORIES)


def test_sealed_text_leaves_the_sqlite_file(tmp_path, form_path):
    from syrmak.study import Study

    study = Study.create(tmp_path / "file-study")  # always SQLite: this checks the file
    study.load_questionnaire(form_path)
    (tmp_path / "a.csv").write_text(ROWS, encoding="utf-8")
    study.import_responses(tmp_path / "a.csv")
    study.load_questionnaire(_form(tmp_path, "v2.xlsx", "contact", "story"))
    study.close()
    data = b"".join(p.read_bytes() for p in study.folder.glob("study.db*"))
    for story in STORIES:
        assert story.encode() not in data, story


@pytest.mark.store("postgresql")  # SQLite's file is checked byte by byte above
def test_sealing_rewrites_the_postgresql_tables(imported, tmp_path):
    study, _ = imported

    def filenode():
        with study.engine.connect() as connection:
            return connection.execute(sa.text("SELECT pg_relation_filenode('answer_columns')")
                                      ).scalar()

    before = filenode()
    study.load_questionnaire(_form(tmp_path, "v2.xlsx", "contact", "story"))
    assert filenode() != before
    assert not any(story in _stored_text(study) for story in STORIES)


def test_seal_command_marks_the_question_and_seals(imported):
    study, path = imported
    done = CliRunner().invoke(main, ["seal", str(study.folder), "story"])
    assert done.exit_code == 0, done.output
    assert "Sealed 5 stored answers of 'story'" in done.output
    assert study.questionnaire.question("story").personal_data
    assert len(_vault(study)) == 5
    assert not any(story in _stored_text(study) for story in STORIES)
    assert study.import_responses(path).added == 0
    again = CliRunner().invoke(main, ["seal", str(study.folder), "story"])
    assert again.exit_code == 1 and "already" in again.output


def test_seal_refuses_unknown_questions(imported):
    from syrmak.survey.sealing import seal_question

    study, _ = imported
    with pytest.raises(SyrmakError, match="no question 'stroy'"):
        seal_question(study, "stroy")
    with pytest.raises(SyrmakError, match="already"):
        seal_question(study, "contact")


def test_stored_row_identities_never_hash_a_personal_answer(imported):
    """After sealing, no live respondent's stored key is a hash over the sealed answers."""
    from syrmak.survey import identity
    from syrmak.survey.imports import parse, read_file
    from syrmak.survey.sealing import seal_question

    study, path = imported
    form = study.questionnaire
    raw, fmt = read_file(path, form, "auto")
    parsed = parse(raw, form, fmt)
    # Row i of the file (no times, so file order) is respondent i + 1.
    over_story = identity.row_keys(parsed.answers, parsed.times, form.form_id).tolist()

    def stored():
        r = schema.respondents
        with study.engine.connect() as connection:
            return {n: {s, k} for n, s, k in connection.execute(
                sa.select(r.c.number, r.c.submission_key, r.c.row_key))}

    assert all(over_story[n - 1] in keys for n, keys in stored().items())  # sees its keys
    study.withdraw(2)
    result = seal_question(study, "story")
    assert result.rekeyed == 4  # respondents 1, 3, 4, 5; 2 withdrew, 6 and 7 left it empty
    after = stored()
    for number in (1, 3, 4, 5):
        assert over_story[number - 1] not in after[number]


def test_withdrawn_stay_out_through_several_seals(imported, tmp_path):
    from syrmak.survey.sealing import seal_question

    study, path = imported
    study.withdraw(1)
    seal_question(study, "story")
    study.withdraw(3)
    seal_question(study, "staff")
    result = study.import_responses(path)
    assert result.added == 0
    assert list(study.responses().index) == [2, 4, 5, 6, 7]
    numbers = {int(n) for n in study.contacts().table["respondent"]}
    assert not numbers & {1, 3}
    staff = study.contacts().table
    assert set(staff[staff["question"] == "staff"]["value"]) == {"7", "4", "1", "2", "9"}


def test_unmarking_personal_again_keeps_identity(imported, tmp_path):
    study, path = imported
    study.load_questionnaire(_form(tmp_path, "v2.xlsx", "contact", "story"))
    study.load_questionnaire(_form(tmp_path, "v3.xlsx", "contact"))
    assert study.import_responses(path).added == 0


def test_new_rows_are_recognised_by_a_set_that_excludes_personal_answers(imported, tmp_path):
    """A row first imported while 'story' was personal is recognised after it no longer is,
    and its stored identity never covered the story."""
    study, path = imported
    study.load_questionnaire(_form(tmp_path, "v2.xlsx", "contact", "story"))
    later = tmp_path / "later.csv"
    later.write_text(ROWS + "cso,rights,Новая история,,5\n", encoding="utf-8")
    assert study.import_responses(later).added == 1
    with study.engine.connect() as connection:
        sets = [json.loads(s) for s in connection.execute(
            sa.select(schema.imports.c.row_key_sets)).scalars()]
    assert all("story" not in questions for s in sets[1:] for questions in s[-1:])
    assert study.import_responses(later).added == 0


def test_rows_keyed_before_migration_0007_are_recognised_then_rebound(study, tmp_path):
    """Before 0007 a hashed row's submission key was its row hash, and bound its vault
    entries; sealing replaces it where no entry depends on it, and says where one does."""
    from alembic import command

    from syrmak.store import db
    from syrmak.store.vault import ContactValue
    from syrmak.survey.sealing import seal_question

    path = tmp_path / "answers.csv"
    path.write_text("\n".join(line.rsplit(",", 2)[0] + ",," + line.rsplit(",", 1)[1]
                              if i else line for i, line in enumerate(ROWS.splitlines()))
                    + "\n", encoding="utf-8")  # no contacts: the vault starts empty
    study.import_responses(path)
    r = schema.respondents
    # Before 0007 the keys were scheme 1's ("row:" + sha256 digests).
    form = study.questionnaire
    raw, fmt = read_file(path, form, "auto")
    parsed = parse(raw, form, fmt)
    older = dict(zip(identity.row_keys(parsed.answers, parsed.times, form.form_id),
                     identity.row_keys(parsed.answers, parsed.times, form.form_id, scheme=1),
                     strict=True))
    with study.engine.begin() as connection:
        # The store as syrmak left it at revision 0006 (a downgrade would rebuild tables).
        for number, key in connection.execute(sa.select(r.c.number, r.c.row_key)).all():
            connection.execute(sa.update(r).where(r.c.number == number)
                               .values(submission_key=older[key]))
        connection.exec_driver_sql("ALTER TABLE respondents DROP COLUMN row_key")
        connection.exec_driver_sql("ALTER TABLE imports DROP COLUMN row_key_sets")
        # The tables of migrations 0008 and 0010-0013, dependants first.
        for later in ("jobs", "recordings", "interview_selections", "derived_variables",
                      "redactions", "audit_log", "survey_sessions", "recruitment", "coupons",
                      "form_versions", "repeat_columns", "repeat_records", "web_sessions",
                      "researchers"):
            connection.exec_driver_sql(f"DROP TABLE {later}")
        # 0014 swapped the search indexes for covering ones: the older pair is put back.
        connection.exec_driver_sql("DROP INDEX ix_search_tokens_form_postings")
        connection.exec_driver_sql("DROP INDEX ix_search_tokens_lemma_postings")
        connection.exec_driver_sql("CREATE INDEX ix_search_tokens_form ON search_tokens (form)")
        connection.exec_driver_sql(
            "CREATE INDEX ix_search_tokens_lemma ON search_tokens (lemma)")
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0006'")
    with study.engine.begin() as connection:
        command.upgrade(db.alembic_config(connection), "head")
        first = connection.execute(sa.select(r.c.id, r.c.submission_key)
                                   .where(r.c.number == 1)).one()
        study.seal(connection, [ContactValue(first.id, 1, first.submission_key, "contact",
                                             "legacy@example.org")])
    assert study.import_responses(path).added == 0
    done = seal_question(study, "story")
    assert (done.rekeyed, done.still_bound) == (5, 1)
    with study.engine.connect() as connection:
        rows = {n: (s, k) for n, s, k in connection.execute(
            sa.select(r.c.number, r.c.submission_key, r.c.row_key))}
    assert rows[1][0] == first.submission_key  # its entry is sealed to it
    assert all(rows[n][0] != rows[n][1] for n in (2, 3, 4, 5))
    found = study.contacts()
    assert found.damaged == ()
    assert len(found.table[found.table["question"] == "story"]) == 5
    assert study.import_responses(path).added == 0


def test_a_sealed_other_text_stays_out_of_the_answers(study, tmp_path):
    """Google Forms writes an "Other" text into the question's own column; once the
    'sphere_other' field is sealed, later imports must send that text to the vault."""
    from syrmak.survey.sealing import seal_question

    first = tmp_path / "first.csv"
    first.write_text("kind,sphere\ncso,Свой вариант\n", encoding="utf-8")
    study.import_responses(first)
    seal_question(study, "sphere_other")
    later = tmp_path / "later.csv"
    later.write_text("kind,sphere\nindependent,Позвоните +7 701 555 12 34\n", encoding="utf-8")
    assert study.import_responses(later).contacts_stored == 1
    assert "555 12 34" not in _stored_text(study) and "Свой вариант" not in _stored_text(study)
    table = study.contacts().table
    assert set(table[table["question"] == "sphere_other"]["value"]) == {
        "Свой вариант", "Позвоните +7 701 555 12 34"}
