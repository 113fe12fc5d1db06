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
from pyxform.question_type_dictionary import QUESTION_TYPE_DICT
from pyxform.xls2json_backends import get_xlsform
from pyxform.xls2xform import convert

from syrmak.errors import ErrorList, SyrmakError
from syrmak.survey import languages
from syrmak.survey.instrument import (
    CHOICE_TYPES,
    OTHER,
    OTHER_SUFFIX,
    Choice,
    Question,
    Questionnaire,
    Section,
)

#: Word for "Other" in the languages we know, since pyxform labels it in English only.
OTHER_LABELS = {"ru": "Другое", "kk": "Басқа", "en": "Other", "uz": "Boshqa", "ky": "Башка"}

#: Columns that may carry a language suffix.
_TRANSLATABLE = ("label", "hint", "guidance_hint", "constraint_message", "required_message",
                 "image", "audio", "video", "media::image", "media::audio", "media::video")
_LANG_HEADER = re.compile(
    r"^\s*(?P<base>label|hint|guidance_hint|constraint_message|required_message)\s*:{1,2}\s*(?P<lang>.+?)\s*$",
    re.IGNORECASE,
)

#: What syrmak stores for each of pyxform's bind types (of a question with a control).
BIND_TYPES = {
    "string": "text",
    "int": "integer",
    "decimal": "decimal",
    "date": "date",
    "time": "time",
    "dateTime": "datetime",
    "geopoint": "geopoint",
    "geotrace": "geotrace",
    "geoshape": "geoshape",
    "binary": "media",
    "barcode": "barcode",
}
#: And for its control tags that say more than the bind type.
CONTROL_TAGS = {"select1": "select_one", "select": "select_multiple", "odk:rank": "rank"}
#: Controls that record no answer of the respondent's (a button, a background recording).
_NO_ANSWER_TAGS = frozenset({"trigger", "action"})
YES = {"yes", "true", "1", "y", "да", "true()"}

#: The survey-sheet column syrmak adds to XLSForm. pyxform passes unknown columns through
#: without a word, so a misspelt one would silently store contacts as plain answers.
PERSONAL_DATA = "personal_data"
#: Marks questions that identify a respondent in combination (privacy/disclosure.py).
IDENTIFYING = "identifying"
#: Marks the degree question of a respondent-driven sample (``rds = degree``): each
#: respondent's network size in the target population, which RDS-II weights by.
RDS = "rds"
RDS_ROLES = ("degree",)
_NUMERIC = ("integer", "decimal")
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
    return languages.parse(text)


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
                                                               "list_name", "appearance",
                                                               "default", RDS) else key
    _, canonical = parse_language(match["lang"])
    return f"{match['base'].lower()}::{canonical}"


def _normalise_rows(rows):
    if rows is None:
        return None
    return [{_normalise_header(k): v for k, v in row.items()} for row in rows]


def _where(path: Path, message: str) -> tuple[str, int | None, str | None]:
    """Pull sheet and row out of a pyxform message like "[row : 5] ..."."""
    row = re.search(r"\[row\s*:\s*(\d+)\]", message)
    # Only a sheet the message names as one: "the 'choices' sheet", "sheet 'settings'" (a
    # quoted word after "sheet" may be a column or a value: "sheet, the 'calculation' ...").
    sheets = "|".join(_SHEETS)
    sheet = re.search(rf"['\"]({sheets})['\"]\s+(?:work)?sheet|sheet\s+(?:named\s+)?['\"]"
                      rf"({sheets})['\"]", message, re.IGNORECASE)
    # The location is shown by SyrmakError itself; drop pyxform's own "[row : N]" prefix.
    message = re.sub(r"^\s*\[row\s*:\s*\d+\]\s*", "", message)
    return (
        message,
        int(row.group(1)) if row else None,
        (sheet.group(1) or sheet.group(2)).lower() if sheet else ("survey" if row else None),
    )


_SHEETS = ("survey", "choices", "settings", "external_choices", "entities", "osm")


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
        duplicate = re.search(r"duplicate column header:\s*(.+)", str(exc), re.IGNORECASE)
        if duplicate:
            header = duplicate[1].strip()
            raise SyrmakError(
                f"two columns of a sheet are both headed '{header}'.",
                f"delete one of them, or rename it (a second language's labels go in a column "
                f"such as '{header}::English (en)').",
                code="bad-xlsform", file=path.name, column=header) from exc
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


def _rds_role(child: Mapping, qtype: str, name: str, rows, path: Path,
              errors: ErrorList) -> str | None:
    """The ``rds`` cell of a question: ``degree`` on a number question, or nothing."""
    raw = child.get(RDS)
    role = str(raw or "").strip().lower()
    if not role:
        return None
    where = {"code": "bad-xlsform", "file": path.name, "sheet": "survey",
             "row": _survey_row(rows, name), "column": RDS, "value": str(raw)}
    if role not in RDS_ROLES:
        errors.add(SyrmakError(
            f"question '{name}' has rds = '{raw}'; the rds column knows only 'degree'.",
            "write degree on the one question that asks for the respondent's network size, "
            "and leave the column empty elsewhere.", **where))
        return None
    if qtype not in _NUMERIC:
        errors.add(SyrmakError(
            f"question '{name}' is marked rds = degree but is a {qtype} question; a degree "
            "is a number (how many people of the target population the respondent knows).",
            "mark an integer question (type 'integer'), or change this question's type.",
            **where))
        return None
    return role


def _one_degree(questions, rows, path: Path, errors: ErrorList) -> None:
    marked = [q for q in questions if q.rds == "degree"]
    if len(marked) > 1:
        errors.add(SyrmakError(
            f"{len(marked)} questions are marked rds = degree "
            f"({', '.join(repr(q.name) for q in marked)}); RDS-II weights by one degree.",
            "keep degree on the question that asks for the network size and empty the "
            "other cells.", code="bad-xlsform", file=path.name, sheet="survey",
            row=_survey_row(rows, marked[1].name), column=RDS, value="degree"))


def _explicit_languages(children) -> list[str]:
    """Languages the form names in its label columns (``label::English (en)``)."""
    found: list[str] = []
    for child in children:
        for key in ("label", "hint"):
            value = child.get(key)
            if isinstance(value, Mapping):
                for lang in value:
                    code = parse_language(lang)[0] if lang != "default" else None
                    if code and code not in found:
                        found.append(code)
        for choice in child.get("choices") or []:
            if isinstance(choice.get("label"), Mapping):
                for lang in choice["label"]:
                    code = parse_language(lang)[0] if lang != "default" else None
                    if code and code not in found:
                        found.append(code)
        found.extend(c for c in _explicit_languages(child.get("children") or [])
                     if c not in found)
    return found


def classify(kind: str, child: Mapping) -> str | None:
    """What a question's answer is, from the type pyxform resolved its spelling to: its bind
    type and control (``phone number`` and ``string`` are text, ``range`` a number, ``image``
    an attachment); None for a field the form fills itself (calculate, start, deviceid) or a
    control that records nothing of the respondent's (acknowledge, background audio)."""
    if kind == "note" or kind.endswith(" note") or kind == "add note prompt":
        return "note"
    spec = QUESTION_TYPE_DICT.get(kind) or QUESTION_TYPE_DICT.get(kind.lower()) or {}
    control = {**(spec.get("control") or {}), **(child.get("control") or {})}
    bind = {**(spec.get("bind") or {}), **(child.get("bind") or {})}
    tag = control.get("tag")
    if kind.startswith("select one") or kind in ("select1", "q select1"):
        tag = "select1"
    elif kind.startswith(("select all that apply", "select multiple")) or kind == "q select":
        tag = "select"
    if not tag or tag in _NO_ANSWER_TAGS:
        return None
    if tag in CONTROL_TAGS:
        return CONTROL_TAGS[tag]
    if tag == "range":
        params = child.get("parameters") or spec.get("parameters") or {}
        whole = all(re.fullmatch(r"-?\d+", str(v).strip()) for v in params.values())
        return "integer" if whole else "decimal"
    return BIND_TYPES.get(bind.get("type"), "text")


def _source_type(kind: str, qtype: str, child: Mapping) -> str | None:
    """The form's spelling when it says more than the stored type."""
    itemset = str(child.get("itemset") or "")
    if qtype in ("select_one", "select_multiple") and itemset.lower().endswith(_CHOICE_FILES):
        return f"{qtype}_from_file {itemset}"
    if kind in (qtype, "select one", "select all that apply", "int", "note"):
        return None
    return kind


def _all_of(*conditions: str | None) -> str | None:
    given = [c.strip() for c in conditions if c and str(c).strip()]
    if len(given) <= 1:
        return given[0] if given else None
    return " and ".join(f"({c})" for c in given)


def _loop_copy(child: Mapping, column: Mapping, fallback: str) -> dict:
    """A question of a ``begin loop over LIST`` for one option of LIST: its name made
    unique (``q_option``), ``%(name)s`` and ``%(label)s`` in its texts filled in."""
    labels = _labels(column.get("label"), fallback)
    fill = {"name": column["name"]}

    def filled(value):
        if isinstance(value, str):
            text = labels.get(fallback) or next(iter(labels.values()), column["name"])
            return value.replace("%(name)s", fill["name"]).replace("%(label)s", text)
        if isinstance(value, Mapping):
            return {k: filled(v) for k, v in value.items()}
        return value

    copy = {k: filled(v) if k in ("label", "hint", "bind") else v for k, v in child.items()}
    copy["name"] = f"{child['name']}_{column['name']}"
    copy["_loop_path"] = f"{column['name']}/{child['name']}"
    return copy


#: File choice lists of select_one_from_file / select_multiple_from_file.
_CHOICE_FILES = (".csv", ".xml", ".geojson")


def _questionnaire(form: dict, rows, path: Path) -> Questionnaire:
    default_lang_raw = form.get("default_language")
    default_code = parse_language(default_lang_raw)[0] if default_lang_raw and default_lang_raw != "default" else None
    explicit = _explicit_languages(form.get("children", []))
    # A label without a language column (or one pyxform wrote, like "Specify other.") is in
    # the default language; a form that names one language only is written in it.
    fallback = default_code or (explicit[0] if len(explicit) == 1 else None) or \
        languages.UNDETERMINED
    languages_seen: list[str] = []
    errors = ErrorList(limit=50)

    def note_languages(labels: Mapping[str, str]) -> None:
        for code in labels:
            if code not in languages_seen:
                languages_seen.append(code)

    sections: list[Section] = []
    questions: list[Question] = []
    hidden: list[str] = []

    def walk(children, section: str | None, repeat: str | None,
             shown_if: tuple[str, ...] = ()) -> None:
        for child in children:
            kind = str(child.get("type") or "")
            name = child.get("name")
            if kind in ("group", "repeat"):
                if name == "meta" and section is None:
                    continue
                path_name = f"{section}/{name}" if section else name
                labels = _labels(child.get("label"), fallback)
                note_languages(labels)
                sections.append(Section(path_name, labels, repeat=kind == "repeat"))
                group_if = (child.get("bind") or {}).get("relevant")
                walk(child.get("children", []), path_name,
                     path_name if kind == "repeat" else repeat,
                     (*shown_if, group_if) if group_if else shown_if)
                continue
            if kind == "loop":
                loop_path = f"{section}/{name}" if section else name
                for column in child.get("columns") or []:
                    path_name = f"{loop_path}/{column['name']}"
                    labels = _labels(column.get("label"), fallback)
                    sections.append(Section(path_name, labels))
                    walk([_loop_copy(c, column, fallback) for c in child.get("children", [])],
                         path_name, repeat, shown_if)
                continue
            if not kind:
                walk(child.get("children", []), section, repeat, shown_if)
                continue
            qtype = classify(kind, child)
            if qtype is None:
                hidden.append(name)
                continue
            labels = _labels(child.get("label"), fallback)
            bind = child.get("bind") or {}
            choices = []
            or_other = False
            for c in child.get("choices") or []:
                clabels = _labels(c.get("label"), fallback)
                if c["name"] == OTHER and set(clabels.values()) == {"Other"}:
                    or_other = True
                    clabels = {code: OTHER_LABELS.get(code, "Other") for code in clabels}
                note_languages(clabels)
                choices.append(Choice(c["name"], clabels))
            personal = str(child.get(PERSONAL_DATA) or "").strip().lower()
            if personal and personal not in YES | {"no", "false", "0", "n", "нет"}:
                errors.add(SyrmakError(
                    f"question '{name}' has personal_data = '{child.get(PERSONAL_DATA)}'.",
                    "write yes or no (or leave the cell empty).",
                    code="bad-xlsform", file=path.name, sheet="survey",
                    row=_survey_row(rows, name), column="personal_data",
                ))
            identifying = str(child.get(IDENTIFYING) or "").strip().lower()
            if identifying and identifying not in YES | {"no", "false", "0", "n", "нет"}:
                errors.add(SyrmakError(
                    f"question '{name}' has identifying = '{child.get(IDENTIFYING)}'.",
                    "write yes or no (or leave the cell empty).",
                    code="bad-xlsform", file=path.name, sheet="survey",
                    row=_survey_row(rows, name), column="identifying",
                ))
            role = _rds_role(child, qtype, name, rows, path, errors)
            # pyxform adds "<q>_other" itself; its English-only label is replaced.
            if qtype == "text" and name.endswith(OTHER_SUFFIX) and questions and \
                    questions[-1].or_other and questions[-1].name + OTHER_SUFFIX == name:
                parent = questions[-1]
                labels = {code: f"{parent.label(code)}: {OTHER_LABELS.get(code, 'Other')}"
                          for code in parent.labels}
            note_languages(labels)
            itemset = str(child.get("itemset") or "")
            loop_path = child.get("_loop_path")
            if loop_path:
                loop_path = f"{section.rsplit('/', 1)[0]}/{loop_path}" if section else loop_path
            questions.append(
                Question(
                    name=name,
                    type=qtype,
                    labels=labels,
                    choices=tuple(choices),
                    list_name=child.get("list_name") or child.get("itemset"),
                    section=section,
                    required=str(bind.get("required", "")).strip().lower() in YES,
                    # A question in a group shown only if ... is shown only if that holds too.
                    relevant=_all_of(*shown_if, bind.get("relevant")),
                    constraint=bind.get("constraint"),
                    or_other=or_other,
                    personal_data=personal in YES,
                    identifying=identifying in YES,
                    hints=_labels(child.get("hint"), fallback),
                    source_type=_source_type(kind, qtype, child),
                    repeat=repeat,
                    open_choices=qtype in CHOICE_TYPES and (
                        not choices or itemset.lower().endswith(_CHOICE_FILES)
                        or "external" in kind),
                    path=loop_path,
                    rds=role,
                )
            )

    walk(form.get("children", []), None, None)
    _one_degree(questions, rows, path, errors)
    errors.raise_if_any()
    if default_code and default_code not in languages_seen:
        languages_seen.insert(0, default_code)
    return Questionnaire(
        form_id=form.get("id_string") or path.stem,
        title=form.get("title") or path.stem,
        version=str(form["version"]) if form.get("version") else None,
        default_language=default_code or (languages_seen[0] if languages_seen else None),
        languages=tuple(languages_seen),
        sections=tuple(sections),
        questions=tuple(questions),
        hidden_fields=tuple(hidden),
    )
