"""How each survey tool lays out its export, and mapping its columns to questions.

A column is mapped to a question by name or by label in any questionnaire language;
tool-specific spellings (Kobo's ``group/q``, ODK Central's ``group-q``, LimeSurvey's
``Q1[SQ001]``, Google Forms' grid ``Title [Row]``, SPSS's ``q_option``) are handled by
the layout.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from syrmak.errors import ErrorList, SyrmakError
from syrmak.privacy import detect
from syrmak.survey.instrument import OTHER, Question, Questionnaire
from syrmak.text import normal

if TYPE_CHECKING:  # the hooks get tables and frames; loading the layouts needs neither
    import pandas as pd

    from syrmak.survey import readers

#: A select cell longer than this is no list of options (it is decoded as "Other" or refused).
MAX_SELECT_TEXT = 4000

#: Kept for code written against the old home of the check; the detector is privacy.detect.
looks_like_contact = detect.looks_like_contact


@dataclass(frozen=True)
class Layout:
    """How one tool lays out its export, as data: names, separators, and a few hooks.

    A new export format is one ``Layout`` in ``LAYOUTS``: which columns are its bookkeeping,
    how it joins groups, options and multiple answers, and, where a tool needs code, a hook
    (a reader for its own file type, header rows to skip, an "unfinished response" filter,
    aliases from its metadata). ``imports.py`` calls the hooks and never tests a tool's name.
    """

    name: str
    #: Separators between a group path and a question name (``group/q``).
    group_separators: tuple[str, ...] = ()
    #: Separators between a question and an option in one-column-per-option headers.
    option_separators: tuple[str, ...] = ()
    #: How a multi-answer cell may join its options (tried on label texts).
    multi_separators: tuple[str, ...] = (" ",)
    #: An unknown answer to an ``or_other`` question is its "Other" text (Google Forms).
    inline_other: bool = False
    #: Option codes may be positions: 1, A1, AO01, SQ001 (LimeSurvey, SPSS).
    positional_codes: bool = False
    #: Submission ids unique everywhere (uuids) and unique within one survey (numbers).
    key_columns: tuple[str, ...] = ()
    local_key_columns: tuple[str, ...] = ()
    time_columns: tuple[str, ...] = ()
    #: Only the first column may be the time (Google Forms' "Timestamp" in any language).
    time_first: bool = False
    #: The questionnaire version each row was answered with (Kobo's all-versions exports).
    version_columns: tuple[str, ...] = ()
    #: Tool bookkeeping columns that carry no answer.
    ignore: tuple[str, ...] = ()
    ignore_prefixes: tuple[str, ...] = ()
    ignore_pattern: str | None = None
    #: Columns the tool derives from a question, by the part after the last separator
    #: (Kobo's literacy widget: ``q/Word at flash``): not answers.
    ignore_suffixes: tuple[str, ...] = ()
    #: Cell texts the tool writes for "not asked" (KoboCAT's ``n/a``): read as empty.
    missing_values: tuple[str, ...] = ()
    #: Columns the tool adds that hold personal data; never read, only noted.
    personal_columns: tuple[str, ...] = ()
    #: Columns for one part of a location (ODK Central's ``q-Latitude``), by suffix.
    location_parts: tuple[str, ...] = ()
    # -- hooks --------------------------------------------------------------------------
    #: File suffixes only this layout's ``reader`` reads (SPSS's .sav, .zsav, .por).
    suffixes: tuple[str, ...] = ()
    reader: Callable[[Path], readers.RawTable] | None = None
    #: Whether a header (stripped, case-folded fields) is this tool's, for ``--format auto``.
    detect: Callable[[list[str]], bool] | None = None
    #: Rows under the header that are no submissions (an HXL tag row, Qualtrics' question
    #: texts): drops them from the table, may keep what they say, returns a note or None.
    header_rows: Callable[[readers.RawTable], str | None] | None = None
    #: Responses the tool kept unfinished: (mask of rows to leave out, note), given the
    #: cells and the mapped columns.
    unfinished: Callable[[pd.DataFrame, list], tuple[pd.Series, str] | None] | None = None
    #: Columns the file's metadata ties to questions (SPSS multiple-response sets):
    #: {header: (role, question, choice)}.
    aliases: Callable[[readers.RawTable, Questionnaire], dict] | None = None
    #: A repeat group's table (another sheet, another CSV) names its parent's row by
    #: (its column, the parent table's column): Kobo's ``_parent_index`` -> ``_index``,
    #: ODK Central's ``PARENT_KEY`` -> ``KEY``.
    parent_link: tuple[str, str] | None = None


#: Metadata fields an XLSForm can declare; Kobo and ODK export them as columns.
XLSFORM_META = ("start", "end", "today", "deviceid", "username", "simserial", "subscriberid",
                "phonenumber", "audit", "email")

# -- hooks ---------------------------------------------------------------------------------

_HXL = re.compile(r"#[a-z][a-z0-9_]*(?:\s*\+\s*[a-z][a-z0-9_]*)*", re.IGNORECASE)


def skip_hxl_row(raw: readers.RawTable) -> str | None:
    """KoboToolbox's default export puts the form's HXL hashtags (``#indicator+diet``) in
    the row under the header when the form has any; that row is no submission."""
    if raw.cells.empty:
        return None
    first = raw.cells.index[0]
    values = [str(v).strip() for v in raw.cells.loc[first] if str(v).strip()]
    if not values or not all(_HXL.fullmatch(v) for v in values):
        return None
    raw.cells = raw.cells.drop(index=first)
    return f"row {first} holds HXL hashtags (#indicator, ...), not a submission: skipped."


def qualtrics_header_rows(raw: readers.RawTable) -> str | None:
    """Qualtrics writes three header rows: export tags (the header), question texts, and
    ``{"ImportId":"QID1"}``: the texts become column labels, both rows are dropped."""
    if raw.cells.empty:
        return None
    rows = list(raw.cells.index[:2])
    texts = [str(v) for v in raw.cells.loc[rows[0]]]
    import_row = len(rows) > 1 and all(
        not str(v).strip() or str(v).strip().startswith('{"ImportId"')
        for v in raw.cells.loc[rows[1]])
    skipped = rows if import_row else rows[:1]
    for header, text in zip(raw.header, texts, strict=False):
        if header and text.strip() and text.strip() != header:
            raw.column_labels.setdefault(header, text.strip())
    raw.cells = raw.cells.drop(index=skipped)
    return None


def _column(cells: pd.DataFrame, columns: list, names: tuple[str, ...]) -> pd.Series | None:
    for col in columns:
        if col.header.strip().casefold() in names:
            return cells[col.index].astype(str).str.strip()
    return None


def limesurvey_unfinished(cells: pd.DataFrame, columns: list):
    """LimeSurvey keeps unfinished responses with an empty submitdate."""
    time = next((c for c in columns if c.role == "time"), None)
    if time is None:
        return None
    unfinished = cells[time.index].astype(str).str.strip() == ""
    return unfinished, (f"{int(unfinished.sum())} unfinished responses (no submitdate) were "
                        "left out.")


def qualtrics_unfinished(cells: pd.DataFrame, columns: list):
    """Qualtrics marks responses the respondent did not finish with Finished = False (0)."""
    finished = _column(cells, columns, ("finished",))
    if finished is None:
        return None
    unfinished = finished.str.casefold().isin(("false", "0"))
    return unfinished, (f"{int(unfinished.sum())} unfinished responses (Finished = False) "
                        "were left out.")


def spss_aliases(raw: readers.RawTable, form: Questionnaire) -> dict[str, tuple]:
    """SPSS multiple-response sets: a dichotomy set's variables are the options (in order),
    a category set's variables each hold one chosen option."""
    aliases: dict[str, tuple] = {}
    for set_name, spec in raw.mr_sets.items():
        name = set_name.lstrip("$").casefold()
        q = next((q for q in form.answered if q.name.casefold() == name
                  and q.type == "select_multiple"), None)
        if q is None:
            continue
        dichotomy = spec.get("is_dichotomy") or spec.get("type") == "D"
        for position, variable in enumerate(spec.get("variable_list") or []):
            if not dichotomy:
                aliases[variable] = ("category", q, None)
                continue
            tail = variable.rsplit("_", 1)[-1] if "_" in variable else ""
            choice = choice_for_code(q, tail) or choice_for_code(
                q, raw.column_labels.get(variable, ""))
            if choice is None and position < len(q.choices):
                choice = q.choices[position].name
            if choice is not None:
                aliases[variable] = ("option", q, choice)
                _count_value(raw, variable, spec.get("counted_value"))
    return aliases


def _count_value(raw: readers.RawTable, variable: str, counted) -> None:
    """A dichotomy set may count 2 (1 = no, 2 = yes): rewrite its cells to 1/0."""
    if counted in (None, 1, "1") or variable not in raw.header:
        return
    readers = _readers()
    index = raw.header.index(variable)
    counted_text = readers.code_text(counted)
    raw.cells[index] = readers.per_value(
        raw.cells[index], lambda v: "" if not v.strip() else "1" if v.strip() == counted_text
        else "0")


def _readers():
    from syrmak.survey import readers

    return readers


def _has_any(*names: str) -> Callable[[list[str]], bool]:
    return lambda header: bool(set(header) & set(names))


# -- the layouts ---------------------------------------------------------------------------

_GOOGLE_TIMES = ("timestamp", "отметка времени", "временная метка", "уақыт белгісі",
                 "horodateur", "zeitstempel", "marca temporal")
GOOGLE_FORMS = Layout(
    "google-forms",
    multi_separators=(", ",),
    inline_other=True,
    time_columns=_GOOGLE_TIMES,
    time_first=True,
    ignore=("score", "баллы", "total score"),
    personal_columns=("email address", "адрес электронной почты", "электронная почта",
                      "электрондық пошта мекенжайы"),
    detect=lambda header: bool(header) and header[0] in _GOOGLE_TIMES,
)
KOBO = Layout(
    "kobo", ("/",), ("/",), (" ",),
    key_columns=("_uuid", "meta/instanceid", "instanceid"),
    time_columns=("_submission_time",),
    version_columns=("__version__",),
    ignore=XLSFORM_META + ("formhub/uuid", "meta/rootuuid", "meta/deprecatedid",
                           "meta/instancename", "meta/audit"),
    ignore_prefixes=("_",),
    # Attachment links (``photo_URL``) next to a media question's file name.
    ignore_pattern=r".+_url",
    ignore_suffixes=("word at flash", "duration of exercise", "total words attempted"),
    missing_values=("n/a",),
    parent_link=("_parent_index", "_index"),
    detect=_has_any("_uuid", "_submission_time", "_index"),
    header_rows=skip_hxl_row,
)
ODK = Layout(
    # Central's split select-multiple columns: ``q1/a``, ``g1-q2/m``.
    "odk", ("-",), ("/", "-"), (" ",),
    key_columns=("key", "meta-instanceid", "instanceid"),
    time_columns=("submissiondate",),
    ignore=XLSFORM_META + ("submitterid", "submittername", "attachmentspresent",
                           "attachmentsexpected", "status", "reviewstate", "edits",
                           "formversion", "parent_key"),
    ignore_prefixes=("meta-",),
    location_parts=("latitude", "longitude", "altitude", "accuracy"),
    parent_link=("parent_key", "key"),
    detect=lambda header: "key" in header and _has_any(
        "submissiondate", "submitterid", "meta-instanceid")(header),
)
LIMESURVEY = Layout(
    "limesurvey", (), (), (", ", "; ", " | "),
    positional_codes=True,
    local_key_columns=("id",),
    time_columns=("submitdate",),
    ignore=("lastpage", "startlanguage", "seed", "startdate", "datestamp", "ipaddr", "refurl",
            "token", "interviewtime"),
    ignore_pattern=r"grouptime\d+|.+time",
    detect=lambda header: len(set(header) & {"id", "submitdate", "lastpage", "startlanguage",
                                             "seed"}) >= 3,
    unfinished=limesurvey_unfinished,
)
QUALTRICS = Layout(
    "qualtrics", (), ("_",), (",", ", "),
    positional_codes=True,
    key_columns=("responseid", "_recordid"),
    time_columns=("recordeddate",),
    ignore=("startdate", "enddate", "status", "progress", "duration (in seconds)", "finished",
            "distributionchannel", "userlanguage", "externalreference", "q_recaptchascore",
            "q_relevantidduplicate", "q_relevantidduplicatescore", "q_relevantidfraudscore",
            "q_relevantidlaststartdate", "q_totalduration", "q_url"),
    personal_columns=("ipaddress", "recipientlastname", "recipientfirstname",
                      "recipientemail", "locationlatitude", "locationlongitude"),
    detect=lambda header: "responseid" in header and _has_any(
        "startdate", "recordeddate", "finished")(header),
    header_rows=qualtrics_header_rows,
    unfinished=qualtrics_unfinished,
)
SPSS = Layout(
    "spss", (), ("_", "."), (" ", ", ", ";"),
    positional_codes=True,
    key_columns=("uuid", "_uuid", "key", "instanceid", "meta_instanceid"),
    local_key_columns=("id",),
    time_columns=("timestamp", "submitdate", "_submission_time", "submissiondate"),
    suffixes=(".sav", ".zsav", ".por"),
    reader=lambda path: _readers().read_spss(path),
    aliases=spss_aliases,
)
CSV = Layout(
    "csv", ("/", "-", "."), ("/", "-", ".", ":", "_"),
    (", ", "; ", ";", " | ", "|", "\n", ",", " "),
    inline_other=True,
    key_columns=("uuid", "_uuid", "key", "instanceid", "meta/instanceid", "meta-instanceid"),
    time_columns=("timestamp", "submitted_at", "submission_time", "_submission_time",
                  "submissiondate", "отметка времени", "время отправки"),
    header_rows=skip_hxl_row,
)
#: Every layout; ``--format auto`` takes the first whose ``detect`` accepts the header, and
#: ``csv`` (last) when none does.
LAYOUTS = {layout.name: layout for layout in (GOOGLE_FORMS, KOBO, ODK, LIMESURVEY, QUALTRICS,
                                              SPSS, CSV)}
FORMATS = ("auto", *LAYOUTS)

_BRACKET = re.compile(r"^(?P<head>.+?)\s*\[(?P<tail>[^\[\]]+)\]$")
_REPEAT_CELL = re.compile(r"^(?P<repeat>[^\[\]]+)\[(?P<n>\d+)\]/(?P<name>[^\[\]/]+)$")
_POSITION = re.compile(r"(?:sq|ao|a)?0*(?P<n>\d+)", re.IGNORECASE)
#: Codes tools use for the "Other" option.
_OTHER_CODES = frozenset({"other", "-oth-", "другое", "other_text"})


def normalise(text: str) -> str:
    """Compare headers and labels loosely: case, spacing, a trailing '*' or ':'."""
    return normal(text).rstrip("*:").strip()


@dataclass(frozen=True)
class Column:
    """What one column of the file holds."""

    index: int
    header: str
    #: answer | option | other | category | location | repeat | key | local_key | time |
    #: version | ignore | personal_meta
    role: str
    question: Question | None = None
    #: The option (role "option"), or the part of a location (role "location": latitude ...).
    choice: str | None = None
    #: For role "repeat" (a repeat flattened into columns, ``r[2]/q``): the instance, from 1.
    instance: int | None = None


def layout_for_file(path: Path) -> Layout | None:
    """The layout whose own reader reads files of this suffix (SPSS), if any."""
    suffix = path.suffix.lower()
    return next((layout for layout in LAYOUTS.values() if suffix in layout.suffixes), None)


def detect_format(path: Path, header: list[str]) -> str:
    """The first layout that knows the file's suffix or whose ``detect`` takes the header."""
    own = layout_for_file(path)
    if own is not None:
        return own.name
    lowered = [h.strip().casefold() for h in header]
    for layout in LAYOUTS.values():
        if layout.detect is not None and layout.detect(lowered):
            return layout.name
    return "csv"


def choice_for_code(q: Question, code: str, positional: bool = False) -> str | None:
    """The option a code or label names: its name, a label, a position or "other"."""
    key = code.strip().casefold()
    for c in q.choices:
        if c.name.casefold() == key:
            return c.name
    exact = " ".join(code.split())
    for c in q.choices:  # two options may differ only in case ("Курочка", "курочка")
        if any(" ".join(t.split()) == exact for t in c.labels.values()):
            return c.name
    wanted = normalise(code)
    for c in q.choices:
        if any(normalise(t) == wanted for t in c.labels.values()):
            return c.name
    if key in _OTHER_CODES and q.or_other:
        return OTHER
    match = _POSITION.fullmatch(code.strip())
    if positional and match and 1 <= int(match["n"]) <= len(q.choices):
        return q.choices[int(match["n"]) - 1].name
    return None


def _split_at(text: str, sep: str):
    """Every way to cut ``text`` at ``sep``: (before, after), rightmost cut first."""
    position = text.rfind(sep)
    while position > 0:
        yield text[:position], text[position + len(sep):]
        position = text.rfind(sep, 0, position)


class ColumnMapper:
    """Maps headers to questions for one questionnaire and layout."""

    def __init__(self, form: Questionnaire, layout: Layout, versions: bool = False) -> None:
        self.form = form
        self.layout = layout
        #: The file spans several versions of the questionnaire (Kobo's all-versions
        #: export): a column no version of the loaded form knows is a question or an
        #: option of another version, not a mistake.
        self.versions = versions
        #: Options met only in such columns, by question: {question: [option, ...]}.
        self.new_options: dict[str, list[str]] = {}
        self.by_name: dict[str, Question] = {}
        self.by_label: dict[str, list[Question]] = {}
        self.sections: dict[str, str] = {}
        self.in_section: dict[str, list[Question]] = {}
        #: Questions of loops, by their path in the form (their names are made unique).
        self.by_path: dict[str, Question] = {}
        #: Questions answered in repeat groups, for repeats flattened into columns.
        self.repeated: dict[str, Question] = {
            q.name.casefold(): q for q in form.questions if q.has_answer and q.repeat}
        for q in form.answered:
            self.by_name[q.name.casefold()] = q
            if q.path:
                self.by_path[q.path.casefold()] = q
            for text in q.labels.values():
                same = self.by_label.setdefault(normalise(text), [])
                if q not in same:
                    same.append(q)
            if q.section:
                self.in_section.setdefault(q.section, []).append(q)
        for s in form.sections:
            self.sections[s.name.casefold()] = s.name
            self.sections[s.name.rsplit("/", 1)[-1].casefold()] = s.name
            for text in s.labels.values():
                self.sections.setdefault(normalise(text), s.name)

    # -- one header ----------------------------------------------------------------
    def _direct(self, text: str, taken: set[str]) -> Question | None:
        q = self.by_name.get(text.strip().casefold())
        if q is not None:
            return q
        candidates = self.by_label.get(normalise(text), [])
        # Two questions may share a label (items of two batteries): take them in order.
        for q in candidates:
            if q.name not in taken:
                return q
        return candidates[0] if candidates else None

    def question(self, text: str, taken: set[str] = frozenset()) -> Question | None:
        """By name or label, else by the part after a group path (``group/q``)."""
        q = self._direct(text, taken)
        if q is not None:
            return q
        if self.by_path:
            path = text.strip().casefold()
            for sep in self.layout.group_separators:
                path = path.replace(sep, "/")
            parts = path.split("/")
            for start in range(len(parts) - 1):
                q = self.by_path.get("/".join(parts[start:]))
                if q is not None:
                    return q
        for sep in self.layout.group_separators:
            position = text.find(sep)
            while position >= 0:
                q = self._direct(text[position + len(sep):], taken)
                if q is not None:
                    return q
                position = text.find(sep, position + 1)
        return None

    def option(self, text: str) -> tuple[Question, str] | None:
        """``q/opt``, ``q-opt``, ``q_opt``, ``q[opt]``: a column for one option."""
        splits = []
        match = _BRACKET.match(text)
        if match:
            splits.append((match["head"], match["tail"]))
        for sep in self.layout.option_separators:
            splits.extend(_split_at(text, sep))
        for head, tail in splits:
            q = self.question(head)
            if q is None or q.type != "select_multiple":
                continue
            choice = choice_for_code(q, tail, self.layout.positional_codes or bool(match))
            if choice is not None:
                return q, choice
        # An option another version of the form had, or a code of a list kept in a file
        # (ODK Central gives each value seen a column of its own).
        for head, tail in splits:
            q = self.question(head)
            code = tail.strip()
            if q is not None and q.type == "select_multiple" and code \
                    and (self.versions or q.open_choices) \
                    and not any(c.isspace() for c in code):
                self.new_options.setdefault(q.name, [])
                if code not in self.new_options[q.name]:
                    self.new_options[q.name].append(code)
                return q, code
        return None

    def grid_row(self, text: str, taken: set[str]) -> Question | None:
        """``Grid title [Row label]`` (Google Forms) or ``array[SQ001]`` (LimeSurvey)."""
        match = _BRACKET.match(text)
        if not match:
            return None
        section = self.sections.get(normalise(match["head"])) or self.sections.get(
            match["head"].strip().casefold())
        rows = self.in_section.get(section, []) if section else []
        tail = match["tail"].strip()
        for q in rows:
            if q.name.casefold() == tail.casefold() or normalise(tail) in map(
                    normalise, q.labels.values()):
                return q
        position = _POSITION.fullmatch(tail)
        if rows and position and 1 <= int(position["n"]) <= len(rows):
            return rows[int(position["n"]) - 1]
        return self._direct(tail, taken) if not section else None

    def other_text(self, text: str) -> Question | None:
        """LimeSurvey's ``Q1[other]``: the free text of a single-choice "Other"."""
        match = _BRACKET.match(text)
        if not match or match["tail"].strip().casefold() not in _OTHER_CODES:
            return None
        q = self.question(match["head"])
        return q if q is not None and q.or_other else None

    def _tool_column(self, index: int, raw: str) -> Column | None:
        layout = self.layout
        low = raw.strip().casefold()
        if layout.time_first and index == 0 and low in layout.time_columns:
            return Column(index, raw, "time")
        times = () if layout.time_first else layout.time_columns
        for role, names in (("key", layout.key_columns), ("local_key", layout.local_key_columns),
                            ("time", times), ("version", layout.version_columns),
                            ("personal_meta", layout.personal_columns)):
            if low in names:
                return Column(index, raw, role)
        return None

    def location(self, text: str) -> tuple[Question, str] | None:
        """``q-Latitude``: one part of a location question (ODK Central splits them)."""
        for sep in self.layout.group_separators:
            head, found, tail = text.rpartition(sep)
            if not found or tail.strip().casefold() not in self.layout.location_parts:
                continue
            q = self.question(head)
            if q is not None and q.type == "geopoint":
                return q, tail.strip().casefold()
        return None

    def repeat_column(self, text: str) -> tuple[Question, int] | None:
        """``repeat[2]/q``: a question of a repeat group, flattened into one column per
        instance (KoboCAT's legacy CSV)."""
        match = _REPEAT_CELL.match(text.strip())
        if not match or not self.repeated:
            return None
        q = self.repeated.get(match["name"].casefold())
        if q is None or q.repeat.rsplit("/", 1)[-1].casefold() != \
                match["repeat"].rsplit("/", 1)[-1].casefold():
            return None
        return q, int(match["n"])

    def _is_bookkeeping(self, raw: str) -> bool:
        low = raw.strip().casefold()
        layout = self.layout
        hidden = {name.casefold() for name in self.form.hidden_fields}
        tail = re.split(r"[/\-]", low)[-1]
        if layout.ignore_suffixes and low.rsplit("/", 1)[-1].strip() in layout.ignore_suffixes:
            return True
        return (low in layout.ignore or low in hidden or tail in hidden
                or bool(layout.ignore_prefixes and low.startswith(layout.ignore_prefixes))
                or bool(layout.ignore_pattern and re.fullmatch(layout.ignore_pattern, low)))

    def resolve(self, index: int, raw: str, taken: set[str]) -> Column | None:
        """What the column holds, or None if it matches nothing."""
        text = raw.strip()
        tool = self._tool_column(index, raw)
        if tool is not None:
            return tool
        q = self.question(text, taken)
        if q is not None:
            return Column(index, raw, "answer", q)
        found = self.option(text)
        if found is not None:
            return Column(index, raw, "option", found[0], found[1])
        part = self.location(text) if self.layout.location_parts else None
        if part is not None:
            return Column(index, raw, "location", part[0], part[1])
        repeated = self.repeat_column(text)
        if repeated is not None:
            return Column(index, raw, "repeat", repeated[0], instance=repeated[1])
        q = self.other_text(text)
        if q is not None:
            return Column(index, raw, "other", q)
        q = self.grid_row(text, taken)
        if q is not None:
            return Column(index, raw, "answer", q)
        if self._is_bookkeeping(raw):
            return Column(index, raw, "ignore")
        return None

    def score(self, header: list[str]) -> int:
        """How many header fields this layout understands (to pick a delimiter)."""
        return sum(1 for i, h in enumerate(header) if h.strip() and self.resolve(i, h, set()))

    # -- the whole header ------------------------------------------------------------
    def map(self, header: list[str], file: str, filled: list[bool] | None = None) -> list[Column]:
        """Map every column; ``filled[i]`` says whether column i holds any value."""
        columns: list[Column] = []
        errors = ErrorList()
        taken: dict[str, str] = {}  # slot (question + role + option) -> header that took it
        taken_q: set[str] = set()
        for index, raw in enumerate(header):
            if not raw.strip():
                if filled is not None and filled[index]:
                    errors.add(self._nameless(index, file))
                columns.append(Column(index, raw, "ignore"))
                continue
            column = self.resolve(index, raw, taken_q)
            empty = filled is not None and not filled[index]
            if column is None and self.versions:
                # A question of another version: kept as one (text) if it holds answers.
                columns.append(Column(index, raw, "ignore" if empty else "version_question"))
                continue
            if column is None:
                errors.add(self._unknown(raw.strip(), file, index))
                continue
            if column.question is not None:
                slot = f"{column.question.name}#{column.role}#{column.choice}#{column.instance}"
                if slot in taken and column.role == "option":
                    column, slot = self._same_label(column, taken)
                if slot in taken and self.versions:
                    # Two versions' questions with one label: the other version's.
                    columns.append(Column(index, raw, "ignore" if empty else
                                          "version_question"))
                    continue
                if slot in taken:
                    errors.add(self._duplicate(taken[slot], raw.strip(), column, file))
                    continue
                taken[slot] = raw.strip()
                taken_q.add(column.question.name)
            columns.append(column)
        self._check_fit(columns, errors, header, file)
        errors.raise_if_any()
        return columns

    @staticmethod
    def _same_label(column: Column, taken: dict[str, str]) -> tuple[Column, str]:
        """Two options with one label (a word repeated in a reading test) have a column
        each: the second column is the next option with that label."""
        q = column.question
        labels = {normalise(t) for t in q.choice(column.choice).labels.values()}
        for c in q.choices:
            slot = f"{q.name}#option#{c.name}#None"
            if slot not in taken and labels & {normalise(t) for t in c.labels.values()}:
                return replace(column, choice=c.name), slot
        return column, f"{q.name}#option#{column.choice}#None"

    def _check_fit(self, columns: list[Column], errors: ErrorList, header: list[str],
                   file: str) -> None:
        answered = [c for c in columns if c.question is not None]
        named = [h for h in header if h.strip()]
        unknown = [e.location.column for e in errors.errors if e.code == "unknown-column"]
        if not answered or len(unknown) >= max(3, len(named) // 2):
            raise SyrmakError(
                f"this file does not look like responses to questionnaire "
                f"'{self.form.form_id}' ({self.form.title}): {len(answered)} of {len(named)} "
                "columns match its questions.",
                "load the questionnaire this file was exported from, or check you picked the "
                "right file (and the right --format).",
                code="wrong-questionnaire", file=file, row=1,
                column=unknown[0] if unknown else None,
            )

    def _unknown(self, text: str, file: str, index: int) -> SyrmakError:
        if detect.looks_like_contact(text):
            # A file without its header row: the first respondent's answers are "headers".
            return SyrmakError(
                f"column {index + 1} has a header that looks like a contact ({detect.MASK}), "
                f"which matches no question of questionnaire '{self.form.form_id}'.",
                "check that the first row of the file is its header row (export it again "
                "with headers), or rename the column to a question name or label.",
                code="unknown-column", file=file, row=1, column=f"#{index + 1}")
        names = [x.name for x in self.form.answered] + [
            x.label(lang) for x in self.form.answered for lang in self.form.languages]
        close = difflib.get_close_matches(text, names, n=2, cutoff=0.6)
        hint = (f"did you mean {' or '.join(repr(c) for c in close)}? " if close else "")
        hint += ("rename the column to a question name or label, delete it, or load the "
                 "questionnaire version this file was exported from.")
        return SyrmakError(
            f"column '{text}' matches no question of questionnaire '{self.form.form_id}'.",
            hint, code="unknown-column", file=file, row=1, column=text, value=text,
        )

    @staticmethod
    def _nameless(index: int, file: str) -> SyrmakError:
        return SyrmakError(
            f"column {index + 1} has no header but holds answers.",
            "give the column the name or label of its question, or delete it.",
            code="unknown-column", file=file, row=1, column=f"#{index + 1}", value="",
        )

    @staticmethod
    def _duplicate(first: str, second: str, column: Column, file: str) -> SyrmakError:
        what = (f"option '{column.choice}' of " if column.choice else "") + \
            f"question '{column.question.name}'"
        return SyrmakError(
            f"columns '{first}' and '{second}' both hold {what}.",
            "delete one of the duplicate columns (or rename it if it belongs to another "
            "question).",
            code="duplicate-column", file=file, row=1, column=second, value=second,
        )


# -- answers ------------------------------------------------------------------------

class Decoder:
    """Turns one question's distinct cell texts into choice names (and "Other" texts)."""

    def __init__(self, q: Question, layout: Layout, value_labels: dict[str, str] | None = None):
        self.q = q
        self.layout = layout
        self.value_labels = value_labels or {}
        self.names = {c.name.casefold(): c.name for c in q.choices}
        self.lookup: dict[str, str] = {}
        for c in q.choices:
            for text in c.labels.values():
                self.lookup.setdefault(normalise(text), c.name)
        # Longest first, so a label containing ", " wins over a shorter one inside it.
        pairs = {(t.strip().casefold(), c.name) for c in q.choices
                 for t in [*c.labels.values(), c.name] if t.strip()}
        self.labels_longest = sorted(pairs, key=lambda item: (-len(item[0]), item[0]))
        self.order = {c.name: i for i, c in enumerate(q.choices)}

    def _known(self, text: str) -> str | None:
        key = text.strip()
        found = self.names.get(key.casefold()) or self.lookup.get(normalise(key))
        if found is None and key in self.value_labels:
            found = self.lookup.get(normalise(self.value_labels[key]))
            found = found or choice_for_code(self.q, self.value_labels[key])
        if found is None:
            found = choice_for_code(self.q, key, self.layout.positional_codes)
        return found

    def one(self, text: str) -> tuple[str, str | None] | None:
        """A single choice: (name, other_text), or None if unknown."""
        found = self._known(text)
        if found is not None:
            return found, None
        if self.q.open_choices and text.strip():
            return text.strip(), None  # options from a file: the code is the answer
        if self.q.or_other and self.layout.inline_other:
            return OTHER, text.strip()
        return None

    def many(self, text: str) -> tuple[list[str], str | None] | None:
        """A multi-answer cell: names joined by spaces, or labels joined by ', ' and the like."""
        text = text.strip()
        tokens = [self.names.get(t.casefold()) for t in text.split()]
        if tokens and all(tokens):
            return self._ordered(tokens), None
        if self.q.open_choices:
            return self._ordered(text.split()), None
        whole = self._known(text)
        if whole is not None:
            return [whole], None
        if len(text) > MAX_SELECT_TEXT:
            return ([OTHER], text) if self._other_ok else None
        parsed = self._split(text)
        if parsed is None:
            return None
        names = [p for p in parsed if isinstance(p, str)]
        other = next((p[1] for p in parsed if isinstance(p, tuple)), None)
        if other is not None:
            names.append(OTHER)
        return self._ordered(names), other

    @property
    def _other_ok(self) -> bool:
        return self.q.or_other and self.layout.inline_other

    def _split(self, text: str) -> tuple | None:
        """Read ``text`` as option labels joined by the layout's separators.

        Dynamic programming from the end, so a label that contains a separator (an option
        "Human rights, legal aid") is read whole, and a wrong early cut cannot hide a
        reading that works. Google Forms writes the "Other" text last.
        """
        n = len(text)
        best: list[tuple | None] = [None] * (n + 1)
        best[n] = ()
        cuts = self._cuts(text) if self._other_ok else frozenset()
        for i in range(n - 1, -1, -1):
            best[i] = self._parse_at(text, i, best)
            if best[i] is None and i in cuts:
                best[i] = (("other", text[i:].strip()),)
        return best[0]

    def _parse_at(self, text: str, i: int, best: list) -> tuple | None:
        n = len(text)
        for label, name in self.labels_longest:
            end = i + len(label)
            if end > n or text[i:end].casefold() != label:
                continue
            if end == n:
                return (name,)
            for sep in self.layout.multi_separators:
                if text.startswith(sep, end):
                    after = end + len(sep)
                    while after < n and text[after] == " ":
                        after += 1
                    if after < n and best[after] is not None:
                        return (name, *best[after])
        return None

    def _cuts(self, text: str) -> frozenset[int]:
        """Where an option may start: the beginning, and after each separator."""
        cuts = {0}
        for sep in self.layout.multi_separators:
            position = text.find(sep)
            while position >= 0:
                after = position + len(sep)
                while after < len(text) and text[after] == " ":
                    after += 1
                cuts.add(after)
                position = text.find(sep, position + 1)
        return frozenset(cuts)

    def _ordered(self, names: list[str]) -> list[str]:
        unique = list(dict.fromkeys(names))
        if self.q.type == "rank":
            return unique  # a ranking keeps its order
        return sorted(unique, key=lambda n: self.order.get(n, len(self.order)))
