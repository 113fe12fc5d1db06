"""The few words a report writes itself, in the report's language (English fallback)."""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "table": "Table",
        "figure": "Figure",
        "total": "Total",
        "suppressed": "Cells with fewer than {k} respondents, and cells from which they could "
                      "be worked out, are not shown (x).",
        "contents": "Table of contents",
        "original_in": "Original in {language}:",
        "interview": "interview",
        "survey": "survey",
        "document": "document",
        "n": "n = {n}",
        "n_multiple": "n = {n}; several answers possible",
        "n_answered": "n = {n} who answered",
        "n_of": "n = {n} of {total} (the rest did not answer)",
        "percent_axis": "% of respondents",
        "respondents": "Respondents",
        "not_on_map": "Not on the map: {items}",
        "city_dot": "city, counted apart from its region",
        "notes": "Notes",
        "count": "n",
        "percent": "%",
        "no_data": "no answers",
        "default_attribution": "Respondent {{ respondent }}, {{ source }} quote",
        "anonymous_attribution": "{{ source | capitalize }} quote",
    },
    "ru": {
        "table": "Таблица",
        "figure": "Рисунок",
        "total": "Всего",
        "suppressed": "Ячейки, в которых меньше {k} респондентов, и ячейки, по которым их "
                      "можно вычислить, не показаны (x).",
        "contents": "Содержание",
        "original_in": "Оригинал на {language}:",
        "interview": "интервью",
        "survey": "опрос",
        "document": "документ",
        "n": "n = {n}",
        "n_multiple": "n = {n}; можно было выбрать несколько ответов",
        "n_answered": "n = {n} ответивших",
        "n_of": "n = {n} из {total} (остальные не ответили)",
        "percent_axis": "% респондентов",
        "respondents": "Респонденты",
        "not_on_map": "Не на карте: {items}",
        "city_dot": "город, считается отдельно от области",
        "notes": "Примечания",
        "count": "n",
        "percent": "%",
        "no_data": "нет ответов",
        "default_attribution": "Респондент {{ respondent }}, цитата ({{ source }})",
        "anonymous_attribution": "Цитата ({{ source }})",
    },
    "kk": {
        "table": "Кесте",
        "figure": "Сурет",
        "total": "Барлығы",
        "suppressed": "{k} респонденттен аз ұяшықтар және оларды есептеп шығаруға болатын "
                      "ұяшықтар көрсетілмеген (x).",
        "contents": "Мазмұны",
        "original_in": "Түпнұсқа ({language}):",
        "interview": "сұхбат",
        "survey": "сауалнама",
        "document": "құжат",
        "n": "n = {n}",
        "n_multiple": "n = {n}; бірнеше жауап беруге болады",
        "n_answered": "n = {n} жауап бергендер",
        "n_of": "n = {n} / {total} (қалғандары жауап бермеді)",
        "percent_axis": "респонденттердің %",
        "respondents": "Респонденттер",
        "not_on_map": "Картада жоқ: {items}",
        "city_dot": "қала, облыстан бөлек есептеледі",
        "notes": "Ескертпелер",
        "count": "n",
        "percent": "%",
        "no_data": "жауап жоқ",
        "default_attribution": "Респондент {{ respondent }}, дәйексөз ({{ source }})",
        "anonymous_attribution": "Дәйексөз ({{ source }})",
    },
}

#: Language names, as said in each report language ("Original in Russian:").
LANGUAGES: dict[str, dict[str, str]] = {
    "en": {"ru": "Russian", "kk": "Kazakh", "en": "English", "uz": "Uzbek", "ky": "Kyrgyz",
           "tg": "Tajik", "de": "German", "fr": "French", "es": "Spanish", "uk": "Ukrainian"},
    "ru": {"ru": "русском", "kk": "казахском", "en": "английском", "uz": "узбекском",
           "ky": "кыргызском", "tg": "таджикском", "de": "немецком", "fr": "французском",
           "es": "испанском", "uk": "украинском"},
    "kk": {"ru": "орыс тілінде", "kk": "қазақ тілінде", "en": "ағылшын тілінде"},
}


def base(lang: str | None) -> str:
    return (lang or "en").split("-")[0].split("_")[0].lower()


def translate(words: dict[str, dict[str, str]], lang: str | None, key: str, **values) -> str:
    """``key`` of a table of words by language (its English when the language or the key
    is missing), filled in with ``values``. Modules that add blocks keep their own table."""
    table = words.get(base(lang), words["en"])
    text = table.get(key, words["en"][key])
    return text.format(**values) if values else text


def word(lang: str | None, key: str, **values) -> str:
    return translate(WORDS, lang, key, **values)


def language_name(lang: str | None, code: str) -> str:
    names = LANGUAGES.get(base(lang), LANGUAGES["en"])
    return names.get(base(code)) or LANGUAGES["en"].get(base(code)) or code
