"""Substitute names: declined like the original, one substitute per person across the study,
chosen per study in syrmak.toml. Names in the sentences are made up."""

from __future__ import annotations

import pymorphy3
import pytest

from syrmak.errors import SyrmakError
from syrmak.privacy import pseudonyms, redaction
from syrmak.qual.documents import add_text


@pytest.mark.parametrize("before, original, number, expected", [
    ("Мы с ", "Ерланом", 1, "Маратом"),            # instrumental, declinable
    ("Позвоните ", "Нурлану", 1, "Марату"),         # dative without a preposition
    ("Мы пошли к ", "Айгерим", 1, "Марине"),        # indeclinable: the preposition decides
    ("Мы говорили с ", "Асель", 2, "Жанной"),
    ("Письмо от ", "Асель", 2, "Жанны"),
    ("Вчера ", "Айгерим", 1, "Марина"),              # no preposition: nominative
    ("Вчера ", "Айгерим Нурланова", 3, "Мадина Кузнецова"),
    ("У ", "Динары", 1, "Марины"),                   # genitive of a feminine name
    ("Я встретилась с ", "Гульнарой Ахметовой", 2, "Жанной Кузнецовой"),  # not the own surname
    ("Мы говорили о ", "Талгате", 2, "Тимуре"),
    ("Спасибо Ерлану и ", "Айгерим", 2, "Жанне"),    # the case of the name it is paired with
])
def test_a_substitute_is_declined_like_the_original(before, original, number, expected):
    assert pseudonyms.substitute(original, number, before) == expected


def test_a_substitute_equal_to_the_original_is_skipped():
    assert pseudonyms.substitute("Марат", 1) == "Тимур"


@pytest.mark.parametrize("sex", ["masc", "femn"])
def test_every_substitute_is_a_name_pymorphy3_declines(sex):
    morph = pymorphy3.MorphAnalyzer()
    for name in pseudonyms.GIVEN[sex]:
        parse = next(p for p in morph.parse(name) if "Name" in p.tag and p.tag.gender == sex
                     and p.tag.case == "nomn")
        forms = {parse.inflect({case}).word for case in pseudonyms.CASES}
        assert len(forms) >= 4, name  # a declined name, not an indeclinable guess


INTERVIEW = ("Мы с Ерланом ездили в Атырау. Потом Ерлан вернулся.\n"
             "Айгерим рассказала всё Ерлану, а мы пошли к Айгерим.")
ANSWER = "Спасибо Ерлану и Айгерим за помощь."


@pytest.fixture
def decided(study):
    add_text(study, "interview-01", INTERVIEW)
    add_text(study, "answer-01", ANSWER)
    redaction.propose(study, sources=("gazetteer",))
    redaction.decide(study, [p.id for p in redaction.proposals(study)], accept=True)
    return study


def _names(study):
    study.config.setdefault("privacy", {})["pseudonyms"] = "names"  # as syrmak.toml sets it


def test_names_are_consistent_across_the_study(decided):
    _names(decided)
    assert redaction.style(decided) == "names"
    assert redaction.redacted_document(decided, "interview-01")[1] == (
        "Мы с Маратом ездили в [Place 1]. Потом Марат вернулся.\n"
        "Жанна рассказала всё Марату, а мы пошли к Жанне.")
    assert redaction.redacted_document(decided, "answer-01")[1] == (
        "Спасибо Марату и Жанне за помощь.")


def test_labels_are_the_default(decided):
    assert redaction.redacted_document(decided, "answer-01")[1] == (
        "Спасибо [Person 1] и [Person 2] за помощь.")


def test_an_unknown_pseudonym_setting_is_a_clear_error(decided):
    decided.config.setdefault("privacy", {})["pseudonyms"] = "nicknames"
    with pytest.raises(SyrmakError) as info:
        redaction.style(decided)
    assert info.value.code == "bad-setting"
    assert "syrmak.toml" in str(info.value) and "nicknames" in str(info.value)


def test_the_report_quotes_use_substitute_names_when_the_study_says_so(decided):
    from syrmak.report import resolve_report

    _names(decided)
    spec = decided.folder / "report.yaml"
    spec.write_text("title: T\nlang: ru\ncontent:\n  - quote: {document: answer-01, "
                    "text: \"Спасибо Ерлану и Айгерим за помощь.\"}\n", encoding="utf-8")
    report = resolve_report(decided, spec)
    quote = next(b for b in report.blocks if hasattr(b, "original"))
    assert quote.original == "Спасибо Марату и Жанне за помощь."
