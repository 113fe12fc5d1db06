"""Import survey responses from Google Forms, Kobo, ODK Central, LimeSurvey, SPSS or CSV.

The pipeline: read the file into strings (``tables``), map columns to questions
(``layouts``), decode every distinct cell value once (fast on 200,000 rows, since a
column has few distinct answers), check everything, and only then write, in one
transaction. Personal-data answers go to the encrypted vault, never into ``answers``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import sqlalchemy as sa

from syrmak.errors import ErrorList, SyrmakError
from syrmak.store import schema
from syrmak.survey import tables
from syrmak.survey.instrument import OTHER, OTHER_SUFFIX, Question, Questionnaire
from syrmak.survey.layouts import FORMATS, LAYOUTS, Column, ColumnMapper, detect_format, normalise

if TYPE_CHECKING:
    from syrmak.study import Study

TRUE = {"1", "1.0", "true", "y", "yes", "да", "x", "✓", "✔", "selected"}
FALSE = {"", "0", "0.0", "false", "n", "no", "нет", "not selected"}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?:\+|\b)\d(?:[\s\-().]*\d){8,}")
SEPARATORS = (", ", ",", "; ", ";", " | ", "\n")


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
    #: Cells that look like contact details outside personal-data questions (no values shown).
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def summary(self) -> str:
        span = f" (respondents {self.numbers[0]}-{self.numbers[-1]})" if self.numbers else ""
        return (f"{self.file}: read {self.rows_read} rows as {self.format}; added {self.added}{span}, "
                f"{self.duplicates} already stored; {self.contacts_stored} contact entries sealed in the vault.")


# -- decoding ---------------------------------------------------------------------

class Decoder:
    """Turns one question's cell texts into stored values (choice names, numbers, texts)."""

    def __init__(self, q: Question, value_labels: dict | None = None) -> None:
        self.q = q
        self.value_labels = value_labels or {}
        self.lookup: dict[str, str] = {}
        for c in q.choices:
            self.lookup.setdefault(c.name.casefold(), c.name)
        for c in q.choices:
            for text in c.labels.values():
                self.lookup.setdefault(normalise(text), c.name)
        # Longest first, so a label containing ", " wins over a shorter one inside it.
        self.labels_longest = sorted(
            {(t, c.name) for c in q.choices for t in [*c.labels.values(), c.name] if t},
            key=lambda item: -len(item[0]),
        )

    def one(self, text: str) -> tuple[str, str | None] | None:
        """A single choice: (name, other_text) or None if unknown."""
        key = text.strip()
        found = self.lookup.get(key.casefold()) or self.lookup.get(normalise(key))
        if found is None and key in self.value_labels:
            found = self.lookup.get(normalise(self.value_labels[key]))
        if found is None and self.value_labels:
            try:
                number = float(key)
            except ValueError:
                number = None
            if number is not None:
                for code, label in self.value_labels.items():
                    if isinstance(code, int | float) and float(code) == number:
                        found = self.lookup.get(normalise(label))
        if found is None:
            found = ColumnMapper.choice_for_code(self.q, key)
        if found is not None:
            return found, None
        if self.q.or_other:
            return OTHER, key
        return None

    def many(self, text: str) -> tuple[list[str], str | None] | None:
        """A multi-answer cell: names joined by spaces, or labels joined by ', ' or ';'."""
        text = text.strip()
        tokens = text.split()
        names = {c.name for c in self.q.choices}
        if tokens and all(t in names for t in tokens):
            return self._ordered(tokens), None
        chosen: list[str] = []
        other: str | None = None
        pos = 0
        while pos < len(text):
            for label, name in self.labels_longest:
                end = pos + len(label)
                if text[pos:end].casefold() == label.casefold() and (
                    end == len(text) or text.startswith(SEPARATORS, end)
                ):
                    chosen.append(name)
                    pos = end
                    break
            else:
                # Google Forms puts the "Other" free text last, after the known options.
                if self.q.or_other:
                    other = text[pos:].strip()
                    chosen.append(OTHER)
                    break
                return None
            for sep in SEPARATORS:
                if text.startswith(sep, pos):
                    pos += len(sep)
                    break
            while pos < len(text) and text[pos] == " ":
                pos += 1
        return self._ordered(chosen), other

    def _ordered(self, names: list[str]) -> list[str]:
        order = {c.name: i for i, c in enumerate(self.q.choices)}
        return sorted(dict.fromkeys(names), key=order.__getitem__)


def _parse_numbers(values: pd.Series, integer: bool) -> pd.Series:
    cleaned = values.str.strip().str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
    cleaned = cleaned.str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(cleaned.where(cleaned != ""), errors="coerce")
    if integer:
        whole = numbers.notna() & (numbers % 1 == 0)
        return numbers.where(whole).astype("Int64"), (cleaned != "") & ~whole
    return numbers.astype("Float64"), (cleaned != "") & numbers.isna()


def _parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    stripped = values.str.strip()
    dayfirst = bool(stripped.str.match(r"^\d{1,2}\.\d{1,2}\.\d{2,4}").any())
    parsed = pd.to_datetime(stripped.where(stripped != ""), errors="coerce", format="mixed",
                            dayfirst=dayfirst)
    bad = (stripped != "") & parsed.isna()
    return parsed.dt.strftime("%Y-%m-%d").astype(object).where(parsed.notna(), None), bad


#: Timestamp layouts the tools write (Google Forms in Russian/English locales, Kobo, ODK,
#: LimeSurvey); tried whole-column first because per-cell guessing is slow on 200,000 rows.
TIME_FORMATS = ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%Y/%m/%d %I:%M:%S %p",
                "%Y-%m-%d %H:%M:%S", "ISO8601")


def _parse_times(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    stripped = values.str.strip()
    present = stripped != ""
    for fmt in TIME_FORMATS:
        parsed = pd.to_datetime(stripped.where(present), errors="coerce", format=fmt, utc=True)
        if not (present & parsed.isna()).any():
            return parsed, present & parsed.isna()
    dayfirst = bool(stripped.str.match(r"^\d{1,2}\.\d{1,2}\.\d{2,4}").any())
    parsed = pd.to_datetime(stripped.where(present), errors="coerce", format="mixed",
                            dayfirst=dayfirst, utc=True)
    return parsed, present & parsed.isna()


# -- the import ---------------------------------------------------------------------------

@dataclass
class _Parsed:
    answers: pd.DataFrame  # question name -> stored value (object/Int64/Float64)
    personal: dict[str, pd.Series]
    keys: pd.Series
    times: pd.Series
    warnings: list[str]
    columns: list[Column]


def read_file(path: Path, form: Questionnaire, format: str) -> tuple[tables.RawTable, str]:
    if format not in FORMATS:
        raise SyrmakError(f"unknown format '{format}'.", f"use one of: {', '.join(FORMATS)}.",
                          code="unknown-format", value=format)
    if not path.exists():
        raise SyrmakError(f"file not found: {path}", "check the path.", code="not-found", file=str(path))
    suffix = path.suffix.lower()
    if suffix == ".sav" or format == "spss":
        return tables.read_sav(path), "spss"
    if suffix in (".xlsx", ".xlsm"):
        raw = tables.read_xlsx(path)
    else:
        data = path.read_bytes()
        if data[:4] == b"PK\x03\x04":
            raw = tables.read_xlsx(path)
        else:
            text, note = tables.decode_text(path, data)
            probe = {format: LAYOUTS[format]} if format != "auto" else LAYOUTS

            def score(fields: list[str]) -> int:
                best = 0
                for layout in probe.values():
                    mapper = ColumnMapper(form, layout)
                    hits = sum(1 for f in fields if mapper._question(f, set()) or mapper._option(f, set())
                               or f.strip().casefold() in layout.time_columns + layout.key_columns)
                    best = max(best, hits)
                return best

            delimiter = tables.choose_delimiter(text, score)
            raw = tables.read_csv_text(path, text, delimiter)
            if note:
                raw.notes.append(note)
            if delimiter != ",":
                raw.notes.append(f"columns separated by {'tab' if delimiter == chr(9) else repr(delimiter)}")
    detected = detect_format(path, raw.header) if format == "auto" else format
    return raw, detected


def parse(raw: tables.RawTable, form: Questionnaire, fmt: str) -> _Parsed:
    layout = LAYOUTS[fmt]
    mapper = ColumnMapper(form, layout)
    aliases = _spss_aliases(raw, form) if fmt == "spss" else {}
    header = [h for h in raw.header]
    columns = mapper.map(header, raw.file) if not aliases else _map_with_aliases(mapper, raw, aliases)
    errors = ErrorList()
    cells = raw.cells
    n = len(cells)
    answers: dict[str, pd.Series] = {}
    personal: dict[str, pd.Series] = {}
    others: dict[str, pd.Series] = {}
    option_cols: dict[str, list[Column]] = {}
    keys = pd.Series([""] * n, index=cells.index, dtype=object)
    times = pd.Series(pd.NaT, index=cells.index, dtype="datetime64[ns, UTC]")

    def fail(col: Column, mask: pd.Series, message: str, hint: str, code: str) -> None:
        for pos in np.flatnonzero(mask.to_numpy())[:5]:
            value = cells[col.index].iloc[pos]
            shown = "(a personal-data value)" if col.question is not None and col.question.personal_data else repr(value)
            errors.add(SyrmakError(message.replace("{value}", shown), hint, code=code, file=raw.file,
                                   row=raw.row_number(int(pos)), column=col.header, value=value))

    for col in columns:
        values = cells[col.index].astype(str)
        if col.role == "ignore":
            continue
        if col.role == "form_id":
            wrong = (values.str.strip() != "") & (values.str.strip() != form.form_id)
            if wrong.any():
                fail(col, wrong, f"the file was exported from form {{value}}, not '{form.form_id}'.",
                     "load that form's questionnaire, or import the export of this one.", "wrong-questionnaire")
            continue
        if col.role == "key":
            keys = values.str.strip().str.removeprefix("uuid:")
            continue
        if col.role == "time":
            times, bad = _parse_times(values)
            if bad.any():
                fail(col, bad, "cannot read the submission time {value}.",
                     "use a date and time such as 2021-09-15 10:23:45 or 15.09.2021 10:23:45.", "bad-time")
            continue
        q = col.question
        if q.personal_data:
            personal[q.name] = values.str.strip()
            continue
        if col.role == "option":
            option_cols.setdefault(q.name, []).append(col)
            continue
        if col.role == "other":
            others[q.name] = values.str.strip()
            continue
        if q.type in ("select_one", "select_multiple"):
            decoder = Decoder(q, raw.value_labels.get(col.header))
            uniques = pd.unique(values.to_numpy())
            mapping, other_map, unknown = {}, {}, []
            for u in uniques:
                if not str(u).strip():
                    mapping[u] = None
                    continue
                got = decoder.one(u) if q.type == "select_one" else decoder.many(u)
                if got is None:
                    unknown.append(u)
                    continue
                stored, other = got
                mapping[u] = stored if q.type == "select_one" else " ".join(stored)
                if other:
                    other_map[u] = other
            if unknown:
                names = ", ".join(c.label(form.default_language) for c in q.choices[:8])
                fail(col, values.isin(unknown),
                     f"{{value}} is not an option of question '{q.name}'.",
                     f"use one of its options ({names}{', …' if len(q.choices) > 8 else ''}) or add the "
                     "option to the questionnaire's 'choices' sheet and load it again.",
                     "unknown-option")
                continue
            answers[q.name] = values.map(mapping).astype(object)
            if other_map:
                others[q.name] = values.map(other_map).astype(object)
        elif q.type in ("integer", "decimal"):
            parsed, bad = _parse_numbers(values, q.type == "integer")
            if bad.any():
                fail(col, bad, f"{{value}} is not {'a whole number' if q.type == 'integer' else 'a number'} "
                     f"(question '{q.name}').", "correct the cell or leave it empty.", "bad-number")
                continue
            answers[q.name] = parsed
        elif q.type == "date":
            parsed, bad = _parse_dates(values)
            if bad.any():
                fail(col, bad, f"{{value}} is not a date (question '{q.name}').",
                     "write dates as 2021-09-15 or 15.09.2021.", "bad-date")
                continue
            answers[q.name] = parsed
        else:
            stripped = values.str.strip()
            answers[q.name] = stripped.where(stripped != "", None).astype(object)

    for name, cols in option_cols.items():
        q = form.question(name)
        if name in answers:
            continue  # Kobo and ODK write both; the joined column is the answer.
        flags = {}
        any_cell = pd.Series(False, index=cells.index)
        for col in cols:
            values = cells[col.index].astype(str).str.strip()
            low = values.str.casefold()
            choice = q.choice(col.choice)
            labels = {normalise(t) for t in choice.labels.values()} | {choice.name.casefold()}
            is_true = low.isin(TRUE) | low.map(normalise).isin(labels)
            is_false = low.isin(FALSE)
            if col.choice == OTHER:
                # LimeSurvey and Kobo put the other text itself in the "other" column.
                text = values.where(~is_true & ~is_false & (values != ""))
                if text.notna().any():
                    others[name] = text.astype(object).where(text.notna(), None)
                is_true = is_true | text.notna()
            else:
                bad = ~is_true & ~is_false
                if bad.any():
                    fail(col, bad, f"{{value}} is neither selected nor unselected (option '{col.choice}' of "
                         f"question '{name}').", "use 1/0, Y or empty, or the option's label.", "unknown-option")
                    continue
            flags[col.choice] = is_true
            any_cell |= values != ""
        order = [c.name for c in q.choices if c.name in flags]
        if not order:
            continue
        joined = pd.Series([""] * n, index=cells.index, dtype=object)
        for choice in order:
            joined = joined.where(~flags[choice], joined + " " + choice)
        joined = joined.str.strip()
        answers[name] = joined.where(any_cell, None).astype(object)

    for name, text in others.items():
        target = name + OTHER_SUFFIX
        if target in answers and answers[target].notna().any():
            continue
        answers[target] = text.where(text.notna(), None) if isinstance(text, pd.Series) else text
        if name in answers:
            has_text = text.notna() & (text.astype(str) != "")
            current = answers[name].fillna("")
            if form.question(name).type == "select_multiple":
                lacks = has_text & ~current.str.split().map(lambda t: OTHER in t)
                answers[name] = answers[name].where(~lacks, (current + " " + OTHER).str.strip())
            else:
                answers[name] = answers[name].where(~has_text, OTHER)

    # Required answers: only for questions shown to everyone (no 'relevant' condition),
    # since syrmak does not evaluate XPath skip logic.
    mapped = {c.question.name for c in columns if c.question is not None}
    for q in form.answered:
        if not q.required or q.relevant or q.name not in mapped:
            continue
        series = personal.get(q.name) if q.personal_data else answers.get(q.name)
        if series is None:
            continue
        empty = series.isna() | (series.astype(str).str.strip() == "")
        if empty.any():
            col = next(c for c in columns if c.question is not None and c.question.name == q.name)
            fail(col, empty, f"question '{q.name}' is required but has no answer.", "fill in the answer, or mark the question not required in the questionnaire.",
                "missing-required")
    errors.raise_if_any()

    frame = pd.DataFrame({q.name: answers[q.name] for q in form.answered if q.name in answers},
                         index=cells.index)
    for name in answers:
        if name not in frame.columns:
            frame[name] = answers[name]
    warnings = _contact_warnings(frame, form, columns, raw)
    return _Parsed(frame, personal, keys, times, warnings, columns)


def _spss_aliases(raw: tables.RawTable, form: Questionnaire) -> dict[str, tuple[str, str]]:
    """SPSS multiple-response sets: each variable of a dichotomy set is one option."""
    aliases: dict[str, tuple[str, str]] = {}
    for set_name, spec in raw.mr_sets.items():
        name = set_name.lstrip("$")
        if not form.has(name) or form.question(name).type != "select_multiple":
            continue
        q = form.question(name)
        for position, variable in enumerate(spec.get("variable_list", [])):
            choice = ColumnMapper.choice_for_code(q, variable.rsplit("_", 1)[-1]) if "_" in variable else None
            if choice is None and position < len(q.choices):
                choice = q.choices[position].name
            if choice is not None:
                aliases[variable] = (name, choice)
    return aliases


def _map_with_aliases(mapper: ColumnMapper, raw: tables.RawTable, aliases) -> list[Column]:
    plain = [h for h in raw.header if h not in aliases]
    mapped = {c.header: c for c in mapper.map(plain, raw.file)}
    columns = []
    for index, header in enumerate(raw.header):
        if header in aliases:
            name, choice = aliases[header]
            columns.append(Column(index, header, "option", mapper.form.question(name), choice))
        else:
            c = mapped[header]
            columns.append(Column(index, header, c.role, c.question, c.choice))
    return columns


def _contact_warnings(frame: pd.DataFrame, form: Questionnaire, columns, raw) -> list[str]:
    warnings = []
    headers = {c.question.name: c.header for c in columns if c.question is not None}
    for q in form.answered:
        if q.type != "text" or q.personal_data or q.name not in frame.columns:
            continue
        text = frame[q.name].dropna().astype(str)
        for kind, pattern in (("an e-mail address", EMAIL), ("a phone number", PHONE)):
            hits = text[text.str.contains(pattern, regex=True)]
            for pos in hits.index[:5]:
                # The value itself is never repeated: warnings end up in logs and terminals.
                warnings.append(
                    f"[{raw.file}, row {raw.row_number(int(frame.index.get_loc(pos)))}, column "
                    f"'{headers.get(q.name, q.name)}'] the answer to '{q.name}' looks like {kind}; "
                    "if it is a contact, mark the question personal_data = yes and import again, "
                    "or redact it.")
    return warnings


def _row_hashes(raw: tables.RawTable, columns: list[Column], form_id: str) -> pd.Series:
    """A submission without a uuid is known by a hash of its non-personal cells."""
    kept = [c.index for c in columns if c.role in ("answer", "option", "other", "time")
            and not (c.question is not None and c.question.personal_data)]
    if not kept:
        joined = pd.Series([""] * len(raw.cells), index=raw.cells.index)
    else:
        parts = [raw.cells[i].astype(str) for i in kept]
        joined = parts[0].str.cat(parts[1:], sep="\x1f") if len(parts) > 1 else parts[0]
    prefix = form_id + "\x1e"
    return pd.Series([
        "row:" + hashlib.sha256((prefix + s).encode("utf-8")).hexdigest() for s in joined
    ], index=raw.cells.index)


def import_file(study: Study, path: Path, format: str = "auto", actor: str | None = None) -> ImportResult:
    form = study.questionnaire
    raw, fmt = read_file(path, form, format)
    parsed = parse(raw, form, fmt)
    given = parsed.keys.astype(str)
    keys = ("uuid:" + given).where(given != "", _row_hashes(raw, parsed.columns, form.form_id))

    file_hash = hashlib.sha256(path.read_bytes()).hexdigest()
    n = len(raw.cells)
    needs_vault = any((s != "").any() for s in parsed.personal.values())
    keeper = study.vault if needs_vault else None  # fail before writing if the key is missing

    answers_json = (
        parsed.answers.to_json(orient="records", lines=True, force_ascii=False, date_format="iso")
        .splitlines() if len(parsed.answers.columns) else ["{}"] * n
    )
    with study.engine.begin() as connection:
        existing = set(connection.execute(sa.select(schema.respondents.c.submission_key)).scalars())
        seen: set[str] = set()
        fresh: list[int] = []
        for pos, key in enumerate(keys):
            if key in existing or key in seen:
                continue
            seen.add(key)
            fresh.append(pos)
        # Numbers follow submission time (file order for ties or no time).
        fresh_idx = np.asarray(fresh, dtype=np.int64)
        stamps = parsed.times.iloc[fresh_idx]
        untimed = stamps.isna().to_numpy()
        ns = stamps.to_numpy(dtype="datetime64[ns]").astype(np.int64)
        order = np.lexsort((fresh_idx, np.where(untimed, 0, ns), untimed))
        fresh = fresh_idx[order].tolist()
        start = (connection.execute(sa.select(sa.func.max(schema.respondents.c.number))).scalar() or 0) + 1
        import_id = connection.execute(
            sa.insert(schema.imports).returning(schema.imports.c.id),
            {"file_name": path.name, "file_sha256": file_hash, "format": fmt,
             "questionnaire_id": study.questionnaire_id(connection), "rows_read": n,
             "rows_added": len(fresh), "imported_at": datetime.now(UTC)},
        ).scalar_one()
        key_list = keys.to_numpy()
        when_list = parsed.times.dt.to_pydatetime() if len(parsed.times) else []
        rows = [
            {"number": start + offset, "submission_key": key_list[pos],
             "submitted_at": None if pd.isna(when_list[pos]) else when_list[pos],
             "import_id": import_id, "answers": answers_json[pos]}
            for offset, pos in enumerate(fresh)
        ]
        if rows:
            connection.execute(sa.insert(schema.respondents), rows)
        sealed = 0
        if keeper is not None and fresh:
            ids = dict(connection.execute(
                sa.select(schema.respondents.c.number, schema.respondents.c.id)
                .where(schema.respondents.c.import_id == import_id)).all())
            entries = []
            personal_values = {q: series.to_numpy() for q, series in parsed.personal.items()}
            for offset, pos in enumerate(fresh):
                for question, series in personal_values.items():
                    value = series[pos]
                    if value:
                        nonce, sealed_value = keeper.seal(key_list[pos], question, value)
                        entries.append({"respondent_id": ids[start + offset], "question": question,
                                        "nonce": nonce, "ciphertext": sealed_value})
            if entries:
                connection.execute(sa.insert(schema.contacts), entries)
            sealed = len(entries)
        study.log("import", {"file": path.name, "format": fmt, "rows_read": n, "added": len(fresh),
                             "sha256": file_hash}, actor, connection)
    return ImportResult(
        file=path.name, format=fmt, rows_read=n, added=len(fresh), duplicates=n - len(fresh),
        numbers=tuple(range(start, start + len(fresh))), contacts_stored=sealed,
        notes=tuple(raw.notes), warnings=tuple(parsed.warnings),
    )
