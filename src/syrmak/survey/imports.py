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
from dataclasses import dataclass, field
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
from syrmak.survey.instrument import OTHER, OTHER_SUFFIX, Question, Questionnaire
from syrmak.survey.layouts import (
    FORMATS,
    LAYOUTS,
    Column,
    ColumnMapper,
    Decoder,
    Layout,
    choice_for_code,
    detect_format,
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

    def text(self, col: Column) -> pd.Series:
        return self.cells[col.index]

    def distinct(self, col: Column) -> tuple:
        """``pd.factorize`` of the column, once: the contact check and the decoder share it."""
        if col.index not in self._distinct:
            self._distinct[col.index] = pd.factorize(self.text(col))
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
    if suffix == ".sav" or format == "spss":
        return readers.read_sav(path), "spss"
    data = path.read_bytes()
    if suffix in (".xlsx", ".xlsm") or data[:4] == b"PK\x03\x04":
        raw = readers.read_xlsx(path)
    else:
        raw = _read_text(path, data, form, format)
    detected = detect_format(path, raw.header) if format == "auto" else format
    return raw, detected


def _read_text(path: Path, data: bytes, form: Questionnaire, format: str) -> readers.RawTable:
    text, note = readers.decode_text(path, data)
    probe = [LAYOUTS[format]] if format != "auto" else list(LAYOUTS.values())
    mappers = [ColumnMapper(form, layout) for layout in probe]

    def score(fields: list[str]) -> int:
        return max(mapper.score(fields) for mapper in mappers)

    delimiter = readers.choose_delimiter(text, score)
    # The C parser reads bytes faster than text: hand it UTF-8 bytes.
    utf8 = data if note is None else text.encode("utf-8")
    raw = readers.read_csv_text(path, text, delimiter, utf8)
    if note:
        raw.notes.append(note)
    if delimiter != ",":
        raw.notes.append(
            f"columns separated by {'tabs' if delimiter == chr(9) else repr(delimiter)}")
    return raw


# -- columns ---------------------------------------------------------------------------------

def _filled(values: pd.Series) -> bool:
    return any(str(v).strip() for v in pd.unique(values.to_numpy()))


def map_columns(raw: readers.RawTable, form: Questionnaire, layout: Layout) -> list[Column]:
    mapper = ColumnMapper(form, layout)
    aliases = _spss_sets(raw, form) if layout.name == "spss" else {}
    header = ["" if h in aliases else h for h in raw.header]
    if layout.name == "spss":
        header = [_spss_header(raw, mapper, h) for h in header]
    filled = [h not in aliases and _filled(raw.cells[i]) for i, h in enumerate(raw.header)]
    columns = mapper.map(header, raw.file, filled)
    for i, column in enumerate(columns):
        original = raw.header[column.index]
        if original in aliases:
            role, q, choice = aliases[original]
            columns[i] = Column(column.index, original, role, q, choice)
        elif column.header != original:
            columns[i] = Column(column.index, original, column.role, column.question,
                                column.choice)
    return columns


def _spss_header(raw: readers.RawTable, mapper: ColumnMapper, header: str) -> str:
    """An SPSS variable whose name matches nothing may be known by its variable label."""
    label = raw.column_labels.get(header)
    if not header or not label or mapper.resolve(0, header, set()) is not None:
        return header
    return label if mapper.resolve(0, label, set()) is not None else header


def _spss_sets(raw: readers.RawTable, form: Questionnaire) -> dict[str, tuple]:
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
    index = raw.header.index(variable)
    counted_text = readers.code_text(counted)
    raw.cells[index] = readers.per_value(
        raw.cells[index], lambda v: "" if not v.strip() else "1" if v.strip() == counted_text
        else "0")


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
    for i, u in enumerate(uniques):
        if not u.strip():
            continue
        got = decoder.one(u) if q.type == "select_one" else decoder.many(u)
        if got is None:
            unknown[i] = True
        else:
            stored[i] = got[0] if q.type == "select_one" else " ".join(got[0])
            others[i] = got[1] or None
    if unknown.any():
        names = ", ".join(repr(c.label(ctx.form.default_language)) for c in q.choices[:8])
        ctx.fail(col, pd.Series(unknown[codes], index=values.index),
                 f"{{value}} is not an option of question '{q.name}'.",
                 f"use one of its options ({names}{', …' if len(q.choices) > 8 else ''}), or "
                 "add the option to the questionnaire's 'choices' sheet and load it again.",
                 "unknown-option")
        return None
    other = pd.Series(others[codes], index=values.index) if any(others) else None
    return pd.Series(stored[codes], index=values.index), other


def _decode_answer(ctx: _Context, col: Column) -> tuple[pd.Series, pd.Series | None] | None:
    q = col.question
    values = ctx.text(col)
    if q.is_select:
        return _decode_select(ctx, col)
    if q.type in ("integer", "decimal"):
        parsed, bad = readers.on_distinct(
            values, lambda u: readers.parse_numbers(u, q.type == "integer"), ctx.distinct(col))
        if bad.any():
            kind = "a whole number" if q.type == "integer" else "a number"
            ctx.fail(col, bad, f"{{value}} is not {kind} (question '{q.name}').",
                     "correct the cell (digits only, e.g. 12 or 3.5) or leave it empty.",
                     "bad-number")
            return None
        return parsed, None
    if q.type == "date":
        parsed, bad = readers.on_distinct(values, readers.parse_dates, ctx.distinct(col))
        if bad.any():
            ctx.fail(col, bad, f"{{value}} is not a date (question '{q.name}').",
                     "write dates as 2021-09-15 or 15.09.2021.", "bad-date")
            return None
        return parsed, None
    return readers.per_value(values, _clean_text, distinct=ctx.distinct(col)), None


def _clean_text(value: str) -> str | None:
    # PostgreSQL cannot store NUL; a text answer never means one.
    text = value.replace("\x00", "").strip()
    return text or None


def _option_flags(ctx: _Context, col: Column) -> tuple[pd.Series, pd.Series | None] | None:
    """A 0/1 (Y/empty, label/empty) column for one option; "Other" may hold the text."""
    q = col.question
    choice = q.choice(col.choice)
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
    names = [c.name for c in q.choices if c.name in flags]
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
    """Only for questions shown to everyone (no 'relevant'): syrmak does not run XPath."""
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
    """LimeSurvey keeps unfinished responses with an empty submitdate: leave them out."""
    time = next((c for c in columns if c.role == "time"), None)
    if ctx.layout.name != "limesurvey" or time is None:
        return
    unfinished = ctx.stripped(time) == ""
    if unfinished.any():
        ctx.cells = ctx.cells[~unfinished]
        ctx.notes.append(f"{int(unfinished.sum())} unfinished responses (no submitdate) were "
                         "left out.")


def parse(raw: readers.RawTable, form: Questionnaire, fmt: str) -> _Parsed:
    ctx = _Context(raw, form, LAYOUTS[fmt])
    columns = map_columns(raw, form, ctx.layout)
    _incomplete(ctx, columns)
    held = _quarantine(ctx, columns)
    index = ctx.cells.index
    answers: dict[str, pd.Series] = {}
    personal: dict[str, pd.Series] = {}
    plain: dict[str, pd.Series] = {}
    others: dict[str, pd.Series] = {}
    options: dict[str, list[Column]] = {}
    keys = pd.Series("", index=index, dtype=object)
    times = pd.Series(pd.NaT, index=index, dtype="datetime64[us, UTC]")
    for col in columns:
        if col.role in ("key", "local_key"):
            keys = _keys(ctx, col, keys)
        elif col.role == "time":
            times = _times(ctx, col)
        elif col.question is None:
            continue
        elif col.question.personal_data:
            personal[col.question.name] = ctx.stripped(col)
            plain[col.question.name] = _plain_answer(ctx, col)
        elif col.role in ("option", "category"):
            options.setdefault(col.question.name, []).append(col)
        elif col.role == "other":
            others[col.question.name] = readers.per_value(ctx.text(col), _clean_text,
                                                         distinct=ctx.distinct(col))
        else:
            decoded = _decode_answer(ctx, col)
            if decoded is not None:
                answers[col.question.name] = decoded[0]
                if decoded[1] is not None:
                    others[col.question.name] = decoded[1]
    for name, cols in options.items():
        if name in answers:
            continue  # Kobo and ODK write both; the joined column is the answer.
        answers[name], other = _combine_options(ctx, form.question(name), cols)
        if other is not None:
            others[name] = other
    _merge_others(ctx, answers, others, personal, plain)
    _check_required(ctx, columns, answers, personal)
    ctx.errors.raise_if_any()
    frame = pd.DataFrame({q.name: answers[q.name] for q in form.answered if q.name in answers},
                         index=index)
    notes = [*raw.notes, *ctx.notes, *_column_notes(form, columns)]
    return _Parsed(frame, personal, keys, times, [], notes, held, plain)


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
        kinds = readers.per_value(ctx.text(col), detect.contact_kind, distinct=ctx.distinct(col))
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
    file_hash = hashlib.sha256(path.read_bytes()).hexdigest()
    needs_vault = bool(parsed.held) or any((s != "").any() for s in parsed.personal.values())
    if needs_vault:
        study.recipient  # noqa: B018 -- fail before writing if the vault cannot seal
    n = len(parsed.answers)
    with db.writer(study.engine, study.id) as connection:
        row_keys, known, withdrawn = identity.recognise(
            connection, parsed.keys, parsed.answers, parsed.plain, parsed.times, form.form_id)
        has_id = parsed.keys != ""
        keys = parsed.keys.where(has_id, row_keys)
        fresh = _fresh_positions(keys, parsed.times, known)
        if skipped := int(withdrawn.sum()):
            parsed.notes.append(f"{skipped} row(s) belong to respondents who withdrew and were "
                                "not imported again.")
        start = (connection.execute(sa.select(sa.func.max(schema.respondents.c.number)))
                 .scalar() or 0) + 1
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
        study.log("import", {"file": path.name, "format": fmt, "rows_read": n,
                             "added": len(fresh), "sha256": file_hash, "quarantined": held},
                  actor, connection)
    return ImportResult(
        file=path.name, format=fmt, rows_read=n, added=len(fresh), duplicates=n - len(fresh),
        numbers=tuple(range(start, start + len(fresh))), contacts_stored=sealed,
        notes=tuple(parsed.notes),
        warnings=(*parsed.warnings, *_held_warnings(parsed.held, path.name, numbers)),
        quarantined=held,
    )


def _fresh_positions(keys: pd.Series, times: pd.Series, known: np.ndarray) -> list[int]:
    """Rows not stored yet (first of each key), in submission order."""
    new = ~known & ~keys.duplicated().to_numpy()
    order = _submission_order(times)
    return order[new[order]].tolist()


def _insert_respondents(connection, fresh, start, import_id, keys, row_keys, times) -> None:
    """Respondent ``start + i`` is row ``fresh[i]``, at position i of the batch's answers."""
    chosen_keys = keys.to_numpy(dtype=object)[fresh].tolist()
    chosen_rows = row_keys.to_numpy(dtype=object)[fresh].tolist()
    chosen_times = [None if pd.isna(t) else t.to_pydatetime() for t in times.iloc[fresh]]
    rows = [{"number": start + i, "submission_key": key, "row_key": row, "submitted_at": when,
             "import_id": import_id, "position": i}
            for i, (key, row, when) in enumerate(zip(chosen_keys, chosen_rows, chosen_times,
                                                     strict=True))]
    if rows:
        connection.execute(sa.insert(schema.respondents), rows)


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
