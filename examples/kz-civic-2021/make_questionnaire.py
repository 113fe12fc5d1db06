"""Write questionnaire.xlsx, the XLSForm of the example study (kz-civic-2021).

The form rebuilds the online survey described in the reference report "The impact of
COVID-19 pandemic on civic activism in Kazakhstan" (PaperLab, 2022): 31 Google-Forms
questions in 5 sections, Russian with English translations. The two Likert grids
(Tables 3 and 4 of the report) count as one Google-Forms question each but are stored
as one XLSForm question per row, so the form has 41 answer fields.

Run:  python examples/kz-civic-2021/make_questionnaire.py
The output is byte-for-byte reproducible (fixed zip timestamps and document properties).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

HERE = Path(__file__).resolve().parent
OUT = HERE / "questionnaire.xlsx"

RU = "Russian (ru)"
EN = "English (en)"

SURVEY_COLUMNS = [
    "type",
    "name",
    f"label::{RU}",
    f"label::{EN}",
    f"hint::{RU}",
    f"hint::{EN}",
    "required",
    "relevant",
    "constraint",
    "appearance",
    "personal_data",
    "identifying",
]
CHOICES_COLUMNS = ["list_name", "name", f"label::{RU}", f"label::{EN}"]

MULTI_HINT = ("Выберите все подходящие варианты", "Select all that apply")


def q(
    type_,
    name,
    ru,
    en,
    *,
    required=True,
    hint=None,
    relevant="",
    constraint="",
    appearance="",
    personal=False,
    identifying=False,
):
    return {
        "type": type_,
        "name": name,
        f"label::{RU}": ru,
        f"label::{EN}": en,
        f"hint::{RU}": hint[0] if hint else "",
        f"hint::{EN}": hint[1] if hint else "",
        "required": "yes" if required else "",
        "relevant": relevant,
        "constraint": constraint,
        "appearance": appearance,
        "personal_data": "yes" if personal else "",
        # Together these single out a respondent (privacy/disclosure.py, docs/privacy.md).
        "identifying": "yes" if identifying else "",
    }


def begin(name, ru, en):
    return q("begin_group", name, ru, en, required=False)


def end(name):
    row = q("end_group", name, "", "", required=False)
    return row


# ---------------------------------------------------------------------------
# choices
# ---------------------------------------------------------------------------

# Regions: ISO 3166-2 letter codes and names copied from
# shared/data/kz_regions_2021.geojson (the 2018-2022 layout, valid for 2021),
# in that file's (KATO) order; `national` for work at the level of the whole country.
REGIONS = [
    ("KZ-AKM", "Акмолинская область", "Akmola Region"),
    ("KZ-AKT", "Актюбинская область", "Aktobe Region"),
    ("KZ-ALM", "Алматинская область", "Almaty Region"),
    ("KZ-ATY", "Атырауская область", "Atyrau Region"),
    ("KZ-ZAP", "Западно-Казахстанская область", "West Kazakhstan Region"),
    ("KZ-ZHA", "Жамбылская область", "Jambyl Region"),
    ("KZ-KAR", "Карагандинская область", "Karaganda Region"),
    ("KZ-KUS", "Костанайская область", "Kostanay Region"),
    ("KZ-KZY", "Кызылординская область", "Kyzylorda Region"),
    ("KZ-MAN", "Мангистауская область", "Mangystau Region"),
    ("KZ-PAV", "Павлодарская область", "Pavlodar Region"),
    ("KZ-SEV", "Северо-Казахстанская область", "North Kazakhstan Region"),
    ("KZ-YUZ", "Туркестанская область", "Turkistan Region"),
    ("KZ-VOS", "Восточно-Казахстанская область", "East Kazakhstan Region"),
    ("KZ-AST", "Нур-Султан", "Nur-Sultan"),
    ("KZ-ALA", "Алматы", "Almaty"),
    ("KZ-SHY", "Шымкент", "Shymkent"),
    ("national", "Вся страна (республиканский уровень)", "Whole country (national level)"),
]

PLATFORMS = [
    ("whatsapp", "WhatsApp", "WhatsApp"),
    ("telegram", "Telegram", "Telegram"),
    ("instagram", "Instagram", "Instagram"),
    ("facebook", "Facebook", "Facebook"),
    ("youtube", "YouTube", "YouTube"),
    ("zoom", "Zoom", "Zoom"),
    ("teams", "Microsoft Teams", "Microsoft Teams"),
    ("google_meet", "Google Meet", "Google Meet"),
    ("skype", "Skype", "Skype"),
    ("vk", "ВКонтакте", "VKontakte"),
    ("tiktok", "TikTok", "TikTok"),
    ("twitter", "Twitter", "Twitter"),
]

CHOICES: dict[str, list[tuple[str, str, str]]] = {
    "respondent_type": [
        ("cso", "Представитель(-ница) зарегистрированной НКО", "Representative of an CSO"),
        ("independent", "Независимый(-ая) активист(-ка)", "Independent activist"),
    ],
    "political": [
        ("political", "Да, политическая деятельность", "Pursuing political activities"),
        ("non_political", "Нет, неполитическая деятельность", "Pursuing non-political activities"),
    ],
    "team_size": [
        ("only_me", "Только я", "Only me"),
        ("size_2_5", "2–5 человек", "2–5 people"),
        ("size_6_10", "6–10 человек", "6–10 people"),
        ("size_11_50", "11–50 человек", "11–50 people"),
        ("size_50_plus", "Более 50 человек", "More than 50 people"),
    ],
    "regions": REGIONS,
    "spheres": [
        (
            "human_rights",
            "Защита прав человека, борьба с дискриминацией, юридическая помощь",
            "Defense of human rights, fighting discrimination, legal aid",
        ),
        ("women", "Защита прав и интересов женщин", "Protecting the rights and interests of women"),
        (
            "vulnerable",
            "Защита интересов уязвимых групп",
            "Advocacy of vulnerable groups' interests",
        ),
        ("lgbtq", "Защита прав ЛГБТК+", "Protection of LGBTQ rights"),
        ("elections", "Выборы и политическое участие", "Elections and political participation"),
        ("environment", "Экология", "Environment"),
        ("media", "СМИ и журналистика", "Media and journalism"),
        ("youth", "Молодежь и образование", "Youth and education"),
        ("anticorruption", "Противодействие коррупции", "Anti-corruption"),
        ("health", "Здравоохранение", "Health care"),
        ("urban", "Городская среда", "Urban environment"),
    ],
    "adaptation": [
        ("no", "Нет", "No"),
        ("partly", "Частично", "Partly"),
        ("fully", "Да, полностью", "Yes, fully"),
    ],
    "effectiveness": [
        ("much_less", "Мы стали намного менее эффективны", "We became a lot less effective"),
        ("little_less", "Мы стали немного менее эффективны", "We became a little less effective"),
        ("no_change", "Эффективность не изменилась", "Effectiveness did not change"),
        ("little_more", "Мы стали немного более эффективны", "We became a little more effective"),
        ("much_more", "Мы стали намного более эффективны", "We became a lot more effective"),
    ],
    "difficulty": [
        ("easier", "Стало легче", "Became easier"),
        ("same", "Осталось прежним", "Remained the same"),
        ("harder", "Стало сложнее", "Became more difficult"),
        ("no_problem", "Не было такой проблемы", "Did not have this problem"),
        ("difficult_to_answer", "Затрудняюсь ответить", "Difficult to answer"),
    ],
    "new_areas": [
        ("hr_monitoring", "Мониторинг соблюдения прав человека", "Monitoring of human rights"),
        ("legal_help", "Оказание юридической помощи", "Providing legal help"),
        (
            "covid_info",
            "Информирование и разъяснения о распространении коронавируса и мерах предосторожности",
            "Providing information and clarifications regarding the spread of coronavirus "
            "and precautionary measures",
        ),
        (
            "gov_overreach",
            "Противодействие необоснованному расширению полномочий государства во время пандемии",
            "Prevention of unjustified increase in government authority during the pandemic",
        ),
        (
            "hospital_ppe",
            "Помощь больницам в закупке СИЗ и медицинского оборудования",
            "Helping hospitals procure personal protective equipment (PPE) and medical equipment",
        ),
        (
            "groceries",
            "Обеспечение продуктами пожилых людей и малообеспеченных семей",
            "Providing groceries to senior citizens and low-income families",
        ),
        (
            "ppe_fundraising",
            "Сбор средств на покупку СИЗ для медперсонала и медицинского оборудования",
            "Collecting funds to purchase PPE for medical personnel and medical equipment",
        ),
        (
            "sanitizing",
            "Бесплатное предоставление оборудования для дезинфекции помещений НКО и инициативным группам",
            "Providing free equipment for sanitizing the premises among the CSOs and initiative groups",
        ),
        (
            "day_hospitals",
            "Организация дневных стационаров для пациентов с COVID-19",
            "Organizing daytime hospitals for COVID-19 positive patients",
        ),
    ],
    "pandemic_difficulties": [
        ("burnout", "Эмоциональное выгорание", "Emotional burnout"),
        ("fear_infection", "Страх заразиться COVID-19", "Fear of catching COVID-19"),
        ("anxiety_close", "Тревога за близких и коллег", "Anxiety for family and colleagues"),
        (
            "work_life",
            "Трудно совмещать работу и личную жизнь на удаленке",
            "Difficulty balancing work and personal life while working remotely",
        ),
        ("illness", "Болезнь (своя или членов команды)", "Illness (own or of team members)"),
        ("income_loss", "Потеря дохода", "Loss of income"),
        ("isolation", "Одиночество и изоляция", "Loneliness and isolation"),
        ("none", "Особых трудностей не было", "No particular difficulties"),
    ],
    "coping": [
        ("counseling", "Консультации психолога", "Counseling (sessions with a psychologist)"),
        ("family", "Больше времени с семьей", "Spending more time with family"),
        ("colleagues", "Моральная поддержка коллег", "Moral support from colleagues"),
        ("rest", "Отдых, отпуск", "Rest, vacation"),
        ("sport", "Спорт и хобби", "Sport and hobbies"),
        ("workload", "Сокращение рабочей нагрузки", "Reducing the workload"),
        ("no_burnout", "Не сталкивался(-ась) с выгоранием", "Did not experience burnout"),
    ],
    "lifting": [
        ("easier", "Работать стало легче", "Work became less difficult"),
        ("same", "Ничего не изменилось", "Nothing changed"),
        ("harder", "Работать стало сложнее", "Work became more difficult"),
        ("difficult_to_answer", "Затрудняюсь ответить", "Difficult to answer"),
    ],
    "platforms": PLATFORMS
    + [
        ("none", "Не использовали цифровые инструменты", "Did not use digital tools"),
    ],
    "helpful_platform": PLATFORMS,
    "importance": [
        ("difficult_to_answer", "Затрудняюсь ответить", "Difficult to answer"),
        ("rather_unimportant", "Скорее неважно, чем важно", "More unimportant than important"),
        ("rather_important", "Скорее важно, чем неважно", "More important than unimportant"),
        ("very_important", "Очень важно", "Very important"),
    ],
    "gov_experience": [
        ("no", "Нет, такого опыта не было", "No, we did not have such experience"),
        (
            "yes",
            "Да, у нас было партнерство/сотрудничество",
            "Yes, we had a partnership/collaboration",
        ),
    ],
    "communication": [
        ("very_low", "Очень низкая", "Very low"),
        ("below_average", "Ниже среднего", "Below average"),
        ("average", "Средняя", "Average"),
        ("above_average", "Выше среднего", "Above average"),
        ("very_high", "Очень высокая", "Very high"),
    ],
    "perception": [
        ("better", "Изменилось в лучшую сторону", "Changed for the better"),
        ("no_change", "Не изменилось", "Did not change"),
        ("worse", "Изменилось в худшую сторону", "Changed for the worse"),
        ("difficult_to_answer", "Затрудняюсь ответить", "Difficult to answer"),
    ],
    "agree5": [
        ("strongly_disagree", "Полностью не согласен(-на)", "Strongly disagree"),
        ("rather_disagree", "Скорее не согласен(-на)", "Rather disagree"),
        ("neither", "Ни согласен(-на), ни не согласен(-на)", "Neither agree nor disagree"),
        ("rather_agree", "Скорее согласен(-на)", "Rather agree"),
        ("strongly_agree", "Полностью согласен(-на)", "Strongly agree"),
        ("undecided", "Затрудняюсь ответить", "Undecided"),
    ],
    "share": [
        ("already", "Да, уже поделился(-ась)", "Yes, I have already shared it"),
        ("will", "Да, поделюсь", "Yes, I will share it"),
        ("no", "Нет", "No"),
    ],
    "yes_no": [
        ("yes", "Да", "Yes"),
        ("no", "Нет", "No"),
    ],
}

# Table 3 rows (English = the report's row text).
DIFFICULTY_ITEMS = [
    ("difficulty_services", "Непрерывное оказание услуг", "Providing continuous services"),
    ("difficulty_fundraising", "Сбор средств", "Fundraising"),
    (
        "difficulty_gov_relations",
        "Выстраивание отношений с государственными органами",
        "Building relations with the government authorities",
    ),
    (
        "difficulty_obligations",
        "Выполнение рабочих обязательств в срок",
        "Finishing work obligations on schedule",
    ),
    ("difficulty_team_management", "Управление командой", "Team management"),
    (
        "difficulty_team_communication",
        "Выстраивание коммуникации внутри команды",
        "Building communications within team",
    ),
]

# Table 4 rows (English = the report's row text).
SOCIETY_ITEMS = [
    (
        "society_engagement",
        "Вспышка COVID-19 повысила гражданскую вовлеченность людей",
        "The COVID-19 outbreak has boosted people's civic engagement",
    ),
    (
        "society_potential",
        "Вспышка COVID-19 показала людям их потенциал и силу",
        "The COVID-19 outbreak showed people their potential and power",
    ),
    (
        "society_social_capital",
        "Пандемия увеличила то, что называют «социальным капиталом» общества, – "
        "человеческие связи, солидарность, взаимное доверие",
        'The pandemic has increased what is defined as "social capital" in society – '
        "human bonds, solidarity, mutual trust",
    ),
    (
        "society_known_orgs",
        "Ряд общественных организаций и лидеров успешно проявили себя и стали более "
        "известны обществу во время пандемии",
        "A number of community organizations and leaders successfully emerged and became "
        "better known to the community during the pandemic",
    ),
    (
        "society_new_movements",
        "Во время пандемии появились новые общественные движения, организации и лидеры",
        "New social movements, organizations and leaders emerged during the pandemic",
    ),
    (
        "society_party_influence",
        "Вспышка COVID-19 существенно изменила влияние партийно-политических структур "
        "и независимых структур гражданского общества",
        "The COVID-19 outbreak significantly changed the influence of party-political "
        "structures and independent civil society structures",
    ),
]

OPEN = ("Ответ в свободной форме", "Free answer")

# ---------------------------------------------------------------------------
# survey
# ---------------------------------------------------------------------------

SURVEY = [
    begin("general", "Общая информация", "General information"),
    q(
        "select_one respondent_type",
        "respondent_type",
        "Вы представляете зарегистрированную некоммерческую организацию (НКО) или являетесь "
        "независимым активистом?",
        "Do you represent a registered civil society organization (CSO) or are you an "
        "independent activist?",
        identifying=True,
    ),
    q(
        "select_one political",
        "political",
        "Носит ли ваша деятельность политический характер?",
        "Does your work pursue political activities?",
        identifying=True,
    ),
    q(
        "integer",
        "year_founded",
        "В каком году была основана ваша организация? (Если вы независимый активист – "
        "в каком году вы начали активистскую деятельность?)",
        "In what year was your organization founded? (Independent activists: in what year "
        "did you start your civic activism?)",
        constraint=". >= 1960 and . <= 2021",
    ),
    q(
        "select_one team_size",
        "team_size",
        "Сколько человек работает в вашей организации или инициативе (включая вас)?",
        "How many people work in your organization or initiative (including you)?",
        identifying=True,
    ),
    q(
        "select_multiple regions",
        "regions",
        "В каких регионах Казахстана вы ведете деятельность?",
        "In which regions of Kazakhstan are you active?",
        hint=MULTI_HINT,
        identifying=True,
    ),
    q(
        "select_multiple spheres or_other",
        "spheres",
        "В каких сферах вы работаете?",
        "In which spheres do you work?",
        hint=MULTI_HINT,
    ),
    end("general"),
    begin("pandemic", "Трудности в работе во время пандемии", "Challenges during the pandemic"),
    q(
        "select_one adaptation",
        "adaptation",
        "Удалось ли вам адаптировать свои действующие проекты для реализации в условиях пандемии?",
        "Were you able to adapt your active projects for implementation under the pandemic "
        "conditions?",
    ),
    q(
        "select_one effectiveness",
        "effectiveness_change",
        "Насколько эффективной стала работа вашей организации в условиях пандемии?",
        "How effective the work of your organization has become under the pandemic conditions?",
    ),
    q(
        "note",
        "difficulty_intro",
        "Оцените, какие аспекты вашей работы стали сложнее, остались прежними или стали легче "
        "из-за пандемии",
        "Please evaluate which aspects of your work became more difficult, remained the same "
        "or became easier because of the pandemic",
        required=False,
    ),
    *[q("select_one difficulty", name, ru, en) for name, ru, en in DIFFICULTY_ITEMS],
    q(
        "text",
        "challenges_text",
        "Опишите, пожалуйста, с какими трудностями в работе вы столкнулись во время пандемии",
        "Please describe the difficulties you faced in your work during the pandemic",
        required=False,
        hint=OPEN,
    ),
    q(
        "select_multiple new_areas",
        "new_areas",
        "Какие новые направления вы включили в свою работу во время пандемии?",
        "Which new areas did you add to your work during the pandemic?",
        hint=MULTI_HINT,
    ),
    q(
        "select_multiple pandemic_difficulties",
        "pandemic_difficulties",
        "С какими трудностями, связанными со здоровьем и самочувствием, вы столкнулись "
        "во время пандемии?",
        "Which difficulties related to your health and well-being did you face during the "
        "pandemic?",
        hint=MULTI_HINT,
        constraint="not(selected(., 'none') and count-selected(.) > 1)",
    ),
    q(
        "select_multiple coping",
        "coping",
        "Что помогало вам справляться с эмоциональным выгоранием и стрессом?",
        "What helped you cope with emotional burnout and stress?",
        hint=MULTI_HINT,
        constraint="not(selected(., 'no_burnout') and count-selected(.) > 1)",
    ),
    q(
        "text",
        "coping_text",
        "Расскажите, как вы и ваша команда поддерживали друг друга во время пандемии",
        "Please tell us how you and your team supported each other during the pandemic",
        required=False,
        hint=OPEN,
    ),
    q(
        "select_one lifting",
        "lifting_emergency",
        "Как изменилась ваша работа после отмены режима чрезвычайного положения?",
        "How did your work change after the state of emergency was lifted?",
    ),
    q(
        "text",
        "overcoming_text",
        "Что помогло вам продолжить работу в условиях пандемии?",
        "What helped you keep working under the pandemic conditions?",
        required=False,
        hint=OPEN,
    ),
    end("pandemic"),
    begin("digital", "Цифровые инструменты", "Digital tools"),
    q(
        "select_multiple platforms",
        "platforms_before",
        "Какими социальными сетями и приложениями вы пользовались в работе до пандемии?",
        "Which social networks and applications did you use for work before the pandemic?",
        hint=MULTI_HINT,
        constraint="not(selected(., 'none') and count-selected(.) > 1)",
    ),
    q(
        "select_multiple platforms",
        "platforms_during",
        "Какими социальными сетями и приложениями вы пользовались в работе во время пандемии?",
        "Which social networks and applications did you use for work during the pandemic?",
        hint=MULTI_HINT,
        constraint="not(selected(., 'none') and count-selected(.) > 1)",
    ),
    q(
        "select_one helpful_platform",
        "helpful_platform",
        "Какая социальная сеть или приложение больше всего помогали вам в работе во время "
        "пандемии?",
        "Which social network or application helped your work the most during the pandemic?",
    ),
    q(
        "text",
        "online_work_text",
        "Как переход в онлайн-режим повлиял на работу вашей организации или инициативы?",
        "How did the move online affect the work of your organization or initiative?",
        required=False,
        hint=OPEN,
    ),
    q(
        "text",
        "digital_role_text",
        "Какую роль цифровые технологии и социальные сети играют в вашей работе?",
        "What role do digital technologies and social networks play in your work?",
        required=False,
        hint=OPEN,
    ),
    end("digital"),
    begin(
        "government_society",
        "Активисты, государство и общество",
        "Activists, government and society",
    ),
    q(
        "select_one importance",
        "gov_partnership_importance",
        "Насколько для реализации вашей деятельности важно партнерство/сотрудничество "
        "с государством?",
        "How important is it for the realization of your activities to have "
        "partnership/collaboration with the government?",
    ),
    q(
        "select_one gov_experience",
        "gov_experience_before",
        "Был ли у вас или вашей организации опыт работы с государственными органами до пандемии?",
        "Did you or your organization have experience working with government agencies prior "
        "to the pandemic?",
    ),
    # Not required: the report's 38% / 41% only fit 29 answers (see README).
    q(
        "select_one communication",
        "gov_communication",
        "Оцените эффективность коммуникации с государственными органами во время пандемии",
        "Please rate the efficiency of communication with government agencies during the pandemic",
        required=False,
    ),
    q(
        "text",
        "gov_relations_text",
        "Как вы оцениваете отношения между гражданскими активистами и государством? "
        "Что мешает вашей работе?",
        "How would you describe the relations between civic activists and the government? "
        "What hinders your work?",
        required=False,
        hint=OPEN,
    ),
    # Not required: the report's 67% only fits 30 answers (see README).
    q(
        "select_one perception",
        "perception_change",
        "Как, на ваш взгляд, изменилось восприятие активизма в казахстанском обществе "
        "за время пандемии?",
        "How has the perception of activism in Kazakhstani society changed during the pandemic?",
        required=False,
    ),
    q(
        "note",
        "society_intro",
        "Насколько вы согласны со следующими утверждениями о влиянии пандемии на активизм "
        "в казахстанском обществе?",
        "To what extent do you agree with the following statements about the impact of the "
        "pandemic on activism in Kazakhstani society?",
        required=False,
    ),
    *[q("select_one agree5", name, ru, en) for name, ru, en in SOCIETY_ITEMS],
    end("government_society"),
    begin("dissemination", "Распространение опроса", "Sharing the survey"),
    q(
        "select_one share",
        "share_survey",
        "Готовы ли вы поделиться ссылкой на этот опрос с активистами из вашей сети?",
        "Are you willing to share the link to this survey with activists in your network?",
    ),
    q(
        "text",
        "snowball_contacts",
        "Поделитесь, пожалуйста, контактами активистов или организаций, которым мы могли бы "
        "отправить этот опрос (e-mail, телефон, Telegram)",
        "Please share contacts of other activists or organizations to whom we could send "
        "this survey (e-mail, phone, Telegram)",
        required=False,
        personal=True,
    ),
    q(
        "select_one yes_no",
        "interview_consent",
        "Готовы ли вы принять участие в углубленном интервью по теме исследования?",
        "Would you be willing to take part in a follow-up in-depth interview?",
    ),
    q(
        "text",
        "interview_contact",
        "Оставьте, пожалуйста, ваш контакт для связи (e-mail, телефон или Telegram)",
        "Please leave your contact details (e-mail, phone or Telegram)",
        relevant="${interview_consent} = 'yes'",
        personal=True,
    ),
    end("dissemination"),
]

SETTINGS = {
    "form_title": "Влияние пандемии COVID-19 на гражданский активизм в Казахстане",
    "form_id": "kz_civic_2021",
    "version": "2021091501",
    "default_language": RU,
}

FIXED_TIME = dt.datetime(2021, 9, 15, 0, 0, 0)


def build_workbook() -> Workbook:
    wb = Workbook()
    bold = Font(bold=True)

    ws = wb.active
    ws.title = "survey"
    ws.append(SURVEY_COLUMNS)
    for row in SURVEY:
        ws.append([row[c] for c in SURVEY_COLUMNS])

    wc = wb.create_sheet("choices")
    wc.append(CHOICES_COLUMNS)
    for list_name, options in CHOICES.items():
        for name, ru, en in options:
            wc.append([list_name, name, ru, en])

    wsettings = wb.create_sheet("settings")
    wsettings.append(list(SETTINGS))
    wsettings.append(list(SETTINGS.values()))

    for sheet in (ws, wc, wsettings):
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "A2"
    wb.properties.creator = "syrmak example kz-civic-2021"
    wb.properties.created = FIXED_TIME
    return wb


def save_reproducibly(wb: Workbook, path: Path) -> None:
    """Save with fixed zip timestamps and document times so reruns don't churn git."""
    buf = io.BytesIO()
    wb.save(buf)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(r"(<dcterms:modified[^>]*>)[^<]*(<)", rf"\g<1>{stamp}\g<2>", text)
                text = re.sub(r"(<dcterms:created[^>]*>)[^<]*(<)", rf"\g<1>{stamp}\g<2>", text)
                data = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, data)
    path.write_bytes(out.getvalue())


def check() -> None:
    names = [r["name"] for r in SURVEY if r["type"] not in ("end_group",)]
    assert len(names) == len(set(names)), "duplicate question names"
    groups = [r for r in SURVEY if r["type"] == "begin_group"]
    assert len(groups) == 5, "the report describes 5 sections"
    answer_fields = [r for r in SURVEY if r["type"] not in ("begin_group", "end_group", "note")]
    # Google Forms count: each Likert grid (6 rows) is one question.
    assert len(answer_fields) - 2 * (6 - 1) == 31, len(answer_fields)
    labels = [r[f"label::{RU}"] for r in answer_fields]
    assert len(labels) == len(set(labels)), "Russian labels must be unique (they are CSV headers)"
    for r in SURVEY:
        t = r["type"].split()
        if t[0] in ("select_one", "select_multiple"):
            assert t[1] in CHOICES, f"{r['name']}: list {t[1]} missing"
    # No ", "-joining trap: in a multi-answer list, no label may start with another
    # label followed by ", " (the importer matches longest first, but keep it unambiguous).
    for r in SURVEY:
        t = r["type"].split()
        if t[0] == "select_multiple":
            labs = [ru for _, ru, _ in CHOICES[t[1]]]
            assert len(labs) == len(set(labs))
            for a in labs:
                for b in labs:
                    assert a == b or not b.startswith(a + ", "), (a, b)
    assert any(", " in ru for _, ru, _ in CHOICES["spheres"])


def main() -> None:
    check()
    save_reproducibly(build_workbook(), OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
