"""A small bilingual XLSForm built in code, covering every supported question type."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

SURVEY = [
    ["type", "name", "label::Russian (ru)", "label::English (en)", "required", "relevant", "personal_data"],
    ["begin_group", "about", "О вас", "About you"],
    ["select_one kind", "kind", "Кого вы представляете?", "Whom do you represent?", "yes"],
    ["select_multiple sphere or_other", "sphere", "Сферы работы", "Areas of work"],
    ["integer", "staff", "Сколько человек в команде?", "How many people in the team?"],
    ["decimal", "budget", "Бюджет, млн тенге", "Budget, million tenge"],
    ["date", "founded", "Дата основания", "Date founded"],
    ["end_group"],
    ["begin_group", "views", "Мнения", "Views"],
    ["select_one agree", "trust", "Я доверяю власти", "I trust the authorities"],
    ["select_one agree", "hope", "Я надеюсь на перемены", "I hope for change"],
    ["text", "story", "Расскажите о трудностях", "Tell us about difficulties"],
    ["note", "thanks", "Спасибо!", "Thank you!"],
    ["end_group"],
    ["text", "contact", "Контакты коллег", "Colleagues' contacts", "", "", "yes"],
]
CHOICES = [
    ["list_name", "name", "label::Russian (ru)", "label::English (en)"],
    ["kind", "cso", "Зарегистрированная организация", "Registered CSO"],
    ["kind", "independent", "Независимый активист", "Independent activist"],
    ["sphere", "rights", "Права человека, юридическая помощь", "Human rights, legal aid"],
    ["sphere", "women", "Права женщин", "Women's rights"],
    ["sphere", "eco", "Экология", "Environment"],
    ["agree", "disagree", "Не согласен", "Disagree"],
    ["agree", "neutral", "Затрудняюсь ответить", "Difficult to answer"],
    ["agree", "agree", "Согласен", "Agree"],
]
SETTINGS = [["form_title", "form_id", "version", "default_language"],
            ["Тестовая анкета", "test_form", "3", "Russian (ru)"]]


def write_xlsform(path: Path, survey=None, choices=None, settings=None, **more) -> Path:
    """The form's sheets; ``more`` adds others by name (``external_choices=[...]``)."""
    workbook = Workbook()
    sheets = (("survey", survey or SURVEY), ("choices", choices or CHOICES),
              ("settings", settings or SETTINGS), *more.items())
    for index, (name, rows) in enumerate(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = name
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path
