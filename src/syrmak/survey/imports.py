"""Import survey responses from Google Forms, Kobo, ODK Central, LimeSurvey, SPSS or CSV.

The pipeline: read the file into strings (``readers``), map columns to questions
(``layouts``), decode every distinct cell value once per column (fast on 200,000 rows,
since a column has few distinct answers), check everything, and only then write, in one
transaction. Personal-data answers go to the encrypted vault, never into ``answers``.

A cell of any other question whose raw text looks like a contact (``privacy.detect``) is
quarantined before it is decoded: the answer is stored as missing and the text is sealed
into the vault (kind "quarantine", with a note naming file, row and column) until a
researcher releases it (``privacy.quarantine``).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import sqlalchemy as sa

from syrmak.errors import ErrorList, SyrmakError
from syrmak.privacy import detect
from syrmak.store import db, schema
from syrmak.store.answers import write_batch
from syrmak.store.vault import ContactValue
from syrmak.survey import identity, readers
from syrmak.survey.instrument import (
    OTHER,
    OTHER_SUFFIX,
    OTHER_VERSION,
    Choice,
    Question,
    Questionnaire,
    listed_then_seen,
)
from syrmak.survey.layouts import (
    FORMATS,
    LAYOUTS,
    Column,
    ColumnMapper,
    Decoder,
    Layout,
    detect_format,
    layout_for_file,
    normalise,
)

if TYPE_CHECKING:
    from syrmak.study import Study

TRUE = frozenset({"1", "1.0", "true", "y", "yes", "да", "x", "✓", "✔", "selected", "выбрано"})
FALSE = frozenset({"", "0", "0.0", "false", "n", "no", "нет", "not selected", "не выбрано"})
#: Submission ids longer than this are stored as a hash (the key column is 128 wide).
MAX_KEY = 100
_SHOWN_ERRORS_PER_COLUMN = 5


@dataclass(frozen=True)
class ImportResult:
    file: str
    format: str
    rows_read: int
    added: int
    duplicates: int
    numbers: tuple[int, ...]
    contacts_stored: int
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: Cells that looked like contact details outside personal-data questions and were
    #: quarantined (where, never the value).
    warnings: tuple[str, ...] = field(default_factory=tuple)
    quarantined: int = 0

    def summary(self) -> str:
        span = f" (respondents {self.numbers[0]}-{self.numbers[-1]})" if self.numbers else ""
        held = (f" {self.quarantined} answers that look like contacts were quarantined "
                "(see the warnings)." if self.quarantined else "")
        return (f"{self.file}: read {self.rows_read} rows as {self.format}; added {self.added}"
                f"{span}, {self.duplicates} already stored; {self.contacts_stored} contact "
                f"entries sealed in the vault.{held}")


# -- the parse ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Held:
    """A cell held back because it looks like a contact: where it was, never shown."""

    row: int  # spreadsheet row (the cells' index)
    question: str  # the question whose stored answer it would have become
    column: str
    kind: str  # privacy.detect kind
    text: str

    def note(self, file: str) -> str:
        return f"[{file}, row {self.row}, column '{self.column}']"


@dataclass
class _Parsed:
    answers: pd.DataFrame  # question name -> stored value (object/Int64/Float64)
    personal: dict[str, pd.Series]
    keys: pd.Series  # "uuid:…" / "id:…" from the file, or "" when it has none
    times: pd.Series
    warnings: list[str]
    notes: list[str]
    held: list[_Held] = field(default_factory=list)
    #: Personal-data answers decoded as ordinary answers, only to recognise rows stored
    #: before their question became personal (``identity.recognise``); never stored.
    plain: dict[str, pd.Series] = field(default_factory=dict)
    #: The questionnaire the answers were read with: the study's, or the study's with
    #: the options and questions of other versions (or partly labelled codes) the file
    #: holds added; ``added`` says what was added, for the note and the log.
    form: Questionnaire | None = None
    added: list[str] = field(default_factory=list)
    #: Child records of repeat groups: one per repeat group.
    children: list[_Child] = field(default_factory=list)
    #: Text answers' (codes, distinct values), for ``identity.row_keys``.
    factors: dict[str, tuple] = field(default_factory=dict)


@dataclass
class _Child:
    """The instances of one repeat group found in the file."""

    repeat: str
    parsed: _Parsed  # answers etc. indexed 0..n-1, one row per instance
    parent_rows: np.ndarray  # the parent's row (spreadsheet row number) of each instance
    ordinals: np.ndarray  # the instance's number within its parent, from 1


class _Context:
    """One file being parsed: its cells, layout and the problems found so far."""

    def __init__(self, raw: readers.RawTable, form: Questionnaire, layout: Layout) -> None:
        self.raw = raw
        self.form = form
        self.layout = layout
        self.cells = raw.cells
        self.errors = ErrorList()
        self.notes: list[str] = []
        #: Rows whose answer to a question was quarantined: not "unanswered" for checks.
        self.held_rows: dict[str, set[int]] = {}
        self._distinct: dict[int, tuple] = {}
        #: Reading a file that spans several form versions (see ``ColumnMapper.versions``).
        self.versions = False
        #: Options added while decoding: {question: {code: label}}.
        self.new_options: dict[str, dict[str, str]] = {}
        #: Text answers as (codes, distinct values): row keys hash each distinct text once
        #: without factorizing the column again (a million free-text answers).
        self.factors: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def text(self, col: Column) -> pd.Series:
        return self.cells[col.index]

    def distinct(self, col: Column) -> tuple:
        """``pd.factorize`` of the column, once: the contact check and the decoder share it."""
        if col.index not in self._distinct:
            codes, uniques = pd.factorize(self.text(col))
            # int32 halves the codes of a million-row column; -1 (no value) stays -1.
            small = codes.astype(np.int32) if len(uniques) < 2**31 - 1 else codes
            self._distinct[col.index] = (small, uniques)
        return self._distinct[col.index]

    def stripped(self, col: Column) -> pd.Series:
        return readers.per_value(self.text(col), str.strip)

    def fail(self, col: Column, mask: pd.Series, message: str, hint: str, code: str) -> None:
        """One error per offending cell (a few per column), naming row, column and value."""
        rows = mask[mask.astype(bool)].index
        for row in rows[:_SHOWN_ERRORS_PER_COLUMN]:
            value = self.cells.at[row, col.index]
            personal = col.question is not None and col.question.personal_data
            shown = ("(a personal-data value, not shown)" if personal
                     else readers.shown_value(str(value), 60))
            hidden = personal or shown == detect.MASK
            more = len(rows) - _SHOWN_ERRORS_PER_COLUMN
            tail = f" ({more} more cells of this column too)" if more > 0 and \
                row == rows[_SHOWN_ERRORS_PER_COLUMN - 1] else ""
            self.errors.add(SyrmakError(
                message.replace("{value}", shown) + tail, hint, code=code, file=self.raw.file,
                row=int(row), column=col.header.strip() or f"#{col.index + 1}",
                value=None if hidden and value else value,
            ))


def read_file(path: Path, form: Questionnaire, format: str) -> tuple[readers.RawTable, str]:
    if format not in FORMATS:
        raise SyrmakError(f"unknown format '{format}'.", f"use one of: {', '.join(FORMATS)}.",
                          code="unknown-format", value=format)
    if not path.is_file():
        raise SyrmakError(f"file not found: {path}", "check the path.", code="not-found",
                          file=str(path))
    suffix = path.suffix.lower()
    if suffix in (".xls", ".ods"):
        raise SyrmakError(f"syrmak cannot read {suffix} workbooks.",
                          "save the file as .xlsx or export CSV.", code="unsupported-file",
                          file=path.name)
    own = layout_for_file(path) if format == "auto" else LAYOUTS[format]
    if own is not None and own.reader is not None:
        return own.reader(path), own.name
    with path.open("rb") as f:
        magic = f.read(4)
    if suffix == ".zip":
        raw = readers.read_zip(path, _scorer(form, format))
    elif suffix in (".xlsx", ".xlsm") or magic == b"PK\x03\x04":
        raw = readers.read_xlsx(path)
    else:
        raw = _read_text(path, form, format)
    detected = detect_format(path, raw.header) if format == "auto" else format
    return raw, detected


def _scorer(form: Questionnaire, format: str):
    """How many header fields some layout understands: picks the delimiter."""
    probe = [LAYOUTS[format]] if format != "auto" else list(LAYOUTS.values())
    mappers = [ColumnMapper(form, layout) for layout in probe]

    def score(fields: list[str]) -> int:
        return max(mapper.score(fields) for mapper in mappers)

    return score


def _read_text(path: Path, form: Questionnaire, format: str) -> readers.RawTable:
    return readers.read_text_table(path, _scorer(form, format))


# -- columns ---------------------------------------------------------------------------------

def _filled(values: pd.Series) -> bool:
    """Whether the column holds a value that is not blank (the first rows usually tell)."""
    if any(str(v).strip() for v in values.iloc[:200]):
        return True
    given = values[(values != "").to_numpy(dtype=bool)]
    if given.empty:
        return False
    if any(str(v).strip() for v in given.iloc[:1000]):
        return True
    return any(str(v).strip() for v in pd.unique(given.to_numpy()))


def map_columns(raw: readers.RawTable, form: Questionnaire, layout: Layout,
                versions: bool = False) -> tuple[list[Column], ColumnMapper]:
    mapper = ColumnMapper(form, layout, versions)
    aliases = layout.aliases(raw, form) if layout.aliases is not None else {}
    header = ["" if h in aliases else _labelled_header(raw, mapper, h) for h in raw.header]
    filled = [h not in aliases and _filled(raw.cells[i]) for i, h in enumerate(raw.header)]
    columns = mapper.map(header, raw.file, filled)
    for i, column in enumerate(columns):
        original = raw.header[column.index]
        if original in aliases:
            role, q, choice = aliases[original]
            columns[i] = Column(column.index, original, role, q, choice)
        elif column.header != original:
            columns[i] = replace(column, header=original)
    return columns, mapper


def _labelled_header(raw: readers.RawTable, mapper: ColumnMapper, header: str) -> str:
    """A column whose name matches nothing may be known by its label (an SPSS variable
    label, the question text of Qualtrics' second header row)."""
    label = raw.column_labels.get(header)
    if not header or not label or mapper.resolve(0, header, set()) is not None:
        return header
    return label if mapper.resolve(0, label, set()) is not None else header


# -- answers ----------------------------------------------------------------------------------

def _decode_select(ctx: _Context, col: Column) -> tuple[pd.Series, pd.Series | None] | None:
    """Decode each distinct cell once: (stored names, "Other" texts or None)."""
    q = col.question
    values = ctx.text(col)
    decoder = Decoder(q, ctx.layout, ctx.raw.value_labels.get(col.header))
    codes, uniques = ctx.distinct(col)
    stored = np.full(len(uniques), None, dtype=object)
    others = np.full(len(uniques), None, dtype=object)
    unknown = np.zeros(len(uniques), dtype=bool)
    labelled = ctx.raw.value_labels.get(col.header)
    for i, u in enumerate(uniques):
        if not u.strip():
            continue
        got = decoder.one(u) if q.type == "select_one" else decoder.many(u)
        if got is None and (ctx.versions or labelled):
            got = _new_options(ctx, q, decoder, u, labelled or {})
        if got is None:
            unknown[i] = True
        else:
            stored[i] = got[0] if q.type == "select_one" else " ".join(got[0])
            others[i] = got[1] or None
            if q.open_choices:  # a list kept in a file: the codes answered are its options
                _seen_codes(ctx, q, [got[0]] if q.type == "select_one" else got[0])
    if unknown.any():
        names = ", ".join(repr(c.label(ctx.form.default_language)) for c in q.choices[:8])
        ctx.fail(col, pd.Series(unknown[codes], index=values.index),
                 f"{{value}} is not an option of question '{q.name}'.",
                 f"use one of its options ({names}{', …' if len(q.choices) > 8 else ''}), or "
                 "add the option to the questionnaire's 'choices' sheet and load it again.",
                 "unknown-option")
        return None
    other = pd.Series(others[codes], index=values.index) if any(others) else None
    ctx.factors[q.name] = (codes, stored)
    return pd.Series(stored[codes], index=values.index), other


_NUMERIC = re.compile(r"-?\d+(?:\.\d+)?")


def _seen_codes(ctx: _Context, q: Question, names: list[str]) -> None:
    """Codes of a select whose options the form does not list (select_one_from_file,
    external selects), to become options labelled by the code (``_extend``)."""
    listed = {c.name for c in q.choices}
    for name in names:
        if name and name not in listed:
            ctx.new_options.setdefault(q.name, {}).setdefault(name, name)


def _new_options(ctx: _Context, q: Question, decoder: Decoder, text: str,
                 labels: dict[str, str]) -> tuple | None:
    """Codes a questionnaire version did not list, taken as options instead of mistakes: in
    a file that spans several versions (an option a version dropped), or in a variable whose
    value labels name only some codes (a 1-10 scale labelled at its ends)."""
    if labels and not ctx.versions:
        # Only where the options are the file's codes themselves (a form derived from the
        # file): options named otherwise ("cso") leave a stray code no place to go.
        code = text.strip()
        if not _NUMERIC.fullmatch(code) or not q.choices or \
                not all(_NUMERIC.fullmatch(c.name) for c in q.choices):
            return None
        ctx.new_options.setdefault(q.name, {})[code] = labels.get(code, code)
        return code, None
    tokens = [text.strip()] if q.type == "select_one" else text.split()
    names = []
    for token in tokens:
        known = decoder._known(token)
        if known is None:
            ctx.new_options.setdefault(q.name, {}).setdefault(token, token)
        names.append(known or token)
    return (names[0], None) if q.type == "select_one" else (decoder._ordered(names), None)


def _decode_answer(ctx: _Context, col: Column) -> tuple[pd.Series, pd.Series | None] | None:
    q = col.question
    values = ctx.text(col)
    if q.has_choices:
        return _decode_select(ctx, col)
    if q.type in _CHECKED_TEXT:
        check, problem, hint = _CHECKED_TEXT[q.type]
        texts = readers.on_distinct(values, _clean_texts, ctx.distinct(col))
        bad = readers.per_value(values, lambda v: bool(v.strip()) and not check(v.strip()),
                               dtype=bool, distinct=ctx.distinct(col))
        if bad.any():
            # Still stored as written (a type that cannot be analysed is not refused).
            ctx.notes.append(f"{int(bad.sum())} answer(s) to '{q.name}' are not {problem}; "
                             "they were stored as written.")
        return texts, None
    if q.type in ("integer", "decimal"):
        parsed, bad = _factored(
            ctx, col, lambda u: readers.parse_numbers(u, q.type == "integer"))
        if bad.any():
            kind = "a whole number" if q.type == "integer" else "a number"
            ctx.fail(col, bad, f"{{value}} is not {kind} (question '{q.name}').",
                     "correct the cell (digits only, e.g. 12 or 3.5) or leave it empty.",
                     "bad-number")
            return None
        return parsed, None
    if q.type == "date":
        parsed, bad = _factored(ctx, col, readers.parse_dates)
        if bad.any():
            ctx.fail(col, bad, f"{{value}} is not a date (question '{q.name}').",
                     "write dates as 2021-09-15 or 15.09.2021.", "bad-date")
            return None
        return parsed, None
    codes, uniques = ctx.distinct(col)
    cleaned = _clean_texts(pd.Series(np.asarray(uniques, dtype=object), dtype=object))
    ctx.factors[q.name] = (codes, cleaned.to_numpy(dtype=object))
    return pd.Series(cleaned.array.take(codes, allow_fill=True), index=values.index), None


def _factored(ctx: _Context, col: Column, func) -> tuple[pd.Series, pd.Series]:
    """``readers.on_distinct`` of a decoder returning (values, bad), keeping the values'
    (codes, distinct values) for the row keys."""
    codes, uniques = ctx.distinct(col)
    values, bad = func(pd.Series(np.asarray(uniques, dtype=object), dtype=object))
    ctx.factors[col.question.name] = (codes, np.asarray(values, dtype=object))
    index = ctx.text(col).index
    return (pd.Series(values.array.take(codes, allow_fill=True), index=index),
            pd.Series(bad.array.take(codes, allow_fill=True), index=index))


_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_POINT = re.compile(rf"(?P<lat>{_NUMBER})\s+(?P<lon>{_NUMBER})(?:\s+{_NUMBER}){{0,2}}")
_TIME = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?",
                   re.IGNORECASE)


def _is_point(text: str) -> bool:
    match = _POINT.fullmatch(text.strip())
    return bool(match) and abs(float(match["lat"])) <= 90 and abs(float(match["lon"])) <= 180


def _is_points(text: str) -> bool:
    points = [p for p in text.split(";") if p.strip()]
    return bool(points) and all(_is_point(p) for p in points)


def _is_moment(text: str) -> bool:
    parsed, bad = readers.parse_times(pd.Series([text], dtype=object))
    return not bool(bad.iloc[0])


#: Answer types kept as text once checked: (check, what a good answer is, hint).
_CHECKED_TEXT = {
    "geopoint": (_is_point, "a location (latitude longitude [altitude accuracy])",
                 "write the location as 'latitude longitude', e.g. 43.31 -1.98."),
    "geotrace": (_is_points, "a line of locations",
                 "write points as 'latitude longitude' joined by ';'."),
    "geoshape": (_is_points, "a shape of locations",
                 "write points as 'latitude longitude' joined by ';'."),
    "time": (lambda t: bool(_TIME.fullmatch(t)), "a time of day",
             "write times as 14:30 or 14:30:00."),
    "datetime": (_is_moment, "a date and time",
                 "write it as 2021-09-15T10:23:45 (an offset such as +03:00 may follow)."),
}


def _clean_texts(values: pd.Series) -> pd.Series:
    """``_clean_text`` of each of many texts (None stays None; a value that is no text, as
    pandas' string methods give it, NaN). One comprehension: pandas' ``.str`` methods call
    a Python function per cell, and take five times as long on 200,000 distinct answers."""
    cleaned = [_clean_text(v) if isinstance(v, str) else (None if v is None else np.nan)
               for v in values.to_numpy(dtype=object)]
    return pd.Series(cleaned, index=values.index, dtype=object)


def _clean_text(value: str) -> str | None:
    # PostgreSQL cannot store NUL; a text answer never means one.
    text = value.replace("\x00", "").strip()
    return text or None


def _option_flags(ctx: _Context, col: Column) -> tuple[pd.Series, pd.Series | None] | None:
    """A 0/1 (Y/empty, label/empty) column for one option; "Other" may hold the text."""
    q = col.question
    # An option the form does not list: another version's, or a code of a file's list.
    choice = next((c for c in q.choices if c.name == col.choice), None) or Choice(col.choice)
    labels = {normalise(t) for t in choice.labels.values()} | {choice.name.casefold()}

    def state(value: str) -> str | bool | None:
        text = value.strip()
        if text.casefold() in TRUE or normalise(text) in labels:
            return True
        if text.casefold() in FALSE:
            return False
        return text  # "Other" text, or a mistake

    states = readers.per_value(ctx.text(col), state, distinct=ctx.distinct(col))
    is_true = states.map(lambda s: s is True).astype(bool)  # few distinct states
    is_text = states.map(lambda s: isinstance(s, str)).astype(bool)
    if col.choice == OTHER:
        # LimeSurvey puts the "Other" text itself in the column.
        text = states.where(is_text, None)
        return is_true | is_text, (text if is_text.any() else None)
    if is_text.any():
        ctx.fail(col, is_text, f"{{value}} is neither selected nor unselected (option "
                 f"'{col.choice}' of question '{q.name}').",
                 "use 1 or 0, Y or empty, or the option's label.", "unknown-option")
        return None
    return is_true, None


def _category_flags(ctx: _Context, col: Column) -> dict[str, pd.Series] | None:
    """A variable of an SPSS category set: each cell names one chosen option."""
    one = Question(col.question.name, "select_one", col.question.labels, col.question.choices)
    decoded = _decode_select(ctx, Column(col.index, col.header, "answer", one))
    if decoded is None:
        return None
    return {c.name: (decoded[0] == c.name).fillna(False).astype(bool)
            for c in col.question.choices}


def _combine_options(ctx: _Context, q: Question, cols: list[Column]):
    """Join one question's option columns into a space-joined answer (None: unanswered)."""
    flags: dict[str, pd.Series] = {}
    other = None
    for col in cols:
        if col.role == "category":
            for name, flag in (_category_flags(ctx, col) or {}).items():
                flags[name] = flags[name] | flag if name in flags else flag
            continue
        got = _option_flags(ctx, col)
        if got is not None:
            flags[col.choice] = got[0]
            other = got[1] if got[1] is not None else other
    answered = np.zeros(len(ctx.cells), dtype=bool)
    for col in cols:
        answered |= readers.per_value(ctx.text(col), lambda v: bool(v.strip()),
                                     distinct=ctx.distinct(col)).to_numpy(bool)
    listed = {c.name for c in q.choices}
    names = [c.name for c in q.choices if c.name in flags] + \
        [name for name in flags if name not in listed]
    chosen = np.column_stack([flags[n].to_numpy(bool) for n in names]) if names else \
        np.zeros((len(ctx.cells), 0), dtype=bool)
    # Few distinct combinations: join the names once per combination.
    patterns, codes = np.unique(chosen, axis=0, return_inverse=True)
    texts = [" ".join(n for n, on in zip(names, p, strict=True) if on) for p in patterns]
    joined = np.asarray(texts, dtype=object)[codes.reshape(-1)] if len(texts) else \
        np.full(len(ctx.cells), "", dtype=object)
    joined[~answered] = None
    return pd.Series(joined, index=ctx.cells.index, dtype=object), other


def _merge_others(ctx: _Context, answers: dict, others: dict[str, pd.Series],
                  personal: dict[str, pd.Series], plain: dict[str, pd.Series]) -> None:
    """Put "Other" texts into the ``q_other`` question and make sure "other" is chosen."""
    for name, text in others.items():
        target = name + OTHER_SUFFIX
        if not ctx.form.has(target):
            continue
        has_text = readers.per_value(text, lambda v: bool(v and str(v).strip()))
        has_text = has_text.fillna(False).astype(bool)
        if ctx.form.question(target).personal_data:
            # A sealed "Other" text goes to the vault like any personal-data answer.
            kept = text.where(has_text, None).astype(object)
            if target not in personal or not (personal[target] != "").any():
                personal[target] = kept.fillna("").map(lambda v: str(v).strip())
                plain[target] = kept
        elif target not in answers or not answers[target].notna().any():
            answers[target] = text.where(has_text, None).astype(object)
        if name not in answers:
            continue
        multiple = ctx.form.question(name).type == "select_multiple"
        with_other = readers.per_value(answers[name], lambda v, m=multiple: _with_other(v, m))
        answers[name] = answers[name].where(~has_text, with_other)


def _with_other(value: str | None, multiple: bool) -> str:
    if not multiple or not value:
        return OTHER
    return value if OTHER in value.split() else f"{value} {OTHER}"


def _check_required(ctx: _Context, columns: list[Column], answers: dict, personal: dict) -> None:
    """Only for questions shown to everyone (no 'relevant'): syrmak does not run XPath. Not
    in a file that spans form versions: a version without the question left it empty."""
    if ctx.versions:
        return
    by_question: dict[str, Column] = {}
    for col in columns:
        if col.question is not None:
            by_question.setdefault(col.question.name, col)
    for q in ctx.form.answered:
        if not q.required or q.relevant or q.name not in by_question:
            continue
        series = personal.get(q.name) if q.personal_data else answers.get(q.name)
        if series is None:
            continue
        empty = series.isna() | (series == "")
        empty &= ~series.index.isin(list(ctx.held_rows.get(q.name, ())))
        if empty.any():
            ctx.fail(by_question[q.name], empty,
                     f"question '{q.name}' is required but has no answer.",
                     "fill in the answer, delete the incomplete submission, or mark the "
                     "question not required in the questionnaire and load it again.",
                     "missing-required")


def _incomplete(ctx: _Context, columns: list[Column]) -> None:
    """Responses the tool kept unfinished (the layout's ``unfinished`` hook): left out."""
    if ctx.layout.unfinished is None:
        return
    found = ctx.layout.unfinished(ctx.cells, columns)
    if found is None:
        return
    unfinished, note = found
    if unfinished.any():
        ctx.cells = ctx.cells[~unfinished.to_numpy(dtype=bool)]
        ctx.notes.append(note)


def parse(raw: readers.RawTable, form: Questionnaire, fmt: str, hooks: bool = True) -> _Parsed:
    layout = LAYOUTS[fmt]
    if hooks and layout.header_rows is not None and (note := layout.header_rows(raw)):
        raw.notes.append(note)
    ctx = _Context(raw, form, layout)
    versions = _versions(raw, layout) if hooks else 0
    ctx.versions = versions > 1
    columns, mapper = map_columns(raw, form, ctx.layout, ctx.versions)
    _incomplete(ctx, columns)
    _missing_values(ctx, columns)
    held = _quarantine(ctx, columns)
    index = ctx.cells.index
    answers: dict[str, pd.Series] = {}
    personal: dict[str, pd.Series] = {}
    plain: dict[str, pd.Series] = {}
    others: dict[str, pd.Series] = {}
    options: dict[str, list[Column]] = {}
    locations: dict[str, list[Column]] = {}
    repeated: dict[str, list[Column]] = {}
    retired: list[Column] = []
    keys = pd.Series("", index=index, dtype=object)
    times = pd.Series(pd.NaT, index=index, dtype="datetime64[us, UTC]")
    owners: dict[str, pd.Series] = {}  # the decoded answers ``ctx.factors`` describe
    for col in columns:
        if col.role in ("key", "local_key"):
            keys = _keys(ctx, col, keys)
        elif col.role == "time":
            times = _times(ctx, col)
        elif col.role == "version_question":
            retired.append(col)
        elif col.question is None:
            continue
        elif col.role == "repeat":
            repeated.setdefault(col.question.repeat, []).append(col)
        elif col.question.personal_data:
            personal[col.question.name] = ctx.stripped(col)
            plain[col.question.name] = _plain_answer(ctx, col)
        elif col.role in ("option", "category"):
            options.setdefault(col.question.name, []).append(col)
        elif col.role == "location":
            locations.setdefault(col.question.name, []).append(col)
        elif col.role == "other":
            others[col.question.name] = readers.on_distinct(ctx.text(col), _clean_texts,
                                                           ctx.distinct(col))
        else:
            decoded = _decode_answer(ctx, col)
            if decoded is not None:
                answers[col.question.name] = owners[col.question.name] = decoded[0]
                if decoded[1] is not None:
                    others[col.question.name] = decoded[1]
    for name, cols in options.items():
        if name in answers:
            continue  # Kobo and ODK write both; the joined column is the answer.
        answers[name], other = _combine_options(ctx, form.question(name), cols)
        if other is not None:
            others[name] = other
    for name, cols in locations.items():
        if name not in answers:  # ODK Central splits a location into four columns
            answers[name] = _join_location(ctx, cols)
    _merge_others(ctx, answers, others, personal, plain)
    _check_required(ctx, columns, answers, personal)
    children = [_child(ctx, repeat, cols) for repeat, cols in repeated.items()]
    if hooks:
        children += _child_tables(ctx, columns, {c.repeat for c in children if c is not None})
    ctx.errors.raise_if_any()
    extended, added = _extend(ctx, form, mapper, retired, answers)
    # copy=False: the columns stay as decoded, not copied into one block (a million rows).
    frame = pd.DataFrame({q.name: answers[q.name] for q in extended.answered
                          if q.name in answers}, index=index, copy=False)
    notes = [*raw.notes, *ctx.notes, *_column_notes(extended, columns)]
    if versions > 1:
        notes.append(f"the file spans {versions} versions of the questionnaire "
                     f"('{layout.version_columns[0]}' column).")
    return _Parsed(frame, personal, keys, times, [], notes, held, plain, form=extended,
                   added=added, children=[c for c in children if c is not None],
                   factors={k: v for k, v in ctx.factors.items() if k in frame.columns
                            and answers.get(k) is owners.get(k) is not None})


def _versions(raw: readers.RawTable, layout: Layout) -> int:
    """How many questionnaire versions the rows were answered with (0: no such column)."""
    for i, header in enumerate(raw.header):
        if header.strip().casefold() in layout.version_columns:
            values = {str(v).strip() for v in pd.unique(raw.cells[i].to_numpy())}
            return len(values - {""})
    return 0


def _missing_values(ctx: _Context, columns: list[Column]) -> None:
    """Cells the tool writes for "not asked" (KoboCAT's ``n/a``) are empty answers."""
    marks = ctx.layout.missing_values
    if not marks:
        return
    for col in columns:
        if col.question is None:
            continue
        _, uniques = ctx.distinct(col)
        if any(str(u).strip().casefold() in marks for u in uniques):
            if not getattr(ctx, "_copied", False):
                ctx.cells, ctx._copied = ctx.cells.copy(), True
            ctx.cells[col.index] = readers.per_value(
                ctx.text(col), lambda v: "" if v.strip().casefold() in marks else v)
            ctx._distinct.pop(col.index, None)


_PARTS = ("latitude", "longitude", "altitude", "accuracy")


def _join_location(ctx: _Context, cols: list[Column]) -> pd.Series:
    """``q-Latitude``, ``q-Longitude``, ... as one "latitude longitude altitude accuracy"."""
    by_part = {c.choice: ctx.stripped(c) for c in cols}
    empty = pd.Series("", index=ctx.cells.index, dtype=object)
    parts = [by_part.get(p, empty) for p in _PARTS]
    lat, lon = parts[0], parts[1]
    filled = [p.where(p != "", "0") for p in parts[2:]]
    joined = lat + " " + lon + " " + filled[0] + " " + filled[1]
    return joined.where((lat != "") & (lon != ""), None).astype(object)


def _child(ctx: _Context, repeat: str, cols: list[Column]) -> _Child | None:
    """A repeat group flattened into ``repeat[N]/question`` columns, as child records: each
    instance N of each row with any answer in it, read as a small file of its own."""
    by_instance: dict[int, list[Column]] = {}
    for col in cols:
        by_instance.setdefault(col.instance, []).append(col)
    sub = _repeat_form(ctx.form, repeat)
    parts, rows, ordinals = [], [], []
    for instance in sorted(by_instance):
        chosen = by_instance[instance]
        cells = ctx.cells[[c.index for c in chosen]]
        cells = cells[(cells != "").any(axis=1)]
        if cells.empty:
            continue
        cells.columns = range(len(chosen))
        header = [c.question.name for c in chosen]
        table = readers.RawTable(ctx.raw.file, header, cells)
        try:
            parsed = parse(table, sub, ctx.layout.name, hooks=False)
        except SyrmakError as exc:
            ctx.errors.add(exc)
            continue
        ctx.notes.extend(n for n in parsed.notes if not n.startswith("no column for"))
        _adopt_options(ctx, parsed)
        parts.append(parsed)
        rows.append(cells.index.to_numpy())
        ordinals.append(np.full(len(cells), instance))
    if not parts:
        return None
    answers = pd.concat([p.answers for p in parts], ignore_index=True)
    personal = {name: pd.concat([p.personal.get(name, pd.Series("", index=p.answers.index))
                                 for p in parts], ignore_index=True)
                for name in {n for p in parts for n in p.personal}}
    parent_rows = np.concatenate(rows)
    # Held cells keep their parent's row: they are sealed to the parent respondent.
    held = [h for p in parts for h in p.held]
    merged = _Parsed(answers, personal, pd.Series("", index=answers.index),
                     pd.Series(pd.NaT, index=answers.index), [], [], held)
    return _Child(repeat, merged, parent_rows, np.concatenate(ordinals))


def _adopt_options(ctx: _Context, parsed: _Parsed) -> None:
    """Options a repeat group's records showed (codes of a list kept in a file, another
    version's): the study's questionnaire gains them as the main table's would."""
    for q in (parsed.form.questions if parsed.form is not None else ()):
        if not ctx.form.has(q.name):
            continue
        listed = {c.name for c in ctx.form.question(q.name).choices}
        for c in q.choices:
            if c.name not in listed:
                ctx.new_options.setdefault(q.name, {}).setdefault(c.name, c.label())


def _repeat_form(form: Questionnaire, repeat: str) -> Questionnaire:
    """The questions of one repeat group as a questionnaire of their own."""
    return Questionnaire(
        form_id=form.form_id, title=form.title, version=form.version,
        default_language=form.default_language, languages=form.languages, sections=(),
        questions=tuple(replace(q, repeat=None) for q in form.in_repeat(repeat)),
        hidden_fields=form.hidden_fields)


def _child_tables(ctx: _Context, columns: list[Column], done: set[str]) -> list[_Child]:
    """Repeat groups exported as tables of their own (Kobo's sheets, ODK Central's CSVs),
    each row naming its parent row: child records of the respondents in the main table.
    A repeat inside a repeat is not read yet; the note says so."""
    link = ctx.layout.parent_link
    if not ctx.raw.tables or link is None:
        return []
    child_column, parent_column = link
    parent_index = next((i for i, h in enumerate(ctx.raw.header)
                         if h.strip().casefold() == parent_column), None)
    parents = {} if parent_index is None else {
        str(v).strip(): row for row, v in ctx.cells[parent_index].items() if str(v).strip()}
    children = []
    for section in ctx.form.repeats:
        if section.name in done:
            continue
        short = section.name.rsplit("/", 1)[-1].casefold()
        name = next((n for n in ctx.raw.tables
                     if n.casefold() == short or n.casefold().endswith(("-" + short, "_" + short))
                     or n.casefold() == section.name.casefold()), None)
        if name is None:
            continue
        if ctx.form.parent_repeat(section.name) is not None or parent_index is None:
            ctx.notes.append(f"repeat group '{section.name}' (table '{name}') was not imported: "
                             "syrmak reads repeat groups directly under the form.")
            continue
        table = ctx.raw.tables[name]
        link_index = next((i for i, h in enumerate(table.header)
                           if h.strip().casefold() == child_column), None)
        if link_index is None:
            continue
        links = table.cells[link_index].astype(str).str.strip()
        known = links.isin(list(parents))
        if not known.all():
            ctx.notes.append(f"{int((~known).sum())} row(s) of table '{name}' name no row of the "
                             "main table and were left out.")
        table.cells = table.cells[known.to_numpy()]
        if table.cells.empty:
            continue
        table.file = f"{ctx.raw.file}, table '{name}'"
        try:
            parsed = parse(table, _repeat_form(ctx.form, section.name), ctx.layout.name,
                           hooks=False)
        except SyrmakError as exc:
            ctx.errors.add(exc)
            continue
        ctx.notes.extend(n for n in parsed.notes if not n.startswith("no column for"))
        _adopt_options(ctx, parsed)
        parent_rows = links[known].map(parents).to_numpy(dtype=np.int64)
        ordinals = pd.Series(parent_rows).groupby(parent_rows).cumcount().to_numpy() + 1
        answers = parsed.answers.reset_index(drop=True)
        personal = {k: v.reset_index(drop=True) for k, v in parsed.personal.items()}
        by_row = dict(zip(table.cells.index, parent_rows, strict=True))
        held = [replace(h, row=int(by_row[h.row])) for h in parsed.held]
        merged = _Parsed(answers, personal, pd.Series("", index=answers.index),
                         pd.Series(pd.NaT, index=answers.index), [], [], held)
        children.append(_Child(section.name, merged, parent_rows, ordinals))
    return children


def _extend(ctx: _Context, form: Questionnaire, mapper: ColumnMapper, retired: list[Column],
            answers: dict[str, pd.Series]) -> tuple[Questionnaire, list[str]]:
    """The questionnaire with what the file showed it lacks: options of other versions (or
    codes a variable's value labels left out), and other versions' questions kept as text."""
    new = {name: dict.fromkeys(codes) for name, codes in mapper.new_options.items()}
    for name, codes in ctx.new_options.items():
        new.setdefault(name, {}).update(codes)
    lang = form.default_language or "und"
    added: list[str] = []
    questions = []
    for q in form.questions:
        extra = [(code, label) for code, label in new.get(q.name, {}).items()
                 if code not in {c.name for c in q.choices}]
        if extra:
            found = [Choice(code, {lang: label or code}, from_data=True)
                     for code, label in extra]
            choices = [*q.choices, *found]
            if q.open_choices:  # the codes of a list kept in a file, in a reader's order
                choices = list(listed_then_seen(choices))
            if all(_NUMERIC.fullmatch(c.name) for c in choices):
                choices.sort(key=lambda c: float(c.name))
            q = replace(q, choices=tuple(choices))
            added.append(f"option(s) {', '.join(repr(c) for c, _ in extra)} of '{q.name}'")
        questions.append(q)
    taken = {q.name.casefold() for q in form.questions}
    for col in retired:
        header = col.header.strip()
        name = re.sub(r"\W+", "_", header.rsplit("/", 1)[-1]).strip("_") or f"column_{col.index + 1}"
        while name.casefold() in taken:
            name += "_2"
        taken.add(name.casefold())
        questions.append(Question(name, "text", {lang: header}, source_type=OTHER_VERSION))
        answers[name] = readers.on_distinct(ctx.text(col), _clean_texts, ctx.distinct(col))
        added.append(f"question '{name}' (column '{header}')")
    if not added:
        return form, []
    return replace(form, questions=tuple(questions)), added


def _plain_answer(ctx: _Context, col: Column) -> pd.Series:
    """A personal-data column decoded as if it were not personal, problems ignored: a
    value that does not decode was never stored, so it cannot match a stored key."""
    errors, ctx.errors = ctx.errors, ErrorList()
    try:
        decoded = _decode_answer(ctx, col)
    finally:
        ctx.errors = errors
    return decoded[0] if decoded is not None else readers.per_value(ctx.text(col), _clean_text)


def _keys(ctx: _Context, col: Column, current: pd.Series) -> pd.Series:
    if col.role == "local_key":
        # LimeSurvey numbers responses 1, 2, … per survey: qualify them by the form.
        form = hashlib.sha256(ctx.form.form_id.encode("utf-8")).hexdigest()[:12]
        prefix = f"id:{form}:"
    else:
        prefix = "uuid:"
    keyed = readers.per_value(ctx.text(col), lambda v: _key(prefix, v))
    if col.role == "local_key" and (current != "").any():
        return current  # a uuid beats a survey-local number
    given = keyed[keyed != ""]
    if col.role == "local_key" and given.duplicated().any():
        # A data column is the identity only when it tells every row apart.
        twice = given[given.duplicated()].iloc[0].rsplit(":", 1)[-1]
        ctx.notes.append(f"column '{col.header.strip()}' repeats values (e.g. {twice!r}), so it "
                         "does not tell respondents apart: each row was imported as its own "
                         "respondent, known by its answers.")
        return current
    return keyed.where(keyed != "", current)


def _key(prefix: str, value: str) -> str:
    given = value.strip().removeprefix("uuid:")
    if not given:
        return ""
    key = prefix + given
    if len(key) > MAX_KEY:
        key = "uuid#" + hashlib.sha256(key.encode("utf-8")).hexdigest()
    return key


def _times(ctx: _Context, col: Column) -> pd.Series:
    parsed, bad = readers.on_distinct(ctx.text(col), readers.parse_times)
    if bad.any():
        serial = ctx.text(col)[bad].str.strip().str.fullmatch(r"\d{5}(?:\.\d+)?")
        if serial.all():
            # 44453.4375 is a spreadsheet's day number: Excel opened the export and saved
            # it with the times turned into numbers.
            ctx.fail(col, bad, "the submission time {value} is a spreadsheet day number, "
                     "not a date and time: the export was opened and saved in Excel, which "
                     "turned its timestamps into numbers.",
                     "download the export again and import that file without opening it in "
                     "Excel (or, in Excel, format the column as date and time before saving).",
                     "excel-serial-time")
        else:
            ctx.fail(col, bad, "cannot read the submission time {value}.",
                     "use a date and time such as 2021-09-15 10:23:45 or 15.09.2021 10:23:45.",
                     "bad-time")
    return parsed


def _column_notes(form: Questionnaire, columns: list[Column]) -> list[str]:
    notes = []
    dropped = [c.header.strip() for c in columns if c.role == "personal_meta"]
    if dropped:
        notes.append(f"column(s) {', '.join(repr(d) for d in dropped)} (respondents' e-mail "
                     "addresses recorded by the tool) were not imported.")
    present = {c.question.name for c in columns if c.question is not None}
    missing = [q.name for q in form.answered if q.name not in present
               and not (q.name.endswith(OTHER_SUFFIX) and q.name[:-len(OTHER_SUFFIX)] in present)]
    if missing:
        notes.append(f"no column for question(s): {', '.join(missing)} (stored as unanswered).")
    return notes


# -- the contact safety net ------------------------------------------------------------------

_HELD_ROLES = ("answer", "option", "other", "category")


def _quarantine(ctx: _Context, columns: list[Column]) -> list[_Held]:
    """Hold back every raw cell of a non-personal question that looks like a contact.

    Raw text, before decoding: a phone typed into an integer question would otherwise be
    stored as a number, and one typed as an option would be echoed by the error saying it
    is not one. A held cell is emptied so that nothing downstream sees it; the "Other"
    column of a question keeps its option chosen, since only the text is in question.
    """
    held: list[_Held] = []
    copied = False
    for col in columns:
        q = col.question
        if q is None or q.personal_data or col.role not in _HELD_ROLES:
            continue
        is_other = col.role == "other" or (col.role == "option" and col.choice == OTHER)
        other = q.name + OTHER_SUFFIX
        if (is_other or col.role == "answer") and ctx.form.has(other) \
                and ctx.form.question(other).personal_data:
            continue  # its only free text is the "Other" text, which is sealed anyway
        kinds = readers.on_distinct(
            ctx.text(col), lambda u: pd.Series(detect.contact_kinds(u.tolist()), dtype=object),
            ctx.distinct(col))
        flagged = kinds.notna()
        if not flagged.any():
            continue
        target = other if is_other and ctx.form.has(other) else q.name
        header = col.header.strip() or f"#{col.index + 1}"
        for row in flagged[flagged].index:
            held.append(_Held(int(row), target, header, kinds.at[row],
                              _clean_text(ctx.cells.at[row, col.index]) or ""))
        ctx.held_rows.setdefault(target, set()).update(int(r) for r in flagged[flagged].index)
        if not copied:
            ctx.cells, copied = ctx.cells.copy(), True  # the file as read stays as it was
        ctx.cells[col.index] = ctx.cells[col.index].where(
            ~flagged, "1" if col.role == "option" and col.choice == OTHER else "")
        ctx._distinct.pop(col.index, None)
    return held


def _held_warnings(held: list[_Held], file: str, numbers: dict[int, int]) -> list[str]:
    """Where each stored quarantined answer came from and how to release it; no values."""
    warnings: list[str] = []
    by_column: dict[tuple[str, str], list[_Held]] = {}
    for h in held:
        if h.row in numbers:
            by_column.setdefault((h.column, h.question), []).append(h)
    for (_, question), cells in by_column.items():
        for h in cells[:_SHOWN_ERRORS_PER_COLUMN]:
            warnings.append(
                f"{h.note(file)} the answer to '{question}' looks like "
                f"{detect.KINDS[h.kind]}: it was quarantined (stored as missing, sealed in the "
                f"vault). If it is no contact, release it: syrmak quarantine release DIR "
                f"{numbers[h.row]} {question}; if it is one, redact it or mark the question "
                "personal_data = yes.")
        if len(cells) > _SHOWN_ERRORS_PER_COLUMN:
            warnings.append(f"... and {len(cells) - _SHOWN_ERRORS_PER_COLUMN} more answers to "
                            f"'{question}' quarantined; see them with: syrmak quarantine list DIR")
    return warnings


# -- submission keys and the write ---------------------------------------------------------

def _submission_order(times: pd.Series) -> np.ndarray:
    """Positions sorted by submission time; rows without a time keep file order, last."""
    missing = times.isna().to_numpy()
    stamps = times.dt.tz_convert(None).to_numpy(dtype="datetime64[us]").astype("int64")
    stamps = np.where(missing, 0, stamps)
    return np.lexsort((np.arange(len(times)), stamps, missing))


def import_file(study: Study, path: Path, format: str = "auto",
                actor: str | None = None) -> ImportResult:
    form = study.questionnaire
    raw, fmt = read_file(path, form, format)
    parsed = parse(raw, form, fmt)
    file_hash = raw.sha256 or readers.file_sha256(path)
    del raw  # the cells: only the parsed answers are needed from here on
    needs_vault = bool(parsed.held) or any((s != "").any() for s in parsed.personal.values()) \
        or any(c.parsed.held or any((v != "").any() for v in c.parsed.personal.values())
               for c in parsed.children)
    if needs_vault:
        study.recipient  # noqa: B018 -- fail before writing if the vault cannot seal
    n = len(parsed.answers)
    with db.writer(study.engine, study.id) as connection, db.bulk_cache(connection):
        row_keys, known, withdrawn = identity.recognise(
            connection, parsed.keys, parsed.answers, parsed.plain, parsed.times, form.form_id,
            parsed.factors)
        has_id = parsed.keys != ""
        keys = parsed.keys.where(has_id, row_keys)
        fresh = _fresh_positions(keys, parsed.times, known)
        if skipped := int(withdrawn.sum()):
            parsed.notes.append(f"{skipped} row(s) belong to respondents who withdrew and were "
                                "not imported again.")
        start = (connection.execute(sa.select(sa.func.max(schema.respondents.c.number)))
                 .scalar() or 0) + 1
        if parsed.added:
            _store_extended(study, connection, parsed, path, actor)
        import_id = connection.execute(
            sa.insert(schema.imports).returning(schema.imports.c.id),
            {"file_name": path.name, "file_sha256": file_hash, "format": fmt,
             "questionnaire_id": study.questionnaire_id(connection), "rows_read": n,
             "rows_added": len(fresh), "imported_at": db.now(),
             "row_key_sets": json.dumps([sorted(parsed.answers.columns)], ensure_ascii=False)},
        ).scalar_one()
        # A row without an id is bound to the vault by a random key, known by its row key.
        submission = parsed.keys.copy()
        chosen = np.asarray(fresh, dtype=np.int64)
        unnamed = chosen[~has_id.to_numpy()[chosen]]
        submission.iloc[unnamed] = identity.new_submission_keys(len(unnamed))
        _insert_respondents(connection, fresh, start, import_id, submission,
                            row_keys.where(~has_id, None), parsed.times)
        write_batch(connection, import_id, parsed.answers, fresh)
        sealed = _seal_contacts(connection, study, fresh, start, import_id, submission,
                                parsed.personal)
        numbers = {int(parsed.answers.index[p]): start + i for i, p in enumerate(fresh)}
        held = _seal_held(connection, study, parsed.held, numbers, submission, path.name)
        records = 0
        for child in parsed.children:
            stored, sealed_child, held_child = _write_child(
                connection, study, child, import_id, numbers, submission, path.name)
            records += stored
            sealed += sealed_child
            held += held_child
        study.log("import", {"file": path.name, "format": fmt, "rows_read": n,
                             "added": len(fresh), "sha256": file_hash, "quarantined": held,
                             **({"repeat_records": records} if records else {})},
                  actor, connection)
    if records:
        parsed.notes.append(f"{records} repeat-group record(s) stored with their respondents.")
    return ImportResult(
        file=path.name, format=fmt, rows_read=n, added=len(fresh), duplicates=n - len(fresh),
        numbers=tuple(range(start, start + len(fresh))), contacts_stored=sealed,
        notes=tuple(parsed.notes),
        warnings=(*parsed.warnings, *_held_warnings(parsed.held, path.name, numbers)),
        quarantined=held,
    )


def _store_extended(study: Study, connection, parsed: _Parsed, path: Path, actor) -> None:
    """A file with options or questions the loaded questionnaire lacks (another version's,
    or codes a variable's labels left out): the study keeps a version that has them."""
    form = parsed.form
    connection.execute(sa.insert(schema.questionnaires), {
        "form_id": form.form_id, "version": form.version, "title": form.title,
        "definition": json.dumps(form.to_dict(), ensure_ascii=False),
        "source_name": f"{path.name} (what the data held)", "source_sha256": None,
        "loaded_at": datetime.now(UTC),
    })
    study.log("questionnaire-extend", {"file": path.name, "added": parsed.added}, actor,
              connection)
    parsed.notes.append("the questionnaire gained what the file holds and it lacked, as a new "
                        "version: " + "; ".join(parsed.added) + ".")


def _write_child(connection, study: Study, child: _Child, import_id: int,
                 numbers: dict[int, int], keys: pd.Series, file: str) -> tuple[int, int, int]:
    """Store the instances of one repeat group whose respondent was stored now: their
    records, their answers by column, their contacts and quarantined cells in the vault."""
    r = schema.respondents
    kept = [i for i, row in enumerate(child.parent_rows) if int(row) in numbers]
    if not kept:
        return 0, 0, 0
    wanted = sorted({numbers[int(child.parent_rows[i])] for i in kept})
    ids = dict(connection.execute(sa.select(r.c.number, r.c.id).where(r.c.number.in_(wanted)))
               .all())
    order = sorted(kept, key=lambda i: (numbers[int(child.parent_rows[i])],
                                        int(child.ordinals[i])))
    connection.execute(sa.insert(schema.repeat_records), [
        {"import_id": import_id, "repeat": child.repeat, "position": position,
         "respondent_id": ids[numbers[int(child.parent_rows[i])]], "parent_id": None,
         "ordinal": int(child.ordinals[i])}
        for position, i in enumerate(order)])
    write_batch(connection, import_id, child.parsed.answers, order, table=schema.repeat_columns,
                extra={"repeat": child.repeat})
    contacts = []
    for question, series in child.parsed.personal.items():
        values = series.to_numpy(dtype=object)
        for i in order:
            if values[i]:
                number = numbers[int(child.parent_rows[i])]
                contacts.append(ContactValue(
                    ids[number], number, keys.at[int(child.parent_rows[i])], question,
                    values[i], note=f"repeat '{child.repeat}' #{int(child.ordinals[i])}"))
    sealed = study.seal(connection, contacts) if contacts else 0
    held = [h for h in child.parsed.held if h.row in numbers and h.text]
    quarantined = study.seal(connection, [
        ContactValue(ids[numbers[h.row]], numbers[h.row], keys.at[h.row], h.question, h.text,
                     kind="quarantine", note=h.note(file))
        for h in held]) if held else 0
    return len(order), sealed, quarantined


def _fresh_positions(keys: pd.Series, times: pd.Series, known: np.ndarray) -> list[int]:
    """Rows not stored yet (first of each key), in submission order."""
    new = ~known & ~keys.duplicated().to_numpy()
    order = _submission_order(times)
    return order[new[order]].tolist()


def _insert_respondents(connection, fresh, start, import_id, keys, row_keys, times) -> None:
    """Respondent ``start + i`` is row ``fresh[i]``, at position i of the batch's answers.

    A million rows: the driver's own executemany of tuples (SQLite) or COPY (PostgreSQL),
    with the times formatted at once as SQLAlchemy would store them, a slice at a time."""
    keys = keys.to_numpy(dtype=object)
    row_keys = row_keys.to_numpy(dtype=object)
    columns = ("number", "submission_key", "row_key", "submitted_at", "import_id", "position")
    for first in range(0, len(fresh), _INSERT_SLICE):
        chosen = np.asarray(fresh[first:first + _INSERT_SLICE], dtype=np.int64)
        count = len(chosen)
        rows = zip(range(start + first, start + first + count), keys[chosen].tolist(),
                   row_keys[chosen].tolist(), db.timestamps(connection, times.iloc[chosen]),
                   [import_id] * count, range(first, first + count), strict=True)
        db.bulk_insert(connection, schema.respondents, columns, rows)


#: Respondents inserted at once.
_INSERT_SLICE = 100_000


def _seal_contacts(connection, study: Study, fresh, start, import_id, keys, personal) -> int:
    """Personal-data answers go to the vault, sealed to the study's public key."""
    if not fresh or not any((series != "").any() for series in personal.values()):
        return 0
    ids = dict(connection.execute(
        sa.select(schema.respondents.c.number, schema.respondents.c.id)
        .where(schema.respondents.c.import_id == import_id)).all())
    chosen_keys = keys.to_numpy(dtype=object)[fresh].tolist()
    values = [
        ContactValue(ids[start + offset], start + offset, key, question, value)
        for question, series in personal.items()
        for offset, (key, value) in enumerate(
            zip(chosen_keys, series.to_numpy(dtype=object)[fresh].tolist(), strict=True))
        if value
    ]
    return study.seal(connection, values)


def _seal_held(connection, study: Study, held: list[_Held], numbers: dict[int, int],
               keys: pd.Series, file: str) -> int:
    """Quarantined cells of the rows stored now go to the vault, with where they came from."""
    stored = [h for h in held if h.row in numbers and h.text]
    if not stored:
        return 0
    r = schema.respondents
    ids = dict(connection.execute(sa.select(r.c.number, r.c.id).where(
        r.c.number.in_([numbers[h.row] for h in stored]))).all())
    return study.seal(connection, [
        ContactValue(ids[numbers[h.row]], numbers[h.row], keys.at[h.row], h.question, h.text,
                     kind="quarantine", note=h.note(file))
        for h in stored])


__all__ = ["ImportResult", "import_file"]
