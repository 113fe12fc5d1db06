"""Write responses.csv, the 31 survey answers of the example study (kz-civic-2021).

The file is shaped like a Google Forms export in Russian: UTF-8, comma-separated, first
column "Отметка времени" (dd.mm.yyyy hh:mm:ss, strictly increasing, so row k is
"Respondent k" of the report), then one column per answer field headed by its Russian
label from questionnaire.xlsx, cells holding the Russian choice labels; checkbox
answers are joined by ", " in choice order with an "other" text last; empty = unanswered.

Every count the reference report prints is pinned below and asserted before writing
(see README.md for the mapping). The rest of the answers are spread over respondents
by a fixed-seed shuffle, so the output is deterministic.

Run after make_questionnaire.py:  python examples/kz-civic-2021/make_responses.py
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from pathlib import Path

from openpyxl import load_workbook

HERE = Path(__file__).resolve().parent
XLSX = HERE / "questionnaire.xlsx"
OUT = HERE / "responses.csv"

N = 31
RESP = list(range(1, N + 1))
SEED = 2021

# ---------------------------------------------------------------------------
# who is who: the respondents the report quotes, with their attribution
# ---------------------------------------------------------------------------

INDEPENDENT = {2, 9, 14, 21, 23, 25, 30}
CSO_POLITICAL = {3, 11, 18, 26, 27, 31}
CSO_NON_POLITICAL = set(RESP) - INDEPENDENT - CSO_POLITICAL  # 18 respondents
# `political` is asked of everyone (the interview selection criteria use it for
# independents too); attributions mention it only for CSOs.
INDEPENDENT_POLITICAL = {2, 21, 25}

INTERVIEWEES = {6, 13, 15, 25, 26}
CONSENT_YES = INTERVIEWEES | {2, 4, 8, 11, 16, 19, 29}

REGIONS = {
    1: ["KZ-ALA"],
    2: ["KZ-AST"],
    3: ["KZ-ALA", "national"],
    4: ["KZ-AKM", "KZ-AST"],
    5: ["KZ-ALM", "KZ-ALA"],
    6: ["KZ-AST", "national"],
    7: ["KZ-YUZ", "KZ-SHY"],
    8: ["KZ-ALA", "national"],
    9: ["KZ-AST"],
    10: ["KZ-VOS"],
    11: ["KZ-ALA"],
    12: ["KZ-PAV"],
    13: ["KZ-ALA"],
    14: ["KZ-ATY"],
    15: ["KZ-KAR"],
    16: ["KZ-AST"],
    17: ["KZ-ALM", "KZ-ALA"],
    18: ["KZ-AST", "KZ-ALA"],
    19: ["KZ-SHY"],
    20: ["KZ-AKT", "KZ-ZAP"],
    21: ["KZ-ALA"],
    22: ["KZ-KUS", "KZ-SEV"],
    23: ["KZ-AST"],
    24: ["KZ-ATY", "KZ-MAN"],
    25: ["KZ-ALA"],
    26: ["KZ-AST", "KZ-ALA", "national"],
    27: ["KZ-AST"],
    28: ["KZ-ZHA", "KZ-KZY"],
    29: ["KZ-VOS"],
    30: ["KZ-ALA"],
    31: ["KZ-AST", "national"],
}

YEAR = dict(
    zip(
        RESP,
        [
            2003,
            2017,
            1997,
            2010,
            2015,
            2008,
            2012,
            2001,
            2019,
            2006,
            2018,
            2014,
            2002,
            2020,
            1999,
            2011,
            2016,
            2019,
            2004,
            2013,
            2018,
            2009,
            2020,
            2007,
            2016,
            1995,
            2019,
            2012,
            2005,
            2021,
            2017,
        ],
        strict=True,
    )
)

TEAM_SIZE = {
    1: "size_6_10",
    2: "only_me",
    3: "size_11_50",
    4: "size_2_5",
    5: "size_2_5",
    6: "size_11_50",
    7: "size_6_10",
    8: "size_11_50",
    9: "only_me",
    10: "size_2_5",
    11: "size_6_10",
    12: "size_2_5",
    13: "size_11_50",
    14: "only_me",
    15: "size_11_50",
    16: "size_50_plus",
    17: "size_6_10",
    18: "size_2_5",
    19: "size_6_10",
    20: "size_2_5",
    21: "only_me",
    22: "size_6_10",
    23: "only_me",
    24: "size_2_5",
    25: "size_6_10",
    26: "size_11_50",
    27: "size_6_10",
    28: "size_2_5",
    29: "size_11_50",
    30: "only_me",
    31: "size_6_10",
}

# ---------------------------------------------------------------------------
# targets printed in the report (counts out of 31 unless a base is given)
# ---------------------------------------------------------------------------

# Table 1: importance (rows) x experience before the pandemic (columns).
TABLE1 = {
    ("difficult_to_answer", "no"): 1,
    ("difficult_to_answer", "yes"): 1,
    ("rather_unimportant", "no"): 2,
    ("rather_unimportant", "yes"): 2,
    ("rather_important", "no"): 4,
    ("rather_important", "yes"): 12,
    ("very_important", "no"): 1,
    ("very_important", "yes"): 8,
}
TABLE1_PINS = {
    2: ("very_important", "no"),
    3: ("rather_unimportant", "no"),
    25: ("rather_unimportant", "no"),
    6: ("rather_important", "yes"),
    13: ("rather_important", "yes"),
    26: ("rather_important", "yes"),
    15: ("very_important", "yes"),
}

# Table 2: adaptation (rows) x effectiveness change (columns).
TABLE2 = {
    ("no", "much_less"): 1,
    ("partly", "much_less"): 2,
    ("partly", "little_less"): 3,
    ("partly", "little_more"): 1,
    ("fully", "much_less"): 2,
    ("fully", "little_less"): 3,
    ("fully", "no_change"): 9,
    ("fully", "little_more"): 5,
    ("fully", "much_more"): 5,
}
TABLE2_PINS = {
    26: ("fully", "much_more"),  # "we actively started to write applications ... worked out"
    16: ("fully", "much_more"),  # participants doubled in 2021
    15: ("fully", "little_more"),  # "virtually no refusals" from donors
    13: ("fully", "no_change"),  # "we were able to do it fast"
    25: ("fully", "no_change"),
    6: ("fully", "little_less"),
    29: ("partly", "little_less"),
}

# Table 3: six items x (easier, same, harder, no_problem, difficult_to_answer).
TABLE3 = {
    "difficulty_services": (5, 12, 8, 6, 0),
    "difficulty_fundraising": (6, 13, 9, 1, 2),
    "difficulty_gov_relations": (8, 9, 12, 2, 0),
    "difficulty_obligations": (2, 12, 15, 1, 1),
    "difficulty_team_management": (6, 13, 9, 3, 0),
    "difficulty_team_communication": (8, 10, 13, 0, 0),
}
DIFFICULTY_LEVELS = ("easier", "same", "harder", "no_problem", "difficult_to_answer")
TABLE3_PINS = {
    "difficulty_team_communication": {16: "harder", 26: "harder", 13: "same"},
    "difficulty_obligations": {27: "harder", 26: "harder"},
    "difficulty_gov_relations": {6: "harder", 13: "harder", 25: "harder", 26: "harder"},
    "difficulty_fundraising": {15: "easier", 26: "easier"},
}

# Table 4: six items on the full scale; the report collapses it to
# disagree (strongly+rather) / neither / agree (rather+strongly) / undecided.
AGREE_LEVELS = (
    "strongly_disagree",
    "rather_disagree",
    "neither",
    "rather_agree",
    "strongly_agree",
    "undecided",
)
TABLE4 = {
    "society_engagement": (1, 4, 8, 10, 8, 0),
    "society_potential": (2, 5, 9, 9, 6, 0),
    "society_social_capital": (2, 5, 9, 8, 6, 1),
    "society_known_orgs": (1, 6, 12, 7, 4, 1),
    "society_new_movements": (3, 4, 9, 9, 5, 1),
    "society_party_influence": (4, 8, 10, 5, 2, 2),
}
TABLE4_COLLAPSED = {  # as printed: disagree, neither, agree, undecided
    "society_engagement": (5, 8, 18, 0),
    "society_potential": (7, 9, 15, 0),
    "society_social_capital": (7, 9, 14, 1),
    "society_known_orgs": (7, 12, 11, 1),
    "society_new_movements": (7, 9, 14, 1),
    "society_party_influence": (12, 10, 7, 2),
}

SPHERES = {  # Figure 2: 58%, 42%, 36%, 13% printed; the rest below 13%
    "human_rights": 18,
    "women": 13,
    "vulnerable": 11,
    "lgbtq": 4,
    "elections": 3,
    "environment": 3,
    "media": 3,
    "youth": 3,
    "anticorruption": 2,
    "health": 2,
    "urban": 2,
}
SPHERES_OTHER = {22: "Защита животных", 28: "Культура и искусство"}
SPHERES_PINS = {
    6: {"human_rights", "women"},
    13: {"media"},
    15: {"vulnerable", "human_rights"},
    16: {"youth"},
    25: {"human_rights", "elections"},
    26: {"human_rights", "elections"},
    3: {"elections"},
    27: {"anticorruption"},
}

NEW_AREAS = {  # Figure 3, all printed
    "hr_monitoring": 15,
    "legal_help": 14,
    "covid_info": 14,
    "gov_overreach": 13,
    "hospital_ppe": 4,
    "groceries": 3,
    "ppe_fundraising": 1,
    "sanitizing": 1,
    "day_hospitals": 1,
}

DIFFICULTIES = {  # burnout 55%, the most common
    "burnout": 17,
    "fear_infection": 13,
    "anxiety_close": 12,
    "work_life": 11,
    "illness": 8,
    "income_loss": 7,
    "isolation": 6,
    "none": 3,
}
# The interviewees said they did not burn out themselves (only their colleagues did).
BURNOUT_PINS = {16, 19, 29, 8, 2}

COPING = {  # counseling 29%, family 16%; colleagues' support not quantified
    "counseling": 9,
    "family": 5,
    "colleagues": 8,
    "rest": 6,
    "sport": 6,
    "workload": 4,
    "no_burnout": 6,
}
COPING_PINS = {
    16: {"counseling"},
    19: {"counseling"},
    26: {"colleagues", "counseling"},
    13: {"colleagues"},
}  # 26 and 13: group sessions and Zoom tea parties

LIFTING = {"easier": 14, "same": 10, "harder": 3, "difficult_to_answer": 4}  # 45%

# Figure 5: 38% average and 41% below average fit no count out of 31 or 30; the
# largest base that fits is 29 (11/29 = 37.9%, 12/29 = 41.4%): two respondents skipped.
COMMUNICATION_SKIPPED = {14, 22}
COMMUNICATION = {
    "very_low": 3,
    "below_average": 12,
    "average": 11,
    "above_average": 2,
    "very_high": 1,
}
COMMUNICATION_PINS = {6: "below_average", 13: "below_average", 25: "very_low"}

# Figure 9: 67% fits no count out of 31 (21/31 = 67.7% prints 68%); 20/30 = 66.7% does.
PERCEPTION_SKIPPED = {30}
PERCEPTION = {"better": 20, "no_change": 6, "worse": 2, "difficult_to_answer": 2}
PERCEPTION_PINS = {25: "better"}

# Figure 7: everybody used digital tools during the pandemic; two did not before.
NO_TOOLS_BEFORE = {14, 30}
PLATFORMS_BEFORE = {
    "whatsapp": 25,
    "telegram": 7,
    "instagram": 22,
    "facebook": 21,
    "youtube": 5,
    "zoom": 6,
    "teams": 1,
    "google_meet": 2,
    "skype": 9,
    "vk": 3,
    "tiktok": 0,
    "twitter": 3,
    "none": 2,
}
PLATFORMS_DURING = {
    "whatsapp": 28,
    "telegram": 19,
    "instagram": 26,
    "facebook": 23,
    "youtube": 14,
    "zoom": 29,
    "teams": 9,
    "google_meet": 7,
    "skype": 5,
    "vk": 3,
    "tiktok": 2,
    "twitter": 4,
    "none": 0,
}
ZOOM_USERS = INTERVIEWEES
HELPFUL = {
    "instagram": 11,
    "telegram": 7,
    "whatsapp": 5,
    "facebook": 4,
    "zoom": 3,
    "youtube": 1,
}  # Figure 8: Instagram first, Telegram second

SHARE = {"already": 9, "will": 15, "no": 7}

# ---------------------------------------------------------------------------
# open answers: the Russian originals of the report's "survey quote" passages,
# under the question each fits (verbatim from the report), plus a few short
# invented answers from respondents the report does not quote (marked INVENTED).
# ---------------------------------------------------------------------------

QUOTES = {
    "gov_relations_text": {
        2: "У власти выборочные активисты им удобные, мы, люди с активной гражданской "
        "позицией, с трудом выходим на диалог с властью, в соцсетях созданы фабрики "
        "троллей для давления на активистов.",
        3: "Наличие ПРОГосударственных НПО, получающих финансирование от государства, "
        "мешает другим независимым НПО, лишает финансирования, создает отдельное "
        "искусственное гражданское общество без учета мнения граждан или с искаженным "
        "представлением о проблемах общества.",
    },
    "challenges_text": {
        16: "Молодые люди стали еще более неустойчивыми как трудовой ресурс: вне "
        "зависимости от загруженности, даже если она составляет два часа в день, многие "
        "находятся в состоянии перманентного эмоционального упадка. Многие склонны "
        "переносить на рабочую территорию личные проблемы и расшатывать своим "
        "эмоциональным состоянием всю команду, несмотря на то, что организация "
        "старалась помогать в решении таких проблем.",
        26: "Лично для меня на первом этапе пандемии сложность работы заключалась в отмене "
        "всех [офлайн] мероприятий, и как следствие стало необходимо осуществлять возврат "
        "ранее оплаченных сумм, гостиницам, железнодорожным и авиаперевозчикам и прочим "
        "контрагентам. В течении порядка 8 месяцев мне удалось путем кропотливого труда "
        "и бесконечной переписки/-созвонов вернуть порядка 99% ранее оплаченных денежных "
        "средств.",
    },
    "online_work_text": {
        8: "НПО, где было большое количество людей (50+), мне кажется, столкнулись с "
        "проблемами... А те организации, которые и до пандемии пользовались широким "
        "спектром онлайн-инструментов, смогли не только продолжить, но и расширить работу.",
        16: "Внутренняя коммуникация между членами команды осложнилась тем, что команда все "
        "время видела друг друга онлайн, и некоторые члены команды могли додумывать или "
        "интерпретировать текстовые сообщения в негативную тональность, хотя их авторы "
        "не вкладывали таких смыслов. Без невербальной коммуникации уровень "
        "напряженности в команде вырос. "
        "Офлайн дает полное вовлечение – и для молодежи это ключевой фактор обучения, "
        "вместе с нетворкингом, который она получает. Онлайн же – больше для взрослой и "
        "профессиональной аудитории, это работает для платных программ, где участникам "
        "нужна информация – и в любом виде, хоть офлайн, хоть онлайн.",
        27: "Не все партнеры, стейкхолдеры владеют достаточными навыками работы онлайн.",
    },
    "coping_text": {
        16: "Мы нанимали психолога для индивидуальной работы с сотрудниками, проводили "
        "командные тренинги и тимбилдинги, прописывали новые процедуры обратной связи.",
        19: "Тесная работа с психологом, так как в период пандемии нахлынула волна апатии.",
        26: "Стало труднее организовывать мероприятия в режиме онлайн (так как большинство "
        "наших партнеров испытывали стресс). Для этого мы организовывали еженедельные "
        "звонки, устраивали вечера совместного онлайн-просмотра фильмов, концертов и "
        "прочего. На созвонах говорили о важности общения.",
    },
    "overcoming_text": {
        16: "Мы старались проводить все мероприятия офлайн в 2021 год, лавируя между "
        "карантинами – и количество участников увеличилось в два раза по сравнению с "
        "докарантинными временами.",
        29: "Активизм стал цифровым, но участие активистов в диалоговых площадках, рабочих "
        "группах, митингов значительно уменьшилось. Цифровые технологии помогли "
        "активистам преодолеть географический барьер в получении информации, обучении.",
    },
    "digital_role_text": {
        26: "Цифровые технологии и до пандемии играли ключевую роль в работе гражданских "
        "активистов. По существу социальные сети и до пандемии, и тем более сейчас "
        "являются практически единственным инструментом с помощью которого можно "
        "«пробить» информационную блокаду при получении сколько-нибудь убедительной "
        "информации по вопросам соблюдения прав человека, соблюдения законности, важных "
        "общественно-политических проектов. В общем, цифровые технологии в условиях "
        "современного авторитаризма в Казахстане – это наше все!",
    },
}

INVENTED = {
    "challenges_text": {
        5: "Сложно было перестроиться на онлайн-формат, часть мероприятий пришлось отменить.",
        9: "Любые собрания запрещали под предлогом карантина, людей было трудно собрать.",
    },
    "gov_relations_text": {
        11: "Государственные органы редко отвечают на наши обращения по существу.",
        21: "Акимат отказывает в согласовании мирных собраний, ссылаясь на санитарные нормы.",
    },
    "coping_text": {
        20: "Созванивались по пятницам просто поговорить, старались не работать по выходным.",
    },
    "online_work_text": {
        12: "Перешли на Zoom и Telegram, но с пожилыми участниками онлайн работать трудно.",
    },
    "overcoming_text": {
        24: "Перенесли часть проектов на осень и договорились с донором о продлении сроков.",
    },
    "digital_role_text": {
        31: "Без социальных сетей о нашей работе почти никто бы не узнал.",
    },
}

# ---------------------------------------------------------------------------
# made-up contacts (reserved example domains, fictional +7 (700) 000-xx-xx numbers)
# ---------------------------------------------------------------------------

SNOWBALL = {
    1: "ngo.demo.01@example.org",
    3: "@activist_demo_3, observers.demo@example.org",
    4: "+7 (700) 000-04-11",
    6: "womenrights.demo@example.org, +7 (700) 000-06-21",
    8: "@activist_demo_8",
    10: "eco.demo.10@example.com",
    13: "media.school.demo@example.org, @activist_demo_13",
    16: "youth.demo.16@example.org",
    18: "+7 (700) 000-18-35, @activist_demo_18",
    20: "ngo.demo.20@example.com",
    24: "@activist_demo_24",
    26: "watch.demo.26@example.org, +7 (700) 000-26-47",
    29: "ngo.demo.29@example.org",
}


def interview_contact(r: int) -> str:
    if r % 3 == 0:
        return f"@respondent_demo_{r}"
    if r % 3 == 1:
        return f"respondent.demo.{r:02d}@example.com"
    return f"+7 (700) 000-{r:02d}-{(r * 7) % 100:02d}"


# ---------------------------------------------------------------------------
# allocation helpers (deterministic)
# ---------------------------------------------------------------------------


def shuffled(items, salt: str) -> list:
    items = sorted(items)
    random.Random(f"{SEED}-{salt}").shuffle(items)
    return items


def allocate_single(counts: dict, pins: dict, respondents, salt: str) -> dict:
    """Give each respondent one key so that key k goes to exactly counts[k] people."""
    result = dict(pins)
    remaining = Counter(counts)
    remaining.subtract(Counter(pins.values()))
    assert all(v >= 0 for v in remaining.values()), (salt, remaining)
    pool = [r for r in shuffled(respondents, salt) if r not in pins]
    assert len(pool) == sum(remaining.values()), (salt, len(pool), remaining)
    it = iter(pool)
    for key in counts:
        for _ in range(remaining[key]):
            result[next(it)] = key
    return result


def allocate_multi(
    counts: dict,
    respondents,
    salt: str,
    pins=None,
    forbid=None,
    exclusive=(),
    spread=(0, 0, 1, 1, 2),
) -> dict:
    """Give each respondent a set of options, option o chosen by exactly counts[o].

    Options go, largest first, to the respondents who hold the fewest so far (minus a
    seeded per-respondent appetite, so set sizes vary a little). `forbid[o]` lists who
    may not pick o; an `exclusive` option is picked alone.
    """
    pins = pins or {}
    forbid = forbid or {}
    sel = {r: set(pins.get(r, ())) for r in respondents}
    rng = random.Random(f"{SEED}-{salt}-appetite")
    appetite = {r: rng.choice(spread) for r in sorted(respondents)}
    rank = {r: i for i, r in enumerate(shuffled(respondents, salt))}
    order = sorted(counts, key=lambda o: (o not in exclusive, -counts[o]))
    for o in order:
        need = counts[o] - sum(o in s for s in sel.values())
        assert need >= 0, (salt, o)
        cands = [
            r
            for r in respondents
            if o not in sel[r]
            and r not in forbid.get(o, ())
            and not (sel[r] & set(exclusive))
            and not (o in exclusive and sel[r])
        ]
        # Nobody is left without an answer (the questions are required).
        cands.sort(key=lambda r: (bool(sel[r]), len(sel[r]) - appetite[r], rank[r]))
        assert len(cands) >= need, (salt, o, need, len(cands))
        for r in cands[:need]:
            sel[r].add(o)
    assert all(sel.values()), (salt, [r for r, s in sel.items() if not s])
    return sel


def count_multi(sel: dict) -> Counter:
    return Counter(o for s in sel.values() for o in s)


# ---------------------------------------------------------------------------
# build the answers (by choice name) and check every target
# ---------------------------------------------------------------------------


def build() -> dict[int, dict]:
    A: dict[int, dict] = {r: {} for r in RESP}

    for r in RESP:
        A[r]["respondent_type"] = "independent" if r in INDEPENDENT else "cso"
        political = r in CSO_POLITICAL or r in INDEPENDENT_POLITICAL
        A[r]["political"] = "political" if political else "non_political"
        A[r]["year_founded"] = YEAR[r]
        A[r]["team_size"] = TEAM_SIZE[r]
        A[r]["regions"] = set(REGIONS[r])

    spheres = allocate_multi(SPHERES, RESP, "spheres", pins=SPHERES_PINS, spread=(0, 0, 0, 1))
    for r in RESP:
        A[r]["spheres"] = spheres[r]
        A[r]["spheres_other"] = SPHERES_OTHER.get(r)

    t2 = allocate_single(TABLE2, TABLE2_PINS, RESP, "table2")
    for r in RESP:
        A[r]["adaptation"], A[r]["effectiveness_change"] = t2[r]

    for item, counts in TABLE3.items():
        got = allocate_single(
            dict(zip(DIFFICULTY_LEVELS, counts, strict=True)), TABLE3_PINS.get(item, {}), RESP, item
        )
        for r in RESP:
            A[r][item] = got[r]

    new_areas = allocate_multi(NEW_AREAS, RESP, "new_areas")
    difficulties = allocate_multi(
        DIFFICULTIES,
        RESP,
        "difficulties",
        pins={r: {"burnout"} for r in BURNOUT_PINS},
        forbid={"burnout": INTERVIEWEES},
        exclusive=("none",),
    )
    burnt_out = {r for r in RESP if "burnout" in difficulties[r]}
    # Who had no particular difficulties did not burn out either.
    coping_pins = dict(COPING_PINS)
    coping_pins.update({r: {"no_burnout"} for r in RESP if "none" in difficulties[r]})
    coping = allocate_multi(
        COPING,
        RESP,
        "coping",
        pins=coping_pins,
        forbid={"no_burnout": burnt_out},
        exclusive=("no_burnout",),
    )
    lifting = allocate_single(LIFTING, {}, RESP, "lifting")
    for r in RESP:
        A[r]["new_areas"] = new_areas[r]
        A[r]["pandemic_difficulties"] = difficulties[r]
        A[r]["coping"] = coping[r]
        A[r]["lifting_emergency"] = lifting[r]

    before = allocate_multi(
        PLATFORMS_BEFORE,
        RESP,
        "before",
        pins={r: {"none"} for r in NO_TOOLS_BEFORE},
        forbid={"none": set(RESP) - NO_TOOLS_BEFORE},
        exclusive=("none",),
    )
    # The most helpful tool goes first to those who already used it before.
    helpful, rank = {}, {r: i for i, r in enumerate(shuffled(RESP, "helpful"))}
    for o, k in HELPFUL.items():
        cands = sorted(
            (r for r in RESP if r not in helpful), key=lambda r: (o not in before[r], rank[r])
        )
        for r in cands[:k]:
            helpful[r] = o
    # During the pandemic people mostly kept what they used before (Skype is the one
    # tool that lost users) and added the ones they found most helpful.
    during_pins = {}
    for r in RESP:
        keep = before[r] - {"none", "skype"}
        during_pins[r] = keep | {helpful[r]}
    for r in ZOOM_USERS:  # the interviewees describe their work on Zoom
        during_pins[r].add("zoom")
    skype_before = shuffled([r for r in RESP if "skype" in before[r]], "skype")
    for r in skype_before[: PLATFORMS_DURING["skype"]]:
        during_pins[r].add("skype")
    during = allocate_multi(
        PLATFORMS_DURING,
        RESP,
        "during",
        pins=during_pins,
        forbid={"none": set(RESP)},
        exclusive=("none",),
    )
    for r in RESP:
        A[r]["platforms_before"] = before[r]
        A[r]["platforms_during"] = during[r]
        A[r]["helpful_platform"] = helpful[r]

    t1 = allocate_single(TABLE1, TABLE1_PINS, RESP, "table1")
    comm = allocate_single(
        COMMUNICATION,
        COMMUNICATION_PINS,
        [r for r in RESP if r not in COMMUNICATION_SKIPPED],
        "communication",
    )
    perc = allocate_single(
        PERCEPTION, PERCEPTION_PINS, [r for r in RESP if r not in PERCEPTION_SKIPPED], "perception"
    )
    for r in RESP:
        A[r]["gov_partnership_importance"], A[r]["gov_experience_before"] = t1[r]
        A[r]["gov_communication"] = comm.get(r)
        A[r]["perception_change"] = perc.get(r)

    for item, counts in TABLE4.items():
        got = allocate_single(dict(zip(AGREE_LEVELS, counts, strict=True)), {}, RESP, item)
        for r in RESP:
            A[r][item] = got[r]

    share = allocate_single(SHARE, {}, RESP, "share")
    for r in RESP:
        A[r]["share_survey"] = share[r]
        A[r]["snowball_contacts"] = SNOWBALL.get(r)
        A[r]["interview_consent"] = "yes" if r in CONSENT_YES else "no"
        A[r]["interview_contact"] = interview_contact(r) if r in CONSENT_YES else None

    for source in (QUOTES, INVENTED):
        for question, answers in source.items():
            for r, text in answers.items():
                assert question not in A[r] or A[r][question] is None, (question, r)
                A[r][question] = text
    return A


def pct(count: int, base: int = N) -> float:
    return 100 * count / base


def printed(count: int, base: int = N) -> int:
    """The whole percent the report prints for count/base.

    The report rounds twice, half up: first to one decimal, then to a whole number.
    That is the only rule that fits every printed figure: 11/31 = 35.48% is printed
    both as "35.5%" (effectiveness) and as "36%" (vulnerable groups, Figure 2).
    """
    p = Decimal(100 * count) / Decimal(base)
    p1 = p.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return int(p1.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def check(A: dict[int, dict]) -> None:
    def single(q, rs=RESP):
        return Counter(A[r][q] for r in rs if A[r].get(q) is not None)

    def multi(q):
        return Counter(o for r in RESP for o in A[r][q])

    # who is who
    assert len(INDEPENDENT) == 7 and len(CSO_POLITICAL) == 6 and len(CSO_NON_POLITICAL) == 18
    assert {2, 25} <= INDEPENDENT
    assert {3, 26, 27} <= CSO_POLITICAL
    assert {6, 8, 13, 15, 16, 19, 29} <= CSO_NON_POLITICAL
    assert INTERVIEWEES <= CONSENT_YES
    # interview selection criteria: CSO and independent, political and not, city and region
    big_cities = {"KZ-ALA", "KZ-AST", "KZ-SHY", "national"}
    assert any(not set(REGIONS[r]) & big_cities for r in INTERVIEWEES)
    assert {A[r]["respondent_type"] for r in INTERVIEWEES} == {"cso", "independent"}
    assert {A[r]["political"] for r in INTERVIEWEES} == {"political", "non_political"}

    # Figure 1: mostly Almaty and Nur-Sultan
    regions = multi("regions")
    top2 = [k for k, _ in regions.most_common(2)]
    assert set(top2) == {"KZ-ALA", "KZ-AST"}, regions
    assert regions.most_common(3)[2][1] < regions["KZ-AST"]

    # Figure 2
    sp = multi("spheres")
    assert sp == Counter(SPHERES), sp
    assert [printed(sp[k]) for k in ("human_rights", "women", "vulnerable", "lgbtq")] == [
        58,
        42,
        36,
        13,
    ]
    assert all(
        v < 4 for k, v in sp.items() if k not in ("human_rights", "women", "vulnerable", "lgbtq")
    )
    several = sum(1 for r in RESP if len(A[r]["spheres"]) + bool(A[r]["spheres_other"]) >= 2)
    assert several >= 26, several  # "the overwhelming majority ... several directions"

    # Table 1
    t1 = Counter((A[r]["gov_partnership_importance"], A[r]["gov_experience_before"]) for r in RESP)
    assert t1 == Counter(TABLE1), t1
    # Table 2 and the text around it
    t2 = Counter((A[r]["adaptation"], A[r]["effectiveness_change"]) for r in RESP)
    assert t2 == Counter(TABLE2), t2
    ad = single("adaptation")
    assert printed(ad["fully"]) == 77 and printed(ad["partly"]) == 19
    eff = single("effectiveness_change")
    assert printed(eff["no_change"]) == 29
    assert f"{pct(eff['little_more'] + eff['much_more']):.1f}" == "35.5"
    # Table 3 and the text
    for item, counts in TABLE3.items():
        c = single(item)
        assert tuple(c[k] for k in DIFFICULTY_LEVELS) == counts, (item, c)
    harder = {k: single(k)["harder"] for k in TABLE3}
    assert printed(harder["difficulty_obligations"]) == 48
    assert printed(harder["difficulty_team_communication"]) == 42
    assert printed(harder["difficulty_gov_relations"]) == 39
    assert printed(single("difficulty_team_communication")["easier"]) == 26
    assert printed(single("difficulty_gov_relations")["easier"]) == 26
    assert printed(harder["difficulty_fundraising"]) == 29
    assert printed(single("difficulty_fundraising")["easier"]) == 19
    # Figure 3
    na = multi("new_areas")
    assert na == Counter(NEW_AREAS)
    assert [printed(na[k]) for k in NEW_AREAS] == [48, 45, 45, 42, 13, 10, 3, 3, 3]
    assert all(A[r]["new_areas"] for r in RESP)
    # Figure 5 (base 29)
    cm = single("gov_communication")
    assert sum(cm.values()) == 29
    assert printed(cm["average"], 29) == 38 and printed(cm["below_average"], 29) == 41
    # burnout 55%, the most common
    df = multi("pandemic_difficulties")
    assert df == Counter(DIFFICULTIES)
    assert printed(df["burnout"]) == 55 and df.most_common(1)[0][0] == "burnout"
    assert not any("burnout" in A[r]["pandemic_difficulties"] for r in INTERVIEWEES)
    # Figure 6
    assert printed(single("lifting_emergency")["easier"]) == 45
    # Figure 7
    assert all(A[r]["platforms_during"] and "none" not in A[r]["platforms_during"] for r in RESP)
    assert multi("platforms_before") == +Counter(PLATFORMS_BEFORE)
    assert multi("platforms_during") == +Counter(PLATFORMS_DURING)
    # Figure 8
    hp = single("helpful_platform").most_common()
    assert hp[0][0] == "instagram" and hp[1][0] == "telegram" and hp[1][1] > hp[2][1]
    assert all(A[r]["helpful_platform"] in A[r]["platforms_during"] for r in RESP)
    # coping
    co = multi("coping")
    assert co == Counter(COPING)
    assert printed(co["counseling"]) == 29 and printed(co["family"]) == 16
    # Figure 9 (base 30)
    pc = single("perception_change")
    assert sum(pc.values()) == 30 and printed(pc["better"], 30) == 67
    # Table 4
    for item, counts in TABLE4.items():
        c = single(item)
        assert tuple(c[k] for k in AGREE_LEVELS) == counts, (item, c)
        collapsed = (
            c["strongly_disagree"] + c["rather_disagree"],
            c["neither"],
            c["rather_agree"] + c["strongly_agree"],
            c["undecided"],
        )
        assert collapsed == TABLE4_COLLAPSED[item], item
    # contacts: at least 10 snowball rows; interviewees left a contact
    assert sum(1 for r in RESP if A[r]["snowball_contacts"]) >= 10
    assert all(A[r]["interview_contact"] for r in CONSENT_YES)
    for r in RESP:
        for k, v in A[r].items():
            if k in ("snowball_contacts", "interview_contact") or not isinstance(v, str):
                continue
            assert "@" not in v and "+7" not in v, (r, k)


# ---------------------------------------------------------------------------
# render as a Google Forms export
# ---------------------------------------------------------------------------


def read_form():
    wb = load_workbook(XLSX, read_only=True)
    rows = list(wb["survey"].iter_rows(values_only=True))
    head = rows[0]
    survey = [dict(zip(head, r, strict=True)) for r in rows[1:]]
    crow = list(wb["choices"].iter_rows(values_only=True))
    chead = crow[0]
    choices: dict[str, list[tuple[str, str]]] = {}
    for r in crow[1:]:
        d = dict(zip(chead, r, strict=True))
        choices.setdefault(d["list_name"], []).append((d["name"], d["label::Russian (ru)"]))
    fields = [s for s in survey if s["type"] not in ("begin_group", "end_group", "note")]
    return fields, choices


def timestamps() -> list[str]:
    rng = random.Random(f"{SEED}-time")
    t = dt.datetime(2021, 9, 20, 10, 23, 45)
    out = []
    for i in range(N):
        if i:
            t += dt.timedelta(seconds=rng.randint(1800, 100_000))
        out.append(t)
    assert out[-1] - out[0] <= dt.timedelta(days=21), out[-1]
    assert all(a < b for a, b in pairwise(out))
    return [x.strftime("%d.%m.%Y %H:%M:%S") for x in out]


def render(A: dict[int, dict]) -> list[list[str]]:
    fields, choices = read_form()
    header = ["Отметка времени"] + [f["label::Russian (ru)"] for f in fields]
    rows = [header]
    for r, stamp in zip(RESP, timestamps(), strict=True):
        row = [stamp]
        for f in fields:
            kind = f["type"].split()
            value = A[r].get(f["name"])
            if value is None or value == set():
                cell = ""
            elif kind[0] == "select_one":
                lab = dict(choices[kind[1]])
                cell = lab[value]
            elif kind[0] == "select_multiple":
                known = [name for name, _ in choices[kind[1]]]
                assert set(value) <= set(known), (f["name"], value)
                parts = [lab for name, lab in choices[kind[1]] if name in value]
                other = A[r].get(f["name"] + "_other")
                if other:
                    parts.append(other)
                cell = ", ".join(parts)
            else:
                cell = str(value)
            row.append(cell)
        rows.append(row)
    return rows


def main() -> None:
    A = build()
    check(A)
    rows = render(A)
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(rows)
    print(f"wrote {OUT} ({len(rows) - 1} rows, {len(rows[0])} columns)")


if __name__ == "__main__":
    main()
