"""The reference study's 31 respondents, rebuilt in code so that the analyses can be
checked against the printed tables without the study store."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pytest

from syrmak.analysis.frames import build_frame, expand
from syrmak.survey.instrument import Choice, Question, Questionnaire, Section


def choices(*pairs: tuple[str, str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(name, {"en": en, "ru": ru}) for name, en, ru in pairs)


def select_one(name, en, ru, list_name, options, **kw) -> Question:
    return Question(name, "select_one", {"en": en, "ru": ru}, options, list_name, **kw)


def select_multiple(name, en, ru, list_name, options, **kw) -> Question:
    return Question(name, "select_multiple", {"en": en, "ru": ru}, options, list_name, **kw)


IMPORTANCE = choices(
    ("difficult", "Difficult to answer", "Затрудняюсь ответить"),
    ("unimportant", "More unimportant than important", "Скорее неважно"),
    ("important", "More important than unimportant", "Скорее важно"),
    ("very_important", "Very important", "Очень важно"),
)
EXPERIENCE = choices(
    ("no", "No, we did not have such experience", "Нет, такого опыта не было"),
    ("yes", "Yes, we had a partnership/collaboration", "Да, было сотрудничество"),
)
ADAPT = choices(("no", "No", "Нет"), ("partly", "Partly", "Частично"),
                ("fully", "Yes, fully", "Да, полностью"))
EFFECT = choices(
    ("lot_less", "We became a lot less effective", "Намного менее эффективно"),
    ("little_less", "We became a little less effective", "Немного менее эффективно"),
    ("same", "Effectiveness did not change", "Не изменилась"),
    ("little_more", "We became a little more effective", "Немного более эффективно"),
    ("lot_more", "We became a lot more effective", "Намного более эффективно"),
)
AGREE5 = choices(
    ("strongly_disagree", "Strongly disagree", "Совершенно не согласен"),
    ("rather_disagree", "Rather disagree", "Скорее не согласен"),
    ("neutral", "Neither agree nor disagree", "Ни да, ни нет"),
    ("rather_agree", "Rather agree", "Скорее согласен"),
    ("strongly_agree", "Strongly agree", "Полностью согласен"),
    ("undecided", "Undecided", "Затрудняюсь ответить"),
)
DIFFICULTY = choices(
    ("easier", "Became easier", "Стало легче"),
    ("same", "Remained the same", "Осталось прежним"),
    ("harder", "Became more difficult", "Стало сложнее"),
    ("no_problem", "Did not have this problem", "Не было такой проблемы"),
    ("difficult", "Difficult to answer", "Затрудняюсь ответить"),
)
SPHERES = choices(
    ("human_rights", "Human rights and legal aid", "Права человека и правовая помощь"),
    ("women", "Rights of women", "Права женщин"),
    ("vulnerable", "Vulnerable groups", "Уязвимые группы"),
    ("lgbt", "LGBTQ rights", "Права ЛГБТК"),
    ("ecology", "Ecology", "Экология"),
    ("other", "Other", "Другое"),
)
REGIONS = choices(
    ("KZ-ALA", "Almaty", "Алматы"),
    ("KZ-AST", "Astana", "Астана"),
    ("KZ-SHY", "Shymkent", "Шымкент"),
    ("KZ-KAR", "Karaganda region", "Карагандинская область"),
)
T4_ITEMS = [
    ("t4_engagement", "The COVID-19 outbreak has boosted people's civic engagement"),
    ("t4_power", "The COVID-19 outbreak showed people their potential and power"),
    ("t4_capital", "The pandemic has increased what is defined as \"social capital\""),
    ("t4_leaders", "A number of community organizations and leaders emerged"),
    ("t4_movements", "New social movements, organizations and leaders emerged"),
    ("t4_parties", "The COVID-19 outbreak changed the influence of party-political structures"),
]
T3_ITEMS = [
    ("t3_services", "Providing continuous services"),
    ("t3_fundraising", "Fundraising"),
    ("t3_government", "Building relations with the government authorities"),
    ("t3_schedule", "Finishing work obligations on schedule"),
    ("t3_management", "Team management"),
    ("t3_communication", "Building communications within team"),
]


def civic_questionnaire() -> Questionnaire:
    questions = [
        select_one("respondent_type", "Type of respondent", "Тип респондента", "type",
                   choices(("cso", "Representative of a CSO", "Представитель НКО"),
                           ("independent", "Independent activist", "Независимый активист"))),
        select_one("political", "Political activities", "Политическая деятельность", "pol",
                   choices(("political", "Pursuing political activities", "Политическая"),
                           ("non_political", "Non-political activities", "Неполитическая"))),
        select_one("importance", "How important is partnership with the government?",
                   "Насколько важно сотрудничество с государством?", "importance", IMPORTANCE),
        select_one("experience", "Experience working with government agencies",
                   "Опыт работы с госорганами", "experience", EXPERIENCE),
        select_one("adapt", "Were you able to adapt your projects?",
                   "Удалось ли адаптировать проекты?", "adapt", ADAPT),
        select_one("effect", "How effective has your work become?",
                   "Насколько эффективной стала работа?", "effect", EFFECT),
        select_multiple("spheres", "Areas of specialization", "Сферы деятельности", "spheres",
                        SPHERES, or_other=True),
        select_multiple("regions", "Regions of work", "Регионы работы", "regions", REGIONS),
        Question("founded", "integer", {"en": "Year founded", "ru": "Год основания"}),
        Question("comment", "text", {"en": "Comment", "ru": "Комментарий"}),
    ]
    questions += [
        select_one(name, label, label, "agree5", AGREE5, section="t4") for name, label in T4_ITEMS
    ]
    questions += [
        select_one(name, label, label, "difficulty", DIFFICULTY) for name, label in T3_ITEMS
    ]
    return Questionnaire(
        form_id="kz_civic",
        title="Civic activism during COVID-19",
        version="1",
        default_language="en",
        languages=("en", "ru"),
        sections=(Section("t4", {"en": "Impact of the pandemic on activism",
                                 "ru": "Влияние пандемии на активизм"}),),
        questions=tuple(questions),
    )


#: Table 1 of the reference report as counts (importance x experience), n = 31.
TABLE1 = [
    ("difficult", "no", 1), ("difficult", "yes", 1),
    ("unimportant", "no", 2), ("unimportant", "yes", 2),
    ("important", "no", 4), ("important", "yes", 12),
    ("very_important", "no", 1), ("very_important", "yes", 8),
]
#: Table 2: adapt x effect.
TABLE2 = [
    ("no", "lot_less", 1),
    ("partly", "lot_less", 2), ("partly", "little_less", 3), ("partly", "little_more", 1),
    ("fully", "lot_less", 2), ("fully", "little_less", 3), ("fully", "same", 9),
    ("fully", "little_more", 5), ("fully", "lot_more", 5),
]
#: Table 3: counts per item over easier, same, harder, no_problem, difficult.
TABLE3 = {
    "t3_services": [5, 12, 8, 6, 0],
    "t3_fundraising": [6, 13, 9, 1, 2],
    "t3_government": [8, 9, 12, 2, 0],
    "t3_schedule": [2, 12, 15, 1, 1],
    "t3_management": [6, 13, 9, 3, 0],
    "t3_communication": [8, 10, 13, 0, 0],
}
#: Table 4, before collapsing: strongly/rather disagree, neutral, rather/strongly agree,
#: undecided. The report prints disagree and agree collapsed.
TABLE4 = {
    "t4_engagement": [2, 3, 8, 10, 8, 0],
    "t4_power": [3, 4, 9, 9, 6, 0],
    "t4_capital": [2, 5, 9, 10, 4, 1],
    "t4_leaders": [3, 4, 12, 8, 3, 1],
    "t4_movements": [1, 6, 9, 9, 5, 1],
    "t4_parties": [5, 7, 10, 5, 2, 2],
}


def _spread(names: Sequence[str], counts: Sequence[int]) -> list[str]:
    return [name for name, count in zip(names, counts, strict=True) for _ in range(count)]


def kz_answers() -> dict[str, list]:
    """31 respondents whose counts reproduce Tables 1-4 of the reference report."""
    importance, experience = expand(*TABLE1)
    adapt, effect = expand(*TABLE2)
    answers: dict[str, list] = {
        "importance": importance,
        "experience": experience,
        "adapt": adapt,
        "effect": effect,
    }
    for item, counts in TABLE3.items():
        answers[item] = _spread([c.name for c in DIFFICULTY], counts)
    for item, counts in TABLE4.items():
        answers[item] = _spread([c.name for c in AGREE5], counts)
    n = 31
    answers["respondent_type"] = ["cso"] * 20 + ["independent"] * 11
    answers["political"] = (["political", "non_political"] * 16)[:n]
    rng = np.random.default_rng(7)
    spheres, other = [], []
    for i in range(n):
        if i % 10 == 9:
            spheres.append(None)
            other.append(None)
            continue
        picked = [c.name for c in SPHERES[:-1] if rng.random() < 0.4] or ["human_rights"]
        if i % 7 == 0:
            picked.append("other")
            other.append(f"Animal welfare {i}")
        else:
            other.append(None)
        spheres.append(picked)
    answers["spheres"] = spheres
    answers["spheres_other"] = other
    answers["regions"] = [["KZ-ALA"] if i % 3 == 0 else ["KZ-AST", "KZ-KAR"] for i in range(n)]
    answers["founded"] = [None if i % 8 == 0 else 2005 + i % 6 for i in range(n)]
    answers["comment"] = [None] * n
    answers["w"] = list(np.round(0.5 + rng.random(n), 3))
    return answers


@pytest.fixture(scope="session")
def civic() -> Questionnaire:
    return civic_questionnaire()


@pytest.fixture(scope="session")
def kz_raw() -> dict[str, list]:
    return kz_answers()


@pytest.fixture(scope="session")
def kz(civic, kz_raw) -> pd.DataFrame:
    return build_frame(civic, kz_raw, lang="en")


@pytest.fixture(scope="session")
def make_frame():
    return build_frame
