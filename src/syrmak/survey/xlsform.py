"""Read an XLSForm with pyxform and turn it into a frozen ``Questionnaire``.

pyxform does the checking (choice lists, names, expressions) and its messages already
name the sheet and row; syrmak adds the file name, normalises the language-column
spellings real forms use, and keeps what pyxform ignores (``personal_data``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from pathlib import Path

from pyxform.errors import PyXFormError
from pyxform.xls2json_backends import get_xlsform
from pyxform.xls2xform import convert

from syrmak.errors import SyrmakError
from syrmak.survey.instrument import OTHER, OTHER_SUFFIX, Choice, Question, Questionnaire, Section

#: Language names people write in headers, mapped to ISO 639-1 codes.
LANGUAGE_CODES = {
    "english": "en",
    "russian": "ru",
    "русский": "ru",
    "kazakh": "kk",
    "казахский": "kk",
    "қазақша": "kk",
    "kyrgyz": "ky",
    "uzbek": "uz",
    "tajik": "tg",
    "ukrainian": "uk",
    "belarusian": "be",
    "german": "de",
    "french": "fr",
    "spanish": "es",
    "arabic": "ar",
    "turkish": "tr",
    "chinese": "zh",
}
LANGUAGE_NAMES = {
    "en": "English",
    "ru": "Russian",
    "kk": "Kazakh",
    "ky": "Kyrgyz",
    "uz": "Uzbek",
    "tg": "Tajik",
    "uk": "Ukrainian",
    "be": "Belarusian",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "ar": "Arabic",
    "tr": "Turkish",
    "zh": "Chinese",
}
#: Word for "Other" in the languages we know, since pyxform labels it in English only.
OTHER_LABELS = {"ru": "Другое", "kk": "Басқа", "en": "Other", "uz": "Boshqa", "ky": "Башка"}

#: Columns that may carry a language suffix.
_TRANSLATABLE = ("label", "hint", "guidance_hint", "constraint_message", "required_message",
                 "image", "audio", "video", "media::image", "media::audio", "media::video")
_LANG_HEADER = re.compile(
    r"^\s*(?P<base>label|hint|guidance_hint|constraint_message|required_message)\s*:{1,2}\s*(?P<lang>.+?)\s*$",
    re.IGNORECASE,
)
_LANG_WITH_CODE = re.compile(r"^(?P<name>.*?)\s*\(\s*(?P<code>[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)?)\s*\)$")

SUPPORTED_TYPES = {
    "select one": "select_one",
    "select all that apply": "select_multiple",
    "integer": "integer",
    "int": "integer",
    "decimal": "decimal",
    "text": "text",
    "date": "date",
    "note": "note",
}
#: Types pyxform accepts that carry no answer a researcher analyses; they are skipped.
IGNORED_TYPES = {"calculate", "start", "end", "today", "deviceid", "username", "phonenumber",
                 "simserial", "subscriberid", "audit", "hidden", "acknowledge"}
YES = {"yes", "true", "1", "y", "да", "true()"}

#: The survey-sheet column syrmak adds to XLSForm. pyxform passes unknown columns through
#: without a word, so a misspelt one would silently store contacts as plain answers.
PERSONAL_DATA = "personal_data"
#: Marks questions that identify a respondent in combination (privacy/disclosure.py).
IDENTIFYING = "identifying"
#: Headers that show the intent to protect a question but that syrmak would not read.
_PERSONAL_SYNONYMS = frozenset({
    "pii", "sensitive", "sensitive_data", "personal", "personal_info", "personal_information",
    "personally_identifiable", "private", "private_data", "confidential", "contact_data",
    "contacts", "gdpr", "персональные_данные", "личные_данные", "персональные",
    "конфиденциально", "жеке_деректер",
})
#: difflib ratio (of the header without separators, against "personaldata") above which
#: a header is taken for a misspelling of personal_data rather than another column.
_PERSONAL_SIMILARITY = 0.75


def parse_language(text: str) -> tuple[str, str]:
    """``'Russian (ru)'`` -> ``('ru', 'Russian (ru)')``; ``'ru'`` -> ``('ru', 'Russian (ru)')``."""
    text = text.strip()
    match = _LANG_WITH_CODE.match(text)
    if match:
        code = match["code"].lower().replace("_", "-")
        name = match["name"].strip() or LANGUAGE_NAMES.get(code, code)
    elif text.lower() in LANGUAGE_CODES:
        code = LANGUAGE_CODES[text.lower()]
        name = text.strip().title()
    elif re.fullmatch(r"[A-Za-z]{2,3}", text):
        code = text.lower()
        name = LANGUAGE_NAMES.get(code, code)
    else:
        code = text.lower()
        name = text
    return code, f"{name} ({code})"


def _header_words(key: str) -> str:
    """``' Personal - Data'``, ``'personal::data'`` -> ``'personal_data'``."""
    return "_".join(re.split(r"[\s_\-:.]+", key.strip().casefold())).strip("_")


def _check_personal_header(headers, path: Path) -> None:
    """Refuse survey-sheet headers that look like personal_data but are not read as it."""
    meant = [h for h in headers if _header_words(h) == PERSONAL_DATA]
    for header in headers:
        if header in meant:
            continue
        words = _header_words(header)
        squashed = words.replace("_", "")
        close = difflib.SequenceMatcher(None, squashed, PERSONAL_DATA.replace("_", "")).ratio()
        if words in _PERSONAL_SYNONYMS or close >= _PERSONAL_SIMILARITY:
            raise SyrmakError(
                f"the survey sheet has a column '{header}', which looks like "
                f"'{PERSONAL_DATA}' but is not it: syrmak would ignore it and store those "
                "answers unprotected.",
                f"rename the column to {PERSONAL_DATA} (and write yes on every question that "
                "holds contact details), or delete it.",
                code="bad-xlsform", file=path.name, sheet="survey", row=1, column=header)
    if len(meant) > 1:
        raise SyrmakError(
            f"the survey sheet has {len(meant)} columns that mean '{PERSONAL_DATA}' "
            f"({', '.join(repr(m) for m in meant)}).",
            f"keep one {PERSONAL_DATA} column and move its yes values there.",
            code="bad-xlsform", file=path.name, sheet="survey", row=1, column=meant[-1])


def _normalise_header(key: str) -> str:
    if _header_words(key) == PERSONAL_DATA:
        return PERSONAL_DATA
    match = _LANG_HEADER.match(key)
    if not match:
        return key.strip().lower() if key.strip().lower() in ("type", "name", "label", "hint",
                                                               "required", "relevant",
                                                               "constraint", "choice_filter",
                                                               "list_name",
                                                               "appearance", "default") else key
    _, canonical = parse_language(match["lang"])
    return f"{match['base'].lower()}::{canonical}"


def _normalise_rows(rows):
    if rows is None:
        return None
    return [{_normalise_header(k): v for k, v in row.items()} for row in rows]


def _where(path: Path, message: str) -> tuple[str, int | None, str | None]:
    """Pull sheet and row out of a pyxform message like "[row : 5] ..."."""
    row = re.search(r"\[row\s*:\s*(\d+)\]", message)
    sheet = re.search(r"sheet[^'\"]*['\"](\w+)['\"]", message, re.IGNORECASE)
    # The location is shown by SyrmakError itself; drop pyxform's own "[row : N]" prefix.
    message = re.sub(r"^\s*\[row\s*:\s*\d+\]\s*", "", message)
    return (
        message,
        int(row.group(1)) if row else None,
        sheet.group(1) if sheet else ("survey" if row else None),
    )


def load_xlsform(path: str | Path) -> Questionnaire:
    """Read, check and convert an XLSForm (.xlsx, .xls, .csv or .md) file."""
    return _convert(Path(path))[0]


def to_xform(path: str | Path, version: str) -> tuple[Questionnaire, str]:
    """The questionnaire and the XForm XML pyxform makes of it, with ``version`` as the
    form version (what a survey server publishes and submissions carry back)."""
    form, result = _convert(Path(path), version)
    return form, result.xform


def _convert(path: Path, version: str | None = None):
    """(questionnaire, pyxform's ConvertResult)."""
    if not path.exists():
        raise SyrmakError(f"file not found: {path}", "check the path.", code="not-found", file=str(path))
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from syrmak.survey.workbooks import check_workbook_zip

        check_workbook_zip(path)
    try:
        workbook = get_xlsform(str(path))
    except PyXFormError as exc:
        raise SyrmakError(
            f"cannot read the questionnaire: {exc}",
            "save it again as .xlsx from Excel/LibreOffice, with sheets 'survey', 'choices' and 'settings'.",
            code="corrupt-workbook",
            file=path.name,
        ) from exc
    except Exception as exc:  # zip/xml errors from a damaged or renamed file
        raise SyrmakError(
            f"cannot open the questionnaire: the file is not a readable workbook ({type(exc).__name__}: {exc}).",
            "save it again as .xlsx from Excel/LibreOffice.",
            code="corrupt-workbook",
            file=path.name,
        ) from exc
    if not workbook.survey:
        raise SyrmakError(
            "the workbook has no 'survey' sheet (or it is empty).",
            "an XLSForm needs a sheet named 'survey' with columns type, name and label.",
            code="bad-xlsform",
            file=path.name,
            sheet="survey",
        )
    headers = workbook.survey_header[0] if workbook.survey_header else {}
    _check_personal_header(list(dict.fromkeys([*headers, *(k for row in workbook.survey
                                                             for k in row)])), path)
    data = {
        "survey": _normalise_rows(workbook.survey),
        "choices": _normalise_rows(workbook.choices),
        "settings": _normalise_rows(workbook.settings),
        "external_choices": workbook.external_choices,
        "entities": workbook.entities,
        "osm": workbook.osm,
        "sheet_names": workbook.sheet_names,
        "fallback_form_name": workbook.fallback_form_name or path.stem,
    }
    for name in ("survey", "choices", "settings"):
        header = getattr(workbook, f"{name}_header")
        if header:
            data[f"{name}_header"] = _normalise_rows(header)
    if version is not None:
        settings = [dict(row) for row in data["settings"]] or [{}]
        settings[0]["version"] = version
        data["settings"] = settings
    try:
        result = convert(xlsform=data)
    except PyXFormError as exc:
        message, row, sheet = _where(path, str(exc))
        raise SyrmakError(
            message,
            "correct the form as the message says; syrmak follows the XLSForm rules of ODK and "
            "KoboToolbox, so a form that works there works here.",
            code="bad-xlsform",
            file=path.name,
            sheet=sheet,
            row=row,
        ) from exc
    return _questionnaire(result._pyxform, workbook.survey or [], path), result


def _labels(value, default_code: str) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, Mapping):
        out = {}
        for key, text in value.items():
            code = default_code if key == "default" else parse_language(key)[0]
            out[code] = str(text)
        return out
    return {default_code: str(value)}


def _survey_row(rows, name: str) -> int | None:
    for index, row in enumerate(rows):
        if (row.get("name") or "").strip() == name:
            return index + 2  # header is row 1
    return None


def _questionnaire(form: dict, rows, path: Path) -> Questionnaire:
    default_lang_raw = form.get("default_language")
    default_code = parse_language(default_lang_raw)[0] if default_lang_raw and default_lang_raw != "default" else None
    languages: list[str] = []

    def note_languages(labels: Mapping[str, str]) -> None:
        for code in labels:
            if code not in languages:
                languages.append(code)

    fallback = default_code or "und"
    sections: list[Section] = []
    questions: list[Question] = []
    hidden: list[str] = []

    def walk(children, section: str | None) -> None:
        for child in children:
            kind = child.get("type")
            name = child.get("name")
            if kind in ("group", "repeat"):
                if name == "meta":
                    continue
                if kind == "repeat":
                    raise SyrmakError(
                        f"repeat group '{name}' is not supported: a respondent has one row of answers.",
                        "replace the repeat with a fixed number of questions.",
                        code="unsupported-type",
                        file=path.name, sheet="survey", row=_survey_row(rows, name),
                    )
                path_name = f"{section}/{name}" if section else name
                labels = _labels(child.get("label"), fallback)
                note_languages(labels)
                sections.append(Section(path_name, labels))
                walk(child.get("children", []), path_name)
                continue
            if kind in IGNORED_TYPES:
                hidden.append(name)
                continue
            if kind not in SUPPORTED_TYPES:
                raise SyrmakError(
                    f"question '{name}' has type '{kind}', which syrmak does not store.",
                    f"use one of: {', '.join(sorted(set(SUPPORTED_TYPES.values())))}.",
                    code="unsupported-type",
                    file=path.name, sheet="survey", row=_survey_row(rows, name),
                )
            qtype = SUPPORTED_TYPES[kind]
            labels = _labels(child.get("label"), fallback)
            note_languages(labels)
            bind = child.get("bind") or {}
            choices = []
            or_other = False
            for c in child.get("choices") or []:
                clabels = _labels(c.get("label"), fallback)
                if c["name"] == OTHER and set(clabels.values()) == {"Other"}:
                    or_other = True
                    clabels = {code: OTHER_LABELS.get(code, "Other") for code in clabels}
                choices.append(Choice(c["name"], clabels))
            personal = str(child.get(PERSONAL_DATA) or "").strip().lower()
            if personal and personal not in YES | {"no", "false", "0", "n", "нет"}:
                raise SyrmakError(
                    f"question '{name}' has personal_data = '{child.get(PERSONAL_DATA)}'.",
                    "write yes or no (or leave the cell empty).",
                    code="bad-xlsform", file=path.name, sheet="survey",
                    row=_survey_row(rows, name), column="personal_data",
                )
            identifying = str(child.get(IDENTIFYING) or "").strip().lower()
            if identifying and identifying not in YES | {"no", "false", "0", "n", "нет"}:
                raise SyrmakError(
                    f"question '{name}' has identifying = '{child.get(IDENTIFYING)}'.",
                    "write yes or no (or leave the cell empty).",
                    code="bad-xlsform", file=path.name, sheet="survey",
                    row=_survey_row(rows, name), column="identifying",
                )
            # pyxform adds "<q>_other" itself; its English-only label is replaced.
            if qtype == "text" and name.endswith(OTHER_SUFFIX) and questions and \
                    questions[-1].or_other and questions[-1].name + OTHER_SUFFIX == name:
                parent = questions[-1]
                labels = {code: f"{parent.label(code)}: {OTHER_LABELS.get(code, 'Other')}"
                          for code in parent.labels}
            questions.append(
                Question(
                    name=name,
                    type=qtype,
                    labels=labels,
                    choices=tuple(choices),
                    list_name=child.get("list_name") or child.get("itemset"),
                    section=section,
                    required=str(bind.get("required", "")).strip().lower() in YES,
                    relevant=bind.get("relevant"),
                    constraint=bind.get("constraint"),
                    or_other=or_other,
                    personal_data=personal in YES,
                    identifying=identifying in YES,
                    hints=_labels(child.get("hint"), fallback),
                )
            )

    walk(form.get("children", []), None)
    if default_code and default_code not in languages:
        languages.insert(0, default_code)
    return Questionnaire(
        form_id=form.get("id_string") or path.stem,
        title=form.get("title") or path.stem,
        version=str(form["version"]) if form.get("version") else None,
        default_language=default_code or (languages[0] if languages else None),
        languages=tuple(languages),
        sections=tuple(sections),
        questions=tuple(questions),
        hidden_fields=tuple(hidden),
    )
