"""Redaction: proposals from natasha, the Kazakh gazetteer and the contact patterns;
accepted ones pseudonymised consistently in published quotes; reveals audited."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from syrmak.cli import main
from syrmak.errors import SyrmakError
from syrmak.privacy import audit, redaction
from syrmak.qual.documents import add_text
from syrmak.report import resolve_report
from syrmak.store import schema


@pytest.mark.parametrize("text, expected", [
    ("Мы с Ерланом ездили в Кызылорду на суд.",
     {("person", "Ерланом"), ("place", "Кызылорду")}),
    ("Вчера Айгерим Нурланова рассказала, как её вызвали в акимат.",
     {("person", "Айгерим Нурланова")}),
    ("Позвоните по номеру +7 701 234 56 78 или пишите на aigerim.n@example.org.",
     {("contact", "+7 701 234 56 78"), ("contact", "aigerim.n@example.org")}),
    ("В Шымкенте нас поддержал Сергей Иванов из Казахстанского бюро по правам человека.",
     {("place", "Шымкенте"), ("person", "Сергей Иванов"),
      ("organisation", "Казахстанского бюро по правам человека")}),
    ("Мы перешли в онлайн и потеряли половину аудитории.", set()),
])
def test_find_proposes_names_places_organisations_and_contacts(text, expected):
    assert {(k, text[s:e]) for k, s, e, _ in redaction.find(text)} == expected


@pytest.mark.parametrize("text, sources, expected", [
    # natasha alone misses a Kazakh given name declined in Russian; the gazetteer finds it.
    ("Позвоните Нурлану, он всё объяснит.", ("gazetteer",), {("person", "Нурлану")}),
    ("Волонтёры из Караганды и Темиртау собрали продукты.", ("gazetteer",),
     {("place", "Караганды"), ("place", "Темиртау")}),
    ("Пишите в телеграм @kz_volunteers.", ("pattern",), {("contact", "@kz_volunteers")}),
])
def test_each_source_on_its_own(text, sources, expected):
    assert {(k, text[s:e]) for k, s, e, _ in redaction.find(text, sources)} == expected


INTERVIEW = ("Респондент 1: Мы с Ерланом ездили в Атырау. Потом Ерлан вернулся.\n"
             "Респондент 1: В Атырау нас встретила Асель.")
ANSWER = "Спасибо Ерлану за помощь в Атырау."


@pytest.fixture
def documents(study):
    add_text(study, "interview-01", INTERVIEW)
    add_text(study, "answer-01", ANSWER)
    return study


def test_accepted_proposals_get_one_pseudonym_per_name_across_the_study(documents):
    study = documents
    assert redaction.propose(study, sources=("gazetteer",)) == 7
    assert redaction.propose(study, sources=("gazetteer",)) == 0  # nothing proposed twice
    found = redaction.proposals(study)
    assert {p.status for p in found} == {"proposed"}
    asel = next(p.id for p in found if "[[Асель]]" in p.context)
    redaction.decide(study, [p.id for p in found if p.id != asel], accept=True)
    redaction.decide(study, [asel], accept=False)
    with study.engine.connect() as connection:
        ids = dict(connection.execute(sa.select(schema.documents.c.name,
                                                schema.documents.c.id)).all())
        interview = redaction.redact(connection, ids["interview-01"], 0, len(INTERVIEW),
                                     INTERVIEW)
        answer = redaction.redact(connection, ids["answer-01"], 0, len(ANSWER), ANSWER)
        a, b = INTERVIEW.index("Мы"), INTERVIEW.index(". Потом") + 1
        part = redaction.redact(connection, ids["interview-01"], a, b, INTERVIEW[a:b])
        stored = connection.execute(sa.select(schema.documents.c.text)
                                    .where(schema.documents.c.name == "interview-01")).scalar()
    # Ерланом, Ерлан and Ерлану are one person; the rejected Асель stays.
    assert interview == ("Респондент 1: Мы с [Person 1] ездили в [Place 1]. Потом [Person 1] "
                         "вернулся.\nРеспондент 1: В [Place 1] нас встретила Асель.")
    assert answer == "Спасибо [Person 1] за помощь в [Place 1]."
    assert part == "Мы с [Person 1] ездили в [Place 1]."
    assert stored == INTERVIEW  # the stored text never changes


def test_reveal_is_audited_and_unknown_ids_change_nothing(documents):
    study = documents
    redaction.propose(study, "answer-01", sources=("gazetteer",))
    first = redaction.proposals(study)[0]
    assert redaction.reveal(study, first.id) == "Ерлану"
    entry = audit.entries(study, action="redaction-reveal")[-1]
    assert entry.detail["redaction"] == first.id and "Ерлан" not in str(entry.detail)
    with pytest.raises(SyrmakError) as info:
        redaction.decide(study, [first.id, 999], accept=True)
    assert info.value.code == "unknown-redaction"
    assert redaction.proposals(study)[0].status == "proposed"


def test_report_quotes_use_the_redacted_text(documents):
    study = documents
    redaction.propose(study, sources=("gazetteer",))
    redaction.decide(study, [p.id for p in redaction.proposals(study)], accept=True)
    spec = study.folder / "report.yaml"
    spec.write_text("title: T\nlang: ru\ncontent:\n  - quote: {document: answer-01, "
                    "text: \"Спасибо Ерлану за помощь в Атырау.\"}\n", encoding="utf-8")
    report = resolve_report(study, spec)
    quote = next(b for b in report.blocks if hasattr(b, "original"))
    assert quote.original == "Спасибо [Person 1] за помощь в [Place 1]."
    assert not any("redacted" in w for w in report.warnings)


def test_a_redacted_quote_with_a_translation_warns(documents):
    from syrmak.report.quotes import set_translation

    study = documents
    redaction.propose(study, "answer-01", sources=("gazetteer",))
    redaction.decide(study, [p.id for p in redaction.proposals(study)], accept=True)
    set_translation(study, {"document": "answer-01", "text": ANSWER}, "en",
                    "Thanks to Erlan in Atyrau.")
    spec = study.folder / "report.yaml"
    spec.write_text("title: T\nlang: en\ncontent:\n  - quote: {document: answer-01, "
                    "text: \"Спасибо Ерлану за помощь в Атырау.\"}\n", encoding="utf-8")
    report = resolve_report(study, spec)
    assert [w for w in report.warnings if "is redacted, but its translation" in w]


def test_withdrawal_removes_the_proposals_of_the_respondents_documents(study, tmp_path):
    (tmp_path / "r.csv").write_text("kind,story\ncso,a\nindependent,b\n", encoding="utf-8")
    study.import_responses(tmp_path / "r.csv")
    add_text(study, "interview-02", INTERVIEW, respondent=2)
    redaction.propose(study, sources=("gazetteer",))
    study.withdraw(2)
    with study.engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count())
                                  .select_from(schema.redactions)).scalar() == 0


def test_the_cli_proposes_lists_and_decides(documents):
    folder = str(documents.folder)
    run = CliRunner().invoke(main, ["redact", folder, "--document", "answer-01"])
    assert run.exit_code == 0 and "2 new proposal(s)" in run.output
    listed = CliRunner().invoke(main, ["redact", folder, "--list"])
    assert "[[Ерлану]]" in listed.output and "[[Атырау]]" in listed.output
    first = int(listed.output.split()[0])
    decided = CliRunner().invoke(main, ["redact", folder, "--accept", str(first)])
    assert decided.exit_code == 0
    accepted = CliRunner().invoke(main, ["redact", folder, "--list", "--status", "accepted"])
    assert len(accepted.output.strip().splitlines()) == 1
