"""A draft XLSForm written from an export, for people whose tool makes none.

Google Forms, SPSS, LimeSurvey and Qualtrics exports come without an XLSForm, and Kobo or
ODK exports sometimes lose theirs. ``draft_questionnaire`` reads the export as ``import``
would and writes a workbook a researcher reviews and then loads: one question per column
(or per group of columns: a Google Forms grid, LimeSurvey's subquestions, a dichotomy
set), labelled with the column's header so the same export imports into it as it is, typed
from the answers seen, and options from the values seen. What it guessed is said on each row
(column ``guess``), so the review knows where to look:

* Google Forms: the header's question texts; a column whose cells split on ", " into a few
  recurring options is checkboxes (select_multiple), one with a few distinct answers
  a choice, numbers an integer or a decimal, dates a date, anything else text.
* SPSS: variable names and labels, value labels as options, measure levels (nominal and
  ordinal with labels: a choice; scale: a number), multiple-response sets (select_multiple).
* LimeSurvey: codes; ``Q[SQ]`` subquestions as a group (or options, when they hold Y).
* Kobo, ODK, Qualtrics, CSV: the column names, ``q/option`` columns as options.

A column whose answers look like contact details is marked ``personal_data = yes``.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from syrmak.errors import SyrmakError
from syrmak.privacy import detect
from syrmak.survey import readers
from syrmak.survey.instrument import Questionnaire
from syrmak.survey.layouts import LAYOUTS, Layout

#: At most this many distinct answers make a column a choice rather than text.
MAX_OPTIONS = 30
#: Google Forms joins the options a respondent ticked with this.
CHECKBOX_SEPARATOR = ", "
_BRACKET = re.compile(r"^(?P<head>.+?)\s*\[(?P<tail>[^\[\]]+)\]$")
_INTEGER = re.compile(r"-?\d+")
_DECIMAL = re.compile(r"-?\d+(?:[.,]\d+)?")
#: "Q2: Do you ..." is question q2.
_NUMBERED = re.compile(r"^\s*([A-Za-z]{1,3}\d+[a-z]?)\s*[:.)]\s")
_EMPTY = Questionnaire("draft", "draft", None, None, (), (), ())


@dataclass
class Draft:
    """The rows of a draft XLSForm and what was guessed."""

    title: str
    form_id: str
    survey: list[dict] = field(default_factory=list)
    choices: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    _names: set[str] = field(default_factory=set)
    _lists: dict[tuple, str] = field(default_factory=dict)

    def name(self, text: str, prefix: str = "q") -> str:
        """A unique XLSForm name from a header: ascii words, at most 32 characters."""
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        numbered = _NUMBERED.match(ascii_text)
        words = re.findall(r"[a-z0-9]+", ascii_text.lower())
        base = numbered[1].lower() if numbered else "_".join(words[:4])[:32].strip("_")
        if not base or not base[0].isalpha():
            base = f"{prefix}{len(self._names) + 1}" if not base else f"{prefix}_{base}"
        name, n = base, 2
        while name.casefold() in self._names:
            name, n = f"{base}_{n}", n + 1
        self._names.add(name.casefold())
        return name

    def choice_list(self, options: list[tuple[str, str]]) -> str:
        """The list holding these (name, label) options, shared by identical lists."""
        key = tuple(options)
        if key not in self._lists:
            list_name = f"list{len(self._lists) + 1}"
            self._lists[key] = list_name
            self.choices += [{"list_name": list_name, "name": n, "label": label}
                             for n, label in options]
        return self._lists[key]

    def question(self, kind: str, label: str, guess: str, *, name: str | None = None,
                 options: list[tuple[str, str]] | None = None, personal: bool = False) -> None:
        if options is not None:
            kind = f"{kind} {self.choice_list(options)}"
        self.survey.append({"type": kind, "name": name or self.name(label), "label": label,
                            "personal_data": "yes" if personal else "", "guess": guess})

    def group(self, label: str, begin: bool) -> None:
        if begin:
            self.survey.append({"type": "begin_group", "name": self.name(label, "g"),
                                "label": label, "personal_data": "", "guess": ""})
        else:
            self.survey.append({"type": "end_group", "name": "", "label": "",
                                "personal_data": "", "guess": ""})

    def write(self, path: Path) -> Path:
        from openpyxl import Workbook
        from openpyxl.styles import Font

        workbook = Workbook()
        survey = workbook.active
        survey.title = "survey"
        columns = ["type", "name", "label", "personal_data", "guess"]
        survey.append(columns)
        for row in self.survey:
            survey.append([row.get(c, "") for c in columns])
        choices = workbook.create_sheet("choices")
        choices.append(["list_name", "name", "label"])
        for row in self.choices:
            choices.append([row["list_name"], row["name"], row["label"]])
        settings = workbook.create_sheet("settings")
        settings.append(["form_title", "form_id", "version"])
        settings.append([self.title, self.form_id, "draft"])
        for sheet in (survey, choices, settings):
            for cell in sheet[1]:
                cell.font = Font(bold=True)
        workbook.save(path)
        return path


# -- reading the export ----------------------------------------------------------------------

def _read(path: Path, fmt: str) -> tuple[readers.RawTable, Layout]:
    from syrmak.survey.imports import read_file

    raw, detected = read_file(path, _EMPTY, fmt)
    layout = LAYOUTS[detected]
    if layout.header_rows is not None and (note := layout.header_rows(raw)):
        raw.notes.append(note)
    return raw, layout


def _bookkeeping(layout: Layout, header: str, index: int) -> bool:
    from syrmak.survey.layouts import ColumnMapper

    if not header.strip():
        return True
    mapper = ColumnMapper(_EMPTY, layout)
    column = mapper.resolve(index, header, set())
    return column is not None


def _values(cells: pd.Series) -> list[str]:
    return [str(v).strip() for v in cells if str(v).strip()]


def _personal(values: list[str]) -> bool:
    sample = values[:500]
    flagged = sum(1 for v in sample if detect.contact_kind(v) is not None)
    return bool(sample) and flagged >= max(1, len(sample) // 2)


def _slug_options(draft: Draft, labels: list[str]) -> list[tuple[str, str]]:
    names: list[str] = []
    for label in labels:
        ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
        base = "_".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))[:24] or \
            f"o{len(names) + 1}"
        name, n = base, 2
        while name in names:
            name, n = f"{base}_{n}", n + 1
        names.append(name)
    return list(zip(names, labels, strict=True))


def _ordered(values: list[str]) -> list[str]:
    """Distinct answers: numbers in numeric order, texts by how often they were given."""
    counts = Counter(values)
    if all(_DECIMAL.fullmatch(v) for v in counts):
        return sorted(counts, key=lambda v: float(v.replace(",", ".")))
    return [v for v, _ in counts.most_common()]


def _guess(draft: Draft, header: str, values: list[str], multi: str | None,
           name: str | None = None) -> None:
    """One column, typed from its answers."""
    label = header.strip()
    question = draft.question

    def ask(kind, text, guess, **more):
        question(kind, text, guess, name=name, **more)

    draft = _Asking(draft, ask)
    personal = _personal(values)
    seen = f"{len(values)} answers"
    if personal:
        draft.question("text", label, f"text; its answers look like contact details, so it "
                       f"is marked personal data ({seen})", personal=True)
        return
    if not values:
        draft.question("text", label, "text: no answers to guess from")
        return
    distinct = _ordered(values)
    if multi and any(multi in v for v in values):
        tokens = [t.strip() for v in values for t in v.split(multi) if t.strip()]
        options = _ordered(tokens)
        if len(options) <= MAX_OPTIONS and len(options) < len(distinct) + 1:
            draft.question("select_multiple", label,
                           f"select_multiple: cells split on '{multi}' into {len(options)} "
                           f"options ({seen}); an option whose label holds '{multi}' shows "
                           "up as two: merge them", options=_slug_options(draft, options))
            return
    if all(_INTEGER.fullmatch(v) for v in distinct):
        small = all(0 <= int(v) <= 10 for v in distinct)
        if small and len(distinct) <= 11:
            draft.question("select_one", label, f"select_one: a scale of whole numbers "
                           f"{distinct[0]}-{distinct[-1]} ({seen}); make it integer if it is a "
                           "count", options=[(v, v) for v in distinct])
        else:
            draft.question("integer", label, f"integer ({seen})")
        return
    if all(_DECIMAL.fullmatch(v) for v in distinct):
        draft.question("decimal", label, f"decimal ({seen})")
        return
    from syrmak.survey.imports import _CHECKED_TEXT

    for kind in ("geopoint", "geotrace", "geoshape", "time"):
        check = _CHECKED_TEXT[kind][0]
        if all(check(v) for v in distinct) and (kind != "geopoint" or " " in distinct[0]) \
                and (kind not in ("geotrace", "geoshape") or ";" in distinct[0]):
            draft.question(kind, label, f"{kind} ({seen})")
            return
    if all(re.search(r"\d[T ]\d{1,2}:\d{2}", v) for v in distinct) and \
            all(_CHECKED_TEXT["datetime"][0](v) for v in distinct):
        draft.question("dateTime", label, f"dateTime ({seen})")
        return
    dates, bad = readers.parse_dates(pd.Series(distinct, dtype=object))
    if not bad.any() and all(re.search(r"\d", v) for v in distinct):
        draft.question("date", label, f"date ({seen})")
        return
    if len(distinct) <= MAX_OPTIONS and len(distinct) <= max(2, len(values) // 2):
        draft.question("select_one", label, f"select_one: {len(distinct)} distinct answers "
                       f"({seen}); add options nobody chose", options=_slug_options(
                           draft, distinct))
        return
    draft.question("text", label, f"text: {len(distinct)} distinct answers ({seen})")


# -- the formats --------------------------------------------------------------------------------

def _from_table(draft: Draft, raw: readers.RawTable, layout: Layout) -> None:
    """Columns of a text export or workbook: brackets and ``q/option`` columns grouped."""
    multi = CHECKBOX_SEPARATOR if layout.name == "google-forms" else None
    spaced = layout.name in ("kobo", "odk")
    used: set[int] = set()
    groups: dict[str, list[tuple[int, str, str]]] = {}
    option_columns: dict[str, list[tuple[int, str]]] = {}
    names = {h.strip(): i for i, h in enumerate(raw.header) if h.strip()}
    for index, header in enumerate(raw.header):
        if _bookkeeping(layout, header, index):
            used.add(index)
            continue
        match = _BRACKET.match(header.strip())
        if match:
            groups.setdefault(match["head"].strip(), []).append(
                (index, match["tail"].strip(), header))
            continue
        for sep in layout.option_separators or ("/",):
            head, found, tail = header.strip().rpartition(sep)
            if found and head in names and names[head] != index:
                option_columns.setdefault(head, []).append((index, tail))
                break
    for members in option_columns.values():
        used.update(i for i, _ in members)
    locations: dict[str, list[int]] = {}
    for index, header in enumerate(raw.header):
        for sep in layout.group_separators if layout.location_parts else ():
            head, found, tail = header.strip().rpartition(sep)
            if found and tail.casefold() in layout.location_parts:
                locations.setdefault(head, []).append(index)
    for head, members in locations.items():
        if len(members) >= 2:
            used.update(members[1:])
            draft_name = draft.name(re.split(r"[/-]", head)[-1])
            first = members[0]
            used.add(first)
            draft.survey.append({"type": "geopoint", "name": draft_name, "label": head,
                                 "personal_data": "", "guess": "geopoint: latitude, "
                                 "longitude, altitude and accuracy columns"})
    for index, header in enumerate(raw.header):
        if index in used:
            continue
        match = _BRACKET.match(header.strip())
        if match:
            head = match["head"].strip()
            if head in groups:
                _bracket_group(draft, raw, head, groups.pop(head))
            continue
        values = _values(raw.cells[index])
        if header.strip() in option_columns:
            options = [tail for _, tail in option_columns[header.strip()]]
            draft.question("select_multiple", header.strip(),
                           f"select_multiple: one column per option ({len(options)})",
                           options=[(o, o) for o in options])
            continue
        name = draft.name(re.split(r"[/-]", header.strip())[-1]) if spaced else None
        _guess(draft, header, values, multi or (" " if spaced and _spaced_codes(values)
                                                else None), name=name)
    if not draft.survey:
        raise SyrmakError("the export has no column to make a question of.",
                          "check the file: it holds only the tool's own columns.",
                          code="empty-draft", file=raw.file)


class _Asking:
    """The draft, with ``question`` naming the question as the caller chose."""

    def __init__(self, draft: Draft, ask) -> None:
        self._draft = draft
        self.question = ask

    def __getattr__(self, name):
        return getattr(self._draft, name)


def _spaced_codes(values: list[str]) -> bool:
    """Kobo and ODK join a select_multiple's option names with spaces: short codes."""
    return bool(values) and all(re.fullmatch(r"[\w.-]+(?: [\w.-]+)*", v) for v in values) and \
        any(" " in v for v in values)


def _bracket_group(draft: Draft, raw: readers.RawTable, head: str,
                   members: list[tuple[int, str, str]]) -> None:
    """``Head [Row]`` columns: a grid of questions (Google Forms, LimeSurvey arrays), or the
    options of one question when the cells only tick (LimeSurvey's Y)."""
    cells = {tail: _values(raw.cells[i]) for i, tail, _ in members}
    ticks = all(set(v) <= {"Y", "1", "y"} for v in cells.values())
    other = [t for t in cells if t.casefold() in ("other", "-oth-")]
    if ticks:
        options = [(t, t) for t in cells if t not in other]
        kind = "select_multiple"
        draft.question(kind, head, f"select_multiple: one column per option ({len(options)})"
                       + ("; 'Other' text column: or_other" if other else ""),
                       options=options)
        if other:
            row = draft.survey[-1]
            row["type"] += " or_other"
        return
    draft.group(head, True)
    shared = sorted({v for values in cells.values() for v in values})
    for _, tail, _ in members:
        values = cells[tail]
        if shared and len(shared) <= MAX_OPTIONS and all(set(v) <= set(shared)
                                                         for v in cells.values()):
            draft.question("select_one", tail, f"select_one: a row of the grid '{head}', "
                           f"options seen in any row ({len(shared)})",
                           options=_slug_options(draft, _ordered(
                               [v for vs in cells.values() for v in vs])))
        else:
            _guess(draft, tail, values, None)
    draft.group(head, False)


def _from_spss(draft: Draft, path: Path) -> None:
    """Variables, their labels, value labels, measure levels and multiple-response sets."""
    import pyreadstat

    read = pyreadstat.read_por if path.suffix.lower() == ".por" else pyreadstat.read_sav
    try:
        frame, meta = read(str(path), apply_value_formats=False)
    except Exception as exc:  # pyreadstat's own errors
        raise SyrmakError(f"cannot read the SPSS file ({exc}).",
                          "save it again from SPSS or PSPP as .sav.", code="corrupt-file",
                          file=path.name) from None
    labels = meta.column_names_to_labels or {}
    value_labels = meta.variable_value_labels or {}
    measures = getattr(meta, "variable_measure", {}) or {}
    in_sets: set[str] = set()
    for set_name, spec in (getattr(meta, "mr_sets", None) or {}).items():
        variables = [v for v in spec.get("variable_list") or [] if v in frame.columns]
        in_sets.update(variables)
        if spec.get("is_dichotomy") or spec.get("type") == "D":
            options = [(v, labels.get(v) or v) for v in variables]
            how = "a dichotomy set: one variable per option"
        else:  # a category set: each variable holds one chosen option's code
            codes: dict[str, str] = {}
            for v in variables:
                codes.update({readers.code_text(k): str(t) for k, t in
                              (value_labels.get(v) or {}).items()})
                codes.update({readers.code_text(x): readers.code_text(x)
                              for x in frame[v].dropna() if readers.code_text(x)
                              and readers.code_text(x) not in codes})
            options = sorted(codes.items())
            how = "a category set: each variable holds one chosen option"
        draft.question("select_multiple", spec.get("label") or set_name.lstrip("$"),
                       f"select_multiple: the multiple-response set {set_name} ({how})",
                       name=draft.name(set_name.lstrip("$")), options=options)
    from syrmak.survey.layouts import ColumnMapper

    mapper = ColumnMapper(_EMPTY, LAYOUTS["spss"])
    for index, column in enumerate(frame.columns):
        if column in in_sets:
            continue
        if mapper.resolve(index, column, set()) is not None:
            draft.notes.append(f"variable '{column}' is the case's id or time, not a question.")
            continue
        label = labels.get(column) or column
        values = frame[column].dropna()
        name = draft.name(column)
        codes = value_labels.get(column)
        measure = measures.get(column, "unknown")
        if pd.api.types.is_datetime64_any_dtype(frame[column]) or \
                str(meta.original_variable_types.get(column, "")).startswith(("DATE", "ADATE")):
            draft.question("date", label, f"date ({measure})", name=name)
        elif codes and measure != "scale":
            seen = {readers.code_text(v) for v in values}
            options = [(readers.code_text(k), str(v)) for k, v in sorted(codes.items(),
                                                                       key=lambda kv: str(kv[0]))]
            if all(_DECIMAL.fullmatch(n) for n, _ in options):
                options.sort(key=lambda o: float(o[0]))
            unlabelled = sorted(seen - {n for n, _ in options})
            options += [(code, code) for code in unlabelled]
            if all(_DECIMAL.fullmatch(n) for n, _ in options):
                options.sort(key=lambda o: float(o[0]))
            draft.question("select_one", label, f"select_one: value labels, {measure} "
                           + (f"; codes {', '.join(unlabelled)} have no label (labelled with "
                              "the code)" if unlabelled else ""), name=name, options=options)
        elif pd.api.types.is_numeric_dtype(frame[column]):
            whole = bool(len(values)) and bool((values % 1 == 0).all())
            draft.question("integer" if whole else "decimal", label,
                           f"{'integer' if whole else 'decimal'} ({measure})", name=name)
        else:
            texts = [str(v).strip() for v in values if str(v).strip()]
            draft.question("text", label, f"text ({len(texts)} answers)", name=name,
                           personal=_personal(texts))
            if draft.survey[-1]["personal_data"]:
                draft.survey[-1]["guess"] += "; its answers look like contact details"


def draft_questionnaire(path: str | Path, out: str | Path, fmt: str = "auto",
                        title: str | None = None) -> Draft:
    """Write a draft XLSForm for the export ``path`` to ``out``; the ``Draft`` says what was
    guessed."""
    path, out = Path(path), Path(out)
    if not path.is_file():
        raise SyrmakError(f"file not found: {path}", "check the path.", code="not-found",
                          file=str(path))
    form_id = re.sub(r"[^A-Za-z0-9_]+", "_", path.stem).strip("_") or "draft"
    draft = Draft(title or path.stem, form_id if form_id[0].isalpha() else f"f_{form_id}")
    suffix = path.suffix.lower()
    if fmt == "spss" or (fmt == "auto" and suffix in LAYOUTS["spss"].suffixes):
        _from_spss(draft, path)
        used = "spss"
    else:
        raw, layout = _read(path, fmt)
        _from_table(draft, raw, layout)
        used = layout.name
        draft.notes.extend(raw.notes)
    draft.notes.insert(0, f"read as {used}: {len(draft.survey)} rows, "
                       f"{len({c['list_name'] for c in draft.choices})} choice lists.")
    if out.exists():
        raise SyrmakError(f"{out} exists already.",
                          "review and load it, or move it away to draft again.",
                          code="draft-exists", file=str(out))
    draft.write(out)
    return draft
