"""A tiny study for reports: 8 respondents, a region question, a Likert pair, a
before/during pair, one interview and one open answer, coded and (partly) translated."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from tests.conftest import PG_URL, throwaway_keys
from tests.forms import write_xlsform

SURVEY = [
    ["type", "name", "label::Russian (ru)", "label::English (en)", "required"],
    ["select_one kind", "kind", "Кого вы представляете?", "Whom do you represent?", "yes"],
    ["select_one political", "political", "Политическая ли работа?", "Is your work political?"],
    ["select_multiple region", "region", "Регионы работы", "Regions of work"],
    ["select_multiple tool", "before", "Инструменты до пандемии", "Tools before the pandemic"],
    ["select_multiple tool", "during", "Инструменты во время пандемии",
     "Tools during the pandemic"],
    ["note", "stem", "Согласны ли вы?", "Do you agree with the statements?"],
    ["select_one agree", "trust", "Я доверяю власти", "I trust the authorities"],
    ["select_one agree", "hope", "Я надеюсь на перемены", "I hope for change"],
    ["select_one change", "change", "Как изменилось восприятие?", "How did perception change?"],
    ["text", "story", "Расскажите о трудностях", "Tell us about difficulties"],
]
CHOICES = [
    ["list_name", "name", "label::Russian (ru)", "label::English (en)"],
    ["kind", "cso", "Представитель НКО", "Representative of an CSO"],
    ["kind", "independent", "Независимый активист", "Independent activist"],
    ["political", "political", "Политическая деятельность", "Pursuing political activities"],
    ["political", "non_political", "Неполитическая деятельность",
     "Pursuing non-political activities"],
    # Matched to the map by ISO code, by Russian name and by English name respectively.
    ["region", "KZ-ALA", "Алматы", "Almaty"],
    ["region", "ast", "Нур-Султан", "Capital"],
    ["region", "kar", "Караганда", "Karaganda Region"],
    ["region", "national", "Весь Казахстан", "Whole country"],
    ["tool", "whatsapp", "WhatsApp", "WhatsApp"],
    ["tool", "zoom", "Zoom", "Zoom"],
    ["tool", "telegram", "Telegram", "Telegram"],
    ["agree", "disagree", "Не согласен", "Disagree"],
    ["agree", "neutral", "Ни да ни нет", "Neither"],
    ["agree", "agree", "Согласен", "Agree"],
    ["agree", "dk", "Затрудняюсь ответить", "Difficult to answer"],
    ["change", "better", "К лучшему", "Changed for the better"],
    ["change", "same", "Не изменилось", "Did not change"],
    ["change", "worse", "К худшему", "Changed for the worse"],
]
SETTINGS = [["form_title", "form_id", "version", "default_language"],
            ["Тестовый отчёт", "report_test", "1", "Russian (ru)"]]

# 8 respondents; respondent 8 skipped 'change' (so its base is 7).
RESPONSES = """kind,political,region,before,during,trust,hope,change,story
cso,political,KZ-ALA ast,whatsapp,whatsapp zoom,agree,agree,better,Нет денег на аренду офиса.
cso,non_political,KZ-ALA,whatsapp telegram,zoom telegram,disagree,agree,better,
independent,political,ast national,whatsapp,whatsapp zoom telegram,neutral,neutral,same,
cso,non_political,kar,zoom,zoom,agree,dk,better,
independent,non_political,KZ-ALA,whatsapp,whatsapp,disagree,disagree,worse,
cso,political,KZ-ALA national,telegram,zoom telegram,agree,agree,better,
cso,non_political,ast,whatsapp,zoom,neutral,agree,same,
independent,political,KZ-ALA,whatsapp,whatsapp zoom,dk,agree,,
"""

INTERVIEW = textwrap.dedent("""\
    [00:00:05] Интервьюер: Расскажите о трудностях.
    [00:00:10] Респондент 1: До пандемии нам всё время не хватало денег на аренду офиса. Потом мы ушли в онлайн.
    [00:00:30] Интервьюер: А как команда?
    [00:00:35] Респондент 1: Было сложно переходить в онлайн, но мы справились.
    """)

SPEC = """\
title: Test report
lang: en
attribution: >-
  Respondent {{ respondent }},
  {% if value.kind == "cso" %}{{ kind | lcfirst }} {{ political | lcfirst }}{% else %}{{ kind | lcfirst }}{% endif %},
  {{ source }} quote
content:
  - toc: Contents
  - heading: Results
    id: results
  - text: |
      Most respondents ({{ pct: change = better }}) say perception changed for the better;
      {{ n: region = KZ-ALA }} work in Almaty. See {{ ref: cross }} and {{ ref: regions }}.
  - table:
      caption: Kind by political
      crosstab: {rows: kind, columns: political}
      id: cross
  - table:
      caption: Agreement
      stem: stem
      likert: {items: [trust, hope], dont_know: [dk], base: all}
  - figure:
      caption: Where they work
      chart: map
      question: region
      id: regions
  - figure:
      caption: Perception
      chart: bar
      question: change
      sort: false
  - figure:
      caption: Tools before and during
      chart: grouped
      questions: [before, during]
      series: [Before, During]
  - figure:
      caption: Agreement, diverging
      chart: diverging
      likert: {items: [trust, hope]}
  - heading: Voices
    level: 2
  - quote: {document: interview-01, code: Funding}
  - quote: {document: story/1, text: "Нет денег на аренду офиса."}
  - quote: {document: interview-01, starts: "Было сложно", ends: "мы справились."}
"""


def make_report_study(study_factory, tmp_path: Path):
    """The tiny study with responses, documents, codes, codings and two translations."""
    from syrmak.qual import codebook, coding, documents
    from syrmak.report import set_translation

    study = study_factory("reported")
    form = write_xlsform(tmp_path / "report-form.xlsx", SURVEY, CHOICES, SETTINGS)
    study.load_questionnaire(form)
    responses = tmp_path / "report-responses.csv"
    responses.write_text(RESPONSES, encoding="utf-8")
    study.import_responses(responses, format="csv")
    documents.add_text(study, "interview-01", INTERVIEW, kind="transcript", respondent=1,
                       variables={"source": "interview"})
    documents.import_open_answers(study)
    codebook.add_code(study, "Funding")
    codebook.add_code(study, "Online")
    coding.code_quote(study, "interview-01",
                      "До пандемии нам всё время не хватало денег на аренду офиса.", "Funding",
                      "anna")
    coding.code_quote(study, "interview-01", "Было сложно переходить в онлайн", "Online", "anna")
    set_translation(study, {"document": "interview-01", "code": "Funding"}, "en",
                    "Before the pandemic we never had enough money for the office rent.",
                    translator="tester")
    set_translation(study, {"document": "story/1", "text": "Нет денег на аренду офиса."}, "en",
                    "No money for the office rent.", translator="tester")
    (study.folder / "report.yaml").write_text(SPEC, encoding="utf-8")
    return study


@pytest.fixture
def reported(new_study, tmp_path):
    return make_report_study(new_study, tmp_path)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"] if PG_URL else ["sqlite"])
def shared_reported(request, tmp_path_factory):
    """Like ``reported``, built once per test module and store (for read-only tests)."""
    import uuid

    import sqlalchemy as sa

    from syrmak.store.db import normalise_url
    from syrmak.study import Study

    tmp = tmp_path_factory.mktemp("shared-report")
    keys = throwaway_keys(tmp / "keys")
    keys.__enter__()
    url, name, made = None, None, []
    if request.param == "postgresql":
        name = f"t_{uuid.uuid4().hex[:12]}"
        with sa.create_engine(normalise_url(PG_URL)).begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{name}"'))
        sep = "&" if "?" in PG_URL else "?"
        url = f"{PG_URL}{sep}options=-csearch_path%3D{name}"

    def factory(folder_name):
        study = Study.create(tmp / folder_name, db_url=url)
        made.append(study)
        return study

    try:
        yield make_report_study(factory, tmp)
    finally:
        for study in made:
            study.close()
        keys.__exit__(None, None, None)
        if name:
            admin = sa.create_engine(normalise_url(PG_URL))
            with admin.begin() as connection:
                connection.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
            admin.dispose()


def data_tables(document) -> list:
    """The Word report's tables of numbers, without the floating one-cell frames that hold
    a figure with its caption."""
    from docx.oxml.ns import qn

    return [t for t in document.tables if t._tbl.tblPr.find(qn("w:tblpPr")) is None]


def figure_frames(document) -> list:
    """The cells of the floating frames that hold each figure with its caption."""
    numbers = {t._tbl for t in data_tables(document)}
    return [t.rows[0].cells[0] for t in document.tables if t._tbl not in numbers]


def paragraphs(document) -> list:
    """The body's paragraphs, then those in the figures' frames (their captions)."""
    return document.paragraphs + [p for cell in figure_frames(document)
                                  for p in cell.paragraphs]
