"""How each survey tool lays out its export, and mapping its columns to questions.

A column is mapped to a question by name or by label in any questionnaire language;
tool-specific spellings (Kobo's ``group/q``, ODK Central's ``group-q``, LimeSurvey's
``Q1[SQ001]``, Google Forms' grid ``Title [Row]``, SPSS's ``q_option``) are handled by
the layout.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from syrmak.errors import ErrorList, SyrmakError
from syrmak.privacy import detect
from syrmak.survey.instrument import OTHER, Question, Questionnaire
from syrmak.text import normal

#: A select cell longer than this is no list of options (it is decoded as "Other" or refused).
MAX_SELECT_TEXT = 4000

FORMATS = ("auto", "google-forms", "kobo", "odk", "limesurvey", "spss", "csv")

#: Kept for code written against the old home of the check; the detector is privacy.detect.
looks_like_contact = detect.looks_like_contact


@dataclass(frozen=True)
class Layout:
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
    #: Tool bookkeeping columns that carry no answer.
    ignore: tuple[str, ...] = ()
    ignore_prefixes: tuple[str, ...] = ()
    ignore_pattern: str | None = None
    #: Columns the tool adds that hold personal data; never read, only noted.
    personal_columns: tuple[str, ...] = ()


#: Metadata fields an XLSForm can declare; Kobo and ODK export them as columns.
XLSFORM_META = ("start", "end", "today", "deviceid", "username", "simserial", "subscriberid",
                "phonenumber", "audit", "email")

GOOGLE_FORMS = Layout(
    "google-forms",
    multi_separators=(", ",),
    inline_other=True,
    time_columns=("timestamp", "отметка времени", "временная метка", "уақыт белгісі",
                  "horodateur", "zeitstempel", "marca temporal"),
    ignore=("score", "баллы", "total score"),
    personal_columns=("email address", "адрес электронной почты", "электронная почта",
                      "электрондық пошта мекенжайы"),
)
KOBO = Layout(
    "kobo", ("/",), ("/",), (" ",),
    key_columns=("_uuid", "meta/instanceid", "instanceid"),
    time_columns=("_submission_time",),
    ignore=XLSFORM_META + ("formhub/uuid", "meta/rootuuid", "meta/deprecatedid",
                           "meta/instancename", "meta/audit"),
    ignore_prefixes=("_",),
)
ODK = Layout(
    "odk", ("-",), ("-",), (" ",),
    key_columns=("key", "meta-instanceid", "instanceid"),
    time_columns=("submissiondate",),
    ignore=XLSFORM_META + ("submitterid", "submittername", "attachmentspresent",
                           "attachmentsexpected", "status", "reviewstate", "edits",
                           "formversion"),
    ignore_prefixes=("meta-",),
)
LIMESURVEY = Layout(
    "limesurvey", (), (), (", ", "; ", " | "),
    positional_codes=True,
    local_key_columns=("id",),
    time_columns=("submitdate",),
    ignore=("lastpage", "startlanguage", "seed", "startdate", "datestamp", "ipaddr", "refurl",
            "token", "interviewtime"),
    ignore_pattern=r"grouptime\d+|.+time",
)
SPSS = Layout(
    "spss", (), ("_", "."), (" ", ", ", ";"),
    positional_codes=True,
    key_columns=("uuid", "_uuid", "key", "instanceid", "meta_instanceid"),
    local_key_columns=("id",),
    time_columns=("timestamp", "submitdate", "_submission_time", "submissiondate"),
)
CSV = Layout(
    "csv", ("/", "-", "."), ("/", "-", ".", ":", "_"),
    (", ", "; ", ";", " | ", "|", "\n", ",", " "),
    inline_other=True,
    key_columns=("uuid", "_uuid", "key", "instanceid", "meta/instanceid", "meta-instanceid"),
    time_columns=("timestamp", "submitted_at", "submission_time", "_submission_time",
                  "submissiondate", "отметка времени", "время отправки"),
)
LAYOUTS = {layout.name: layout for layout in (GOOGLE_FORMS, KOBO, ODK, LIMESURVEY, SPSS, CSV)}

_BRACKET = re.compile(r"^(?P<head>.+?)\s*\[(?P<tail>[^\[\]]+)\]$")
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
    #: answer | option | other | category | key | local_key | time | ignore | personal_meta
    role: str
    question: Question | None = None
    choice: str | None = None  # for role == "option"


def detect_format(path: Path, header: list[str]) -> str:
    if path.suffix.lower() == ".sav":
        return "spss"
    lowered = [h.strip().casefold() for h in header]
    present = set(lowered)
    if lowered and lowered[0] in GOOGLE_FORMS.time_columns:
        return "google-forms"
    if present & {"_uuid", "_submission_time", "_index"}:
        return "kobo"
    if "key" in present and present & {"submissiondate", "submitterid", "meta-instanceid"}:
        return "odk"
    if len(present & {"id", "submitdate", "lastpage", "startlanguage", "seed"}) >= 3:
        return "limesurvey"
    return "csv"


def choice_for_code(q: Question, code: str, positional: bool = False) -> str | None:
    """The option a code or label names: its name, a label, a position or "other"."""
    key = code.strip().casefold()
    for c in q.choices:
        if c.name.casefold() == key:
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

    def __init__(self, form: Questionnaire, layout: Layout) -> None:
        self.form = form
        self.layout = layout
        self.by_name: dict[str, Question] = {}
        self.by_label: dict[str, list[Question]] = {}
        self.sections: dict[str, str] = {}
        self.in_section: dict[str, list[Question]] = {}
        for q in form.answered:
            self.by_name[q.name.casefold()] = q
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
        if index == 0 and layout is GOOGLE_FORMS and low in layout.time_columns:
            return Column(index, raw, "time")
        for role, names in (("key", layout.key_columns), ("local_key", layout.local_key_columns),
                            ("time", layout.time_columns),
                            ("personal_meta", layout.personal_columns)):
            if low in names:
                return Column(index, raw, role)
        return None

    def _is_bookkeeping(self, raw: str) -> bool:
        low = raw.strip().casefold()
        layout = self.layout
        hidden = {name.casefold() for name in self.form.hidden_fields}
        tail = re.split(r"[/\-]", low)[-1]
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
            if column is None:
                errors.add(self._unknown(raw.strip(), file, index))
                continue
            if column.question is not None:
                slot = f"{column.question.name}#{column.role}#{column.choice}"
                if slot in taken:
                    errors.add(self._duplicate(taken[slot], raw.strip(), column, file))
                    continue
                taken[slot] = raw.strip()
                taken_q.add(column.question.name)
            columns.append(column)
        self._check_fit(columns, errors, header, file)
        errors.raise_if_any()
        return columns

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
        if self.q.or_other and self.layout.inline_other:
            return OTHER, text.strip()
        return None

    def many(self, text: str) -> tuple[list[str], str | None] | None:
        """A multi-answer cell: names joined by spaces, or labels joined by ', ' and the like."""
        text = text.strip()
        tokens = [self.names.get(t.casefold()) for t in text.split()]
        if tokens and all(tokens):
            return self._ordered(tokens), None
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
        return sorted(dict.fromkeys(names), key=self.order.__getitem__)
