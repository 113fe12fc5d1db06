"""How each survey tool lays out its export, and mapping its columns to questions.

A column is mapped to a question by name or by label in any questionnaire language;
tool-specific spellings (Kobo's ``group/q``, ODK Central's ``group-q``, LimeSurvey's
``Q1[SQ001]``, Google Forms' grid ``Title [Row]``) are handled by the layout.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from syrmak.errors import ErrorList, SyrmakError
from syrmak.survey.instrument import OTHER, Question, Questionnaire

FORMATS = ("auto", "google-forms", "kobo", "odk", "limesurvey", "spss", "csv")


@dataclass(frozen=True)
class Layout:
    name: str
    #: Separators between a group path and a question name.
    group_separators: tuple[str, ...]
    #: How a multi-answer cell joins its options.
    joiner: str
    key_columns: tuple[str, ...] = ()
    time_columns: tuple[str, ...] = ()
    #: Tool bookkeeping columns that carry no answer.
    ignore: tuple[str, ...] = ()
    ignore_prefixes: tuple[str, ...] = ()
    form_id_columns: tuple[str, ...] = ()


GOOGLE_FORMS = Layout(
    "google-forms", (), ", ",
    time_columns=("timestamp", "отметка времени", "временная метка", "уақыт белгісі", "horodateur",
                  "zeitstempel", "marca temporal"),
    ignore=("email address", "адрес электронной почты", "score", "баллы"),
)
KOBO = Layout(
    "kobo", ("/",), " ",
    key_columns=("_uuid", "meta/instanceid", "instanceid"),
    time_columns=("_submission_time",),
    ignore=("_id", "_index", "_validation_status", "_notes", "_status", "_submitted_by", "__version__",
            "_tags", "start", "end", "today", "deviceid", "formhub/uuid", "meta/rootuuid",
            "meta/deprecatedid", "_parent_index", "_parent_table_name", "_attachments", "_geolocation",
            "meta/instancename", "_version_"),
    ignore_prefixes=("_",),
    form_id_columns=("_xform_id_string",),
)
ODK = Layout(
    "odk", ("-",), " ",
    key_columns=("key", "meta-instanceid", "instanceid"),
    time_columns=("submissiondate",),
    ignore=("submitterid", "submittername", "attachmentspresent", "attachmentsexpected", "status",
            "reviewstate", "deviceid", "edits", "formversion", "start", "end", "today",
            "meta-instancename", "meta-deprecatedid"),
)
LIMESURVEY = Layout(
    "limesurvey", (), ", ",
    key_columns=("id",),
    time_columns=("submitdate",),
    ignore=("lastpage", "startlanguage", "seed", "startdate", "datestamp", "ipaddr", "refurl", "token",
            "interviewtime"),
)
SPSS = Layout("spss", (), " ", key_columns=("uuid", "_uuid", "key", "id"), time_columns=("timestamp",))
CSV = Layout(
    "csv", ("/", "-", "."), " ",
    key_columns=("uuid", "_uuid", "key", "instanceid", "meta/instanceid"),
    time_columns=("timestamp", "submitted_at", "submission_time", "_submission_time",
                  "отметка времени"),
)
LAYOUTS = {layout.name: layout for layout in (GOOGLE_FORMS, KOBO, ODK, LIMESURVEY, SPSS, CSV)}

_OPTION_BRACKET = re.compile(r"^(?P<q>.+?)\s*\[(?P<opt>[^\[\]]+)\]$")


def normalise(text: str) -> str:
    """Compare headers and labels loosely: case, spacing, a trailing '*' or ':'."""
    text = re.sub(r"\s+", " ", str(text)).strip().casefold()
    return text.rstrip("*:").strip()


@dataclass(frozen=True)
class Column:
    """What one column of the file holds."""

    index: int
    header: str
    role: str  # answer | option | other | key | time | ignore
    question: Question | None = None
    choice: str | None = None  # for role == "option"


def detect_format(path: Path, header: list[str]) -> str:
    if path.suffix.lower() == ".sav":
        return "spss"
    lowered = [h.strip().casefold() for h in header]
    if lowered and lowered[0] in GOOGLE_FORMS.time_columns:
        return "google-forms"
    if "_uuid" in lowered or "_submission_time" in lowered:
        return "kobo"
    if "key" in lowered and ("submissiondate" in lowered or "submitterid" in lowered):
        return "odk"
    if "submitdate" in lowered and ("lastpage" in lowered or "startlanguage" in lowered):
        return "limesurvey"
    return "csv"


class ColumnMapper:
    """Maps headers to questions for one questionnaire and layout."""

    def __init__(self, form: Questionnaire, layout: Layout) -> None:
        self.form = form
        self.layout = layout
        self.by_name: dict[str, Question] = {}
        self.by_label: dict[str, list[Question]] = {}
        self.by_section_label: dict[tuple[str, str], Question] = {}
        for q in form.answered:
            self.by_name[q.name.casefold()] = q
            for text in q.labels.values():
                self.by_label.setdefault(normalise(text), [])
                if q not in self.by_label[normalise(text)]:
                    self.by_label[normalise(text)].append(q)
            if q.section:
                section = form.section(q.section)
                for code, text in section.labels.items():
                    self.by_section_label[(normalise(text), normalise(q.label(code)))] = q

    def _question(self, text: str, taken: set[str]) -> Question | None:
        key = text.strip().casefold()
        if key in self.by_name:
            return self.by_name[key]
        for sep in self.layout.group_separators:
            if sep in key:
                tail = key.rsplit(sep, 1)[1]
                if tail in self.by_name:
                    return self.by_name[tail]
        candidates = self.by_label.get(normalise(text), [])
        # Two questions may share a label (e.g. items of two batteries): take them in order.
        for q in candidates:
            if q.name not in taken:
                return q
        return candidates[0] if candidates else None

    def _option(self, text: str, taken: set[str]) -> tuple[Question, str] | None:
        """``q/opt``, ``q-opt``, ``q.opt``, ``q[opt]``: a column for one option."""
        splits: list[tuple[str, str]] = []
        match = _OPTION_BRACKET.match(text)
        if match:
            splits.append((match["q"], match["opt"]))
        for sep in ("/", "-", ".", "_"):
            if sep in text:
                head, tail = text.rsplit(sep, 1)
                splits.append((head, tail))
        for head, tail in splits:
            q = self._question(head, taken)
            if q is None or q.type != "select_multiple":
                continue
            choice = self.choice_for_code(q, tail)
            if choice is not None:
                return q, choice
        return None

    @staticmethod
    def choice_for_code(q: Question, code: str) -> str | None:
        code_n = normalise(code)
        for c in q.choices:
            if c.name.casefold() == code.strip().casefold():
                return c.name
        for c in q.choices:
            if any(normalise(t) == code_n for t in c.labels.values()):
                return c.name
        # LimeSurvey numbers subquestions SQ001, SQ002 … in option order.
        m = re.fullmatch(r"(?:sq|a)?0*(\d+)", code.strip(), re.IGNORECASE)
        if m and 1 <= int(m.group(1)) <= len(q.choices):
            return q.choices[int(m.group(1)) - 1].name
        if code.strip().casefold() in ("other", "другое", "other_text") and q.or_other:
            return OTHER
        return None

    def _grid(self, text: str, taken: set[str]) -> Question | None:
        """Google Forms grid: ``Grid title [Row label]`` is a question of that section."""
        match = _OPTION_BRACKET.match(text)
        if not match:
            return None
        q = self.by_section_label.get((normalise(match["q"]), normalise(match["opt"])))
        if q is not None:
            return q
        candidates = self.by_label.get(normalise(match["opt"]), [])
        for q in candidates:
            if q.name not in taken:
                return q
        return None

    def map(self, header: list[str], file: str) -> list[Column]:
        layout = self.layout
        columns: list[Column] = []
        errors = ErrorList()
        taken: dict[str, str] = {}  # question name (+option) -> header that took it
        taken_q: set[str] = set()
        for index, raw in enumerate(header):
            text = raw.strip()
            low = text.casefold()
            if not text:
                # Trailing empty header cells are common in spreadsheet exports.
                columns.append(Column(index, raw, "ignore"))
                continue
            if index == 0 and layout is GOOGLE_FORMS and low in layout.time_columns:
                columns.append(Column(index, raw, "time"))
                continue
            if low in layout.key_columns:
                columns.append(Column(index, raw, "key"))
                continue
            if low in layout.time_columns:
                columns.append(Column(index, raw, "time"))
                continue
            if low in layout.form_id_columns:
                columns.append(Column(index, raw, "form_id"))
                continue
            q = self._question(text, taken_q)
            role, choice = "answer", None
            if q is None:
                found = self._option(text, taken_q)
                if found:
                    q, choice = found
                    role = "option"
            if q is None and layout.name == "limesurvey":
                match = _OPTION_BRACKET.match(text)
                if match and match["opt"].strip().casefold() == "other":
                    q = self._question(match["q"], taken_q)
                    if q is not None and q.or_other:
                        role = "other"
            if q is None:
                q = self._grid(text, taken_q)
            if q is None:
                if low in layout.ignore or (layout.ignore_prefixes and low.startswith(layout.ignore_prefixes)):
                    columns.append(Column(index, raw, "ignore"))
                    continue
                names = [x.name for x in self.form.answered] + [
                    x.label(lang) for x in self.form.answered for lang in self.form.languages
                ]
                close = difflib.get_close_matches(text, names, n=2, cutoff=0.6)
                errors.add(SyrmakError(
                    f"column '{text}' matches no question of questionnaire '{self.form.form_id}'.",
                    (f"did you mean {' or '.join(repr(c) for c in close)}? " if close else "")
                    + "rename the column to a question name or label, or load the questionnaire version "
                    "this file was exported from.",
                    code="unknown-column", file=file, row=1, column=text, value=text,
                ))
                continue
            slot = f"{q.name}/{choice}" if role == "option" else f"{q.name}#{role}"
            if slot in taken:
                errors.add(SyrmakError(
                    f"columns '{taken[slot]}' and '{text}' both hold "
                    f"{'option ' + repr(choice) + ' of ' if choice else ''}question '{q.name}'.",
                    "delete one of the duplicate columns.",
                    code="duplicate-column", file=file, row=1, column=text, value=text,
                ))
                continue
            taken[slot] = text
            taken_q.add(q.name)
            columns.append(Column(index, raw, role, q, choice))
        answered = [c for c in columns if c.question is not None]
        data_headers = [c for c in columns if c.role != "ignore" or c.header.strip()]
        if not answered or (errors.errors and len(errors.errors) >= max(3, len(data_headers) // 2)):
            raise SyrmakError(
                f"this file does not look like responses to questionnaire '{self.form.form_id}' "
                f"({self.form.title}): {len(answered)} of {len(header)} columns match its questions.",
                "load the questionnaire this file was exported from, or check you picked the right file "
                "(and the right --format).",
                code="wrong-questionnaire", file=file, row=1,
            )
        errors.raise_if_any()
        return columns
