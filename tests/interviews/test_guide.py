"""The interview guide: parsed, stored, matched to interviewer turns, answers retrieved."""

from __future__ import annotations

import pytest

from syrmak.errors import SyrmakError
from syrmak.interviews.guide import GuideQuestion, answers, guide, parse_guide, set_guide
from syrmak.qual.documents import add_text, set_variable

GUIDE = """Вопросы

- 1 Расскажите, пожалуйста, немного о себе. Кем Вы работаете?
Как давно Вы занимаетесь активизмом?
- 2 Как Вы справлялись с выгоранием? Что именно помогло?

Давайте поговорим про государство.

- 3 Оказывало ли государство помощь Вашей организации?

Спасибо за уделенное нам время.
"""


@pytest.mark.parametrize(("text", "expected"), [
    (GUIDE, [(1, "Расскажите, пожалуйста, немного о себе. Кем Вы работаете? Как давно Вы "
                 "занимаетесь активизмом?"),
             (2, "Как Вы справлялись с выгоранием? Что именно помогло?"),
             (3, "Оказывало ли государство помощь Вашей организации?")]),
    ("1. Первый?\n2) Второй?\n", [(1, "Первый?"), (2, "Второй?")]),
])
def test_parse_guide(text, expected):
    assert parse_guide(text) == tuple(GuideQuestion(n, t) for n, t in expected)


@pytest.mark.parametrize("text", ["Просто текст без номеров.", "1. Первый?\n1. Снова?", ""])
def test_bad_guide_is_refused_and_nothing_stored(study, tmp_path, text):
    path = tmp_path / "guide.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SyrmakError) as caught:
        set_guide(study, path)
    assert caught.value.code == "bad-guide"
    assert caught.value.location.file == "guide.txt"
    with pytest.raises(SyrmakError):
        guide(study)


def test_answers_follow_the_question_asked(study, tmp_path):
    path = tmp_path / "guide.txt"
    path.write_text(GUIDE, encoding="utf-8")
    set_guide(study, path)
    add_text(study, "a", "[00:00:01] Интервьюер: Как вы справлялись с выгоранием?\n"
                         "[00:00:05] Респондент: Нам помогали психологи.\n"
                         "[00:00:09] Респондент: И отпуск.\n"
                         "[00:00:12] Интервьюер: Хорошо. Погода сегодня какая?\n"
                         "[00:00:15] Респондент: Солнечно.", kind="transcript")
    add_text(study, "b", "[00:00:01] Anna: Государство оказывало помощь вашей организации?\n"
                         "[00:00:04] Марат: Нет, никакой.", kind="transcript")
    set_variable(study, "b", "interviewer", "Anna")
    got = [(a.question, a.document, a.text) for a in answers(study)]
    assert got == [(2, "a", "Нам помогали психологи."), (2, "a", "И отпуск."),
                   (3, "b", "Нет, никакой.")]
    assert [a.text for a in answers(study, 3)] == ["Нет, никакой."]
    with pytest.raises(SyrmakError) as caught:
        answers(study, 9)
    assert caught.value.code == "unknown-guide-question"
