"""Read response files into a table of strings, whatever the tool that wrote them.

Russian exports come as UTF-8, UTF-8 with a BOM, or Windows-1251, separated by
commas, semicolons (Kobo, Excel in a Russian locale) or tabs: this module works out
which, and says so, instead of guessing silently.

A ``RawTable``'s rows are indexed by their spreadsheet row number (the header is row
1), so every error can point at the row a user sees when opening the file.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import io
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from syrmak.errors import ErrorList, SyrmakError
from syrmak.privacy import detect

DELIMITERS = (",", ";", "\t")
#: Byte-order marks: (mark, codec, what the note calls it).
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with a byte-order mark"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
#: Legacy Cyrillic code pages, most common first (ties go to the first).
LEGACY = ("cp1251", "koi8_r", "cp866")
LEGACY_NAMES = {"cp1251": "Windows-1251", "koi8_r": "KOI8-R", "cp866": "DOS-866"}
#: Control characters no text export holds (tab, line ends, vertical tab, form feed do).
_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r", "\x0b", "\x0c"}


@dataclass
class RawTable:
    """A response file as read: header texts and a frame of strings ('' = empty).

    ``cells`` has columns 0..n-1 and is indexed by spreadsheet row (header = row 1).
    """

    file: str
    header: list[str]
    cells: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    #: SPSS value labels {variable: {code text: label}} and multiple-response sets.
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    mr_sets: dict[str, dict] = field(default_factory=dict)
    #: SPSS variable labels {variable: label}: a second chance to find the question.
    column_labels: dict[str, str] = field(default_factory=dict)
    kind: str = "csv"
    #: SHA-256 of the file's bytes, when the reader computed it on its way through.
    sha256: str | None = None
    #: The file's other tables, by name: a workbook's other sheets (Kobo puts each repeat
    #: group on a sheet of its own), the other CSVs of a zip (ODK Central's repeats).
    tables: dict[str, RawTable] = field(default_factory=dict)


def _fail(message: str, hint: str, code: str, path: Path, **where) -> SyrmakError:
    return SyrmakError(message, hint, code=code, file=path.name, **where)


# -- text encodings ------------------------------------------------------------------

def decode_text(path: Path, data: bytes) -> tuple[str, str | None]:
    """Decode a text export; the note (if any) says which encoding was assumed."""
    for bom, codec, name in BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise _undecodable(path, data, exc, name) from None
            return _header_without_nul(path, text), f"read as {name}"
    try:
        return _header_without_nul(path, data.decode("utf-8")), None
    except UnicodeDecodeError as exc:
        utf8_error = exc
    _refuse_mixed_encodings(path, data)
    best = _best_legacy(data)
    if best is None:
        raise _undecodable(path, data, utf8_error, "UTF-8")
    codec, text = best
    return _header_without_nul(path, text), \
        f"read as {LEGACY_NAMES[codec]} (the file is not UTF-8)"


def _header_without_nul(path: Path, text: str) -> str:
    """The text, refused if its header line holds a NUL (binary data: UTF-16 without its
    byte-order mark, a workbook renamed .csv); NULs further down stay for the reader to
    strip from the cells (``_strip_nul``)."""
    position = text.find("\x00")
    if position >= 0 and "\n" not in text[:position]:
        raise _nul(path, 1)
    return text


def _undecodable(path: Path, data: bytes, exc: UnicodeDecodeError, expected: str) -> SyrmakError:
    start = exc.start
    line = data[:start].count(b"\n") + 1
    return _fail(
        f"the file is not valid {expected} (byte 0x{data[start]:02x} at line {line}) and does "
        "not read as Russian text in Windows-1251, KOI8-R or DOS-866 either.",
        "export it again as 'CSV UTF-8', or convert it first, e.g. "
        "iconv -f WINDOWS-1251 -t UTF-8 in.csv > out.csv.",
        "bad-encoding", path, line=line, value=f"0x{data[start]:02x}",
    )


def _refuse_mixed_encodings(path: Path, data: bytes) -> None:
    """Refuse a file whose non-ASCII lines are partly UTF-8 and partly not.

    Such a file (rows pasted from a UTF-8 export into a Windows-1251 one, or the other
    way round) decodes "successfully" as Windows-1251 as a whole, and its UTF-8 rows then
    come out garbled ("Р Р°Р±РѕС‚") without any error. Real Cyrillic text in a legacy code
    page is practically never valid UTF-8, so a line that is marks the mix.
    """
    utf8: list[int] = []
    legacy: list[int] = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            legacy.append(number)
        else:
            utf8.append(number)
    if not utf8 or not legacy:
        return
    if len(utf8) >= len(legacy):
        line = legacy[0]
        what = f"line {line} is not UTF-8, but the rest of the file is"
    else:
        rest = _best_legacy(b"\n".join(data.split(b"\n")[n - 1] for n in legacy))
        encoding = LEGACY_NAMES[rest[0]] if rest else "a legacy code page"
        line = utf8[0]
        what = f"line {line} is UTF-8, but the rest of the file is {encoding}"
    raise _fail(
        f"the file mixes text encodings: {what} ({len(utf8)} of {len(utf8) + len(legacy)} "
        "lines with non-Latin letters are UTF-8). Read as one encoding, some rows would come "
        "out garbled.",
        "re-save the file as UTF-8 ('CSV UTF-8' in Excel) after converting the odd lines, "
        "e.g. by copying them again from the original export.",
        "mixed-encoding", path, line=line,
    )


def _best_legacy(data: bytes) -> tuple[str, str] | None:
    """The legacy code page under which the bytes read most like Russian text."""
    best: tuple[int, str, str] | None = None
    for codec in LEGACY:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = _cyrillic_score(text)
        if score is not None and (best is None or score > best[0]):
            best = (score, codec, text)
    return None if best is None else (best[1], best[2])


def _cyrillic_score(text: str) -> int | None:
    """Lower-case Cyrillic letters (Russian prose is mostly lower case), or None when
    the decoded text does not look like Cyrillic text at all."""
    if any(c in _CONTROL and c != "\x00" for c in set(text)):
        return None  # (a stray NUL in an answer is stripped later; one in the header refused)
    counts: dict[str, int] = {}
    for char in text:
        if char >= "\x80":
            counts[char] = counts.get(char, 0) + 1
    letters = symbols = lower = 0
    for char, count in counts.items():
        category = unicodedata.category(char)
        if category[0] not in "LS":
            continue  # punctuation such as « » — №
        symbols += count
        if "\u0400" <= char <= "\u04ff":
            letters += count
            lower += count if category == "Ll" else 0
    if symbols == 0 or letters < 0.9 * symbols:
        return None
    return lower


# -- CSV --------------------------------------------------------------------------------

def _header_fields(text: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader(io.StringIO(text[:100_000], newline=""), delimiter=delimiter), [])
    except csv.Error:
        return []


def choose_delimiter(text: str, score) -> str:
    """Pick the delimiter under which most header fields are known columns.

    ``score(fields)`` counts the header fields that map to the questionnaire; ties go to
    the delimiter that splits the header into more fields, then to the comma.
    """
    fields = {d: _header_fields(text, d) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: (score(fields[d]), len(fields[d])))


#: Bytes read at once while checking and hashing a file; the delimiter sample.
CHUNK = 4 * 2**20
SAMPLE = 2**20


def file_sha256(path: Path) -> str:
    """The file's SHA-256, read in chunks (a large export is never held whole for it)."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _scan(path: Path) -> tuple[str, int | None]:
    """One pass over the file: its SHA-256 and the line of its first NUL byte, if any.
    Nothing but a chunk is held. (Whether it is UTF-8, pandas finds while it reads.)"""
    digest = hashlib.sha256()
    nul_line, lines = None, 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            if nul_line is None:
                position = chunk.find(b"\x00")
                if position >= 0:
                    nul_line = lines + chunk.count(b"\n", 0, position) + 1
                else:
                    lines += chunk.count(b"\n")
    return digest.hexdigest(), nul_line


def read_text_table(path: Path, score) -> RawTable:
    """A text export (CSV, TSV, semicolons; UTF-8 or not) as a table of strings.

    A UTF-8 file, the usual case, is checked and hashed in one pass of 4 MiB chunks, its
    delimiter chosen on its first megabyte, and then parsed from disk by pandas' C reader:
    neither its bytes nor its decoded text are ever held whole. A file in a legacy code
    page or UTF-16 (small, in practice) is decoded in memory as before.
    """
    with path.open("rb") as f:
        head = f.read(SAMPLE)
    bom = next(((mark, codec, name) for mark, codec, name in BOMS if head.startswith(mark)),
                None)
    skip = len(bom[0]) if bom else 0
    sample = head[skip:]
    try:  # the first megabyte, cut at a line end, decides whether to try UTF-8
        sample.rsplit(b"\n", 1)[0].decode("utf-8") if len(head) == SAMPLE else \
            sample.decode("utf-8")
        utf8 = bom is None or bom[1] == "utf-8-sig"
    except UnicodeDecodeError:
        utf8 = False
    if utf8:
        sha, nul_line = _scan(path)
        if nul_line == 1:
            raise _nul(path, nul_line)
        delimiter = choose_delimiter(sample.decode("utf-8", errors="ignore"), score)
        try:
            raw = read_csv_text(path, None, delimiter, source=path,
                                encoding="utf-8-sig" if bom else "utf-8")
        except UnicodeDecodeError:
            pass  # not UTF-8 after all: read it whole as below
        else:
            raw.sha256 = sha
            if bom:
                raw.notes.append(f"read as {bom[2]}")
            if nul_line is not None:
                _strip_nul(raw, nul_line)
            return _delimiter_note(raw, delimiter)
    data = path.read_bytes()
    text, note = decode_text(path, data)
    delimiter = choose_delimiter(text, score)
    nul = text.find("\x00")
    raw = read_csv_text(path, text, delimiter, text.encode("utf-8"))
    raw.sha256 = hashlib.sha256(data).hexdigest()
    if note:
        raw.notes.append(note)
    if nul >= 0:
        _strip_nul(raw, text.count("\n", 0, nul) + 1)
    return _delimiter_note(raw, delimiter)


def _strip_nul(raw: RawTable, line: int) -> None:
    """Remove NUL characters from the cells. Real exports carry a few in answers (a phone
    keyboard, a copy from a PDF); no answer means one, and PostgreSQL refuses them in
    text. Only run when the scan saw a NUL, so a clean file pays nothing."""
    removed = 0
    for column in raw.cells.columns:
        values = raw.cells[column]
        has = values.str.contains("\x00", regex=False).to_numpy(dtype=bool)
        if has.any():
            removed += int(values[has].str.count("\x00").sum())
            raw.cells[column] = values.str.replace("\x00", "", regex=False).astype(object)
    if removed:
        raw.notes.append(f"{removed} NUL character(s) removed from the answers (the first at "
                         f"line {line}): no answer means one, and a database cannot store "
                         "them as text.")


def _delimiter_note(raw: RawTable, delimiter: str) -> RawTable:
    if delimiter != ",":
        raw.notes.append(
            f"columns separated by {'tabs' if delimiter == chr(9) else repr(delimiter)}")
    return raw


def _nul(path: Path, line: int) -> SyrmakError:
    return _fail(
        f"the file holds binary data (a NUL character at line {line}); it is not a text "
        "export.", "export the responses again as CSV (UTF-8) or .xlsx.",
        "bad-encoding", path, line=line,
    )


def read_csv_text(path: Path, text: str | None, delimiter: str, utf8: bytes | None = None,
                  *, source: Path | None = None, encoding: str = "utf-8") -> RawTable:
    """Cells of a delimited text: from ``source`` (a file pandas reads in chunks), else from
    ``utf8`` (the same text as UTF-8 bytes, which pandas reads faster), else ``text``."""
    def handle():
        if source is not None:
            return source
        return io.BytesIO(utf8) if utf8 is not None else io.StringIO(text, newline="")

    options = dict(sep=delimiter, header=None, dtype=str, encoding=encoding,
                   keep_default_na=False, na_filter=False, engine="c",
                   skip_blank_lines=False, quoting=csv.QUOTE_MINIMAL)
    width = None
    try:
        frame = _read_in_chunks(handle(), options)
    except pd.errors.EmptyDataError:
        raise _fail("the file is empty.", "export the responses again.", "empty-file",
                    path) from None
    except UnicodeDecodeError:
        raise  # not UTF-8 after its first megabyte: the caller decodes it another way
    except (pd.errors.ParserError, ValueError, csv.Error, OverflowError) as exc:
        if text is None:
            text = path.read_bytes().decode(encoding, errors="replace")
        width, widest = _trailing_empty_fields(text, delimiter)
        if widest is None:
            raise _misaligned(path, text, delimiter, exc) from None
        # Every row ends with delimiters the header does not have (legacy KoboCAT): their
        # fields are empty everywhere, so they are dropped.
        frame = _read_in_chunks(handle(), {**options, "names": range(widest)}).iloc[:, :width]
    header = ["" if pd.isna(h) else str(h).strip() for h in frame.iloc[0]]
    cells = frame.iloc[1:]
    del frame
    cells.index = pd.RangeIndex(2, len(cells) + 2)
    cells.columns = range(len(header))
    for column in cells.columns:  # short rows leave NaN in their last cells
        if cells[column].hasnans:
            cells[column] = cells[column].fillna("")
    return RawTable(path.name, header, _drop_empty_rows(cells))


#: Rows pandas parses at once: the table is gathered column by column from such chunks, so
#: reading never holds the parser's buffers for the whole file (a third of the memory).
CHUNK_ROWS = 100_000


def _read_in_chunks(handle, options: dict) -> pd.DataFrame:
    """``pd.read_csv(handle, **options)``, read ``CHUNK_ROWS`` rows at a time."""
    parts: dict[int, list[np.ndarray]] = {}
    width = 0
    for chunk in pd.read_csv(handle, chunksize=CHUNK_ROWS, **options):
        width = max(width, chunk.shape[1])
        for column in range(chunk.shape[1]):
            parts.setdefault(column, []).append(chunk.iloc[:, column].to_numpy(dtype=object))
        del chunk
    if not parts:
        raise pd.errors.EmptyDataError("No columns to parse from file")
    columns = {}
    for column in range(width):
        pieces = parts.pop(column)
        columns[column] = np.concatenate(pieces) if len(pieces) > 1 else pieces[0]
        del pieces
    # Plain object columns: pandas 3 would make them its string dtype (backed by pyarrow
    # where installed), whose missing values, .str results and memory differ from the
    # object strings every reader of a RawTable expects. Same arrays: no copy.
    return pd.DataFrame(columns, copy=False, dtype=object)


def _trailing_empty_fields(text: str, delimiter: str) -> tuple[int | None, int | None]:
    """(header width, widest row) when the only fields beyond the header are empty."""
    width = widest = None
    try:
        for fields in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if width is None:
                width = widest = len(fields)
                continue
            if len(fields) > width:
                if any(f.strip() for f in fields[width:]):
                    return width, None
                widest = max(widest, len(fields))
    except csv.Error:
        return width, None
    return width, (widest if widest is not None and widest > width else None)


def _misaligned(path: Path, text: str, delimiter: str, exc: Exception) -> SyrmakError:
    """Find the first row that does not fit the header, to say where the problem is."""
    shown = "tab" if delimiter == "\t" else repr(delimiter)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    width = None
    last, line = (None, None), 1  # the last record read: its row and first line
    try:
        for row, fields in enumerate(reader, start=1):
            width = len(fields) if width is None else width
            if len(fields) > width:
                return _fail(
                    f"row {row} has {len(fields)} fields but the header has {width}; its "
                    f"extra field reads {shown_value(fields[width])}.",
                    f"check the delimiter ({shown} was used) and that every text with a "
                    f"{shown} or a line break is in double quotes, or delete the extra field.",
                    "bad-csv", path, row=row, line=reader.line_num, column=f"#{width + 1}",
                    value=detect.safe(fields[width]),
                )
            last, line = (row, line), reader.line_num + 1
    except csv.Error as error:
        return _fail(f"cannot read the file as CSV ({error}).",
                     "check that quoted texts are closed, or export the file again.",
                     "bad-csv", path, line=reader.line_num)
    if "EOF inside string" in str(exc) and last[0] is not None:
        return _fail(f"a quoted text in row {last[0]} (from line {last[1]}) is never closed.",
                     'close the quote (") or remove it, or export the file again.',
                     "bad-csv", path, row=last[0], line=last[1])
    return _fail(f"cannot read the file as CSV ({exc}).",
                 "check that quoted texts are closed, or export the file again.",
                 "bad-csv", path)


def shown_value(value: str, limit: int = 40) -> str:
    return detect.shown(value, limit)


def _drop_empty_rows(cells: pd.DataFrame) -> pd.DataFrame:
    """Spreadsheets leave rows of empty cells behind; they are no submissions."""
    if cells.empty:
        return cells
    # Narrowed column by column: the candidates are the rows empty so far, usually none
    # after the first column (a whole-table comparison costs a pass over every cell).
    empty = np.arange(len(cells))
    for column in cells.columns:
        values = cells[column].to_numpy(dtype=object)[empty]
        empty = empty[values == ""]
        if not len(empty):
            return cells
    filled = np.ones(len(cells), dtype=bool)
    filled[empty] = False
    return cells[filled]


# -- workbooks ------------------------------------------------------------------------

def read_xlsx(path: Path) -> RawTable:
    """The first sheet of an .xlsx export (Kobo puts the main table first)."""
    from openpyxl import load_workbook

    from syrmak.survey import workbooks

    workbooks.check_workbook_zip(path)
    limit = workbooks.max_rows()
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            title = sheet.title
            # openpyxl's name for the sheet's part in the zip; without it the check for
            # uncalculated formulas below cannot run, and the read goes on as before.
            member = getattr(sheet, "_worksheet_path", None)
            # The header, the allowed rows and one more, to tell that there are too many.
            values = list(itertools.islice(sheet.iter_rows(values_only=True), limit + 2))
            others = {other.title: list(itertools.islice(
                other.iter_rows(values_only=True), limit + 2))
                for other in workbook.worksheets[1:]}
        finally:
            workbook.close()
        uncalculated = workbooks.formulas_without_values(path, member) if member else []
    except Exception as exc:  # zipfile, zlib, XML and openpyxl errors alike mean "damaged"
        raise _fail(
            f"the workbook is damaged or is not an .xlsx file ({type(exc).__name__}: {exc}).",
            "open it in Excel or LibreOffice and save it again as .xlsx, or export CSV.",
            "corrupt-workbook", path,
        ) from None
    if not values:
        raise _fail("the workbook's first sheet is empty.",
                    "put the responses on the first sheet.", "empty-file", path, sheet=title)
    workbooks.check_rows(path, title, len(values) - 1)
    header = ["" if v is None else str(v).strip() for v in values[0]]
    _refuse_uncalculated(path, title, header, uncalculated)
    raw = _sheet_table(path, values)
    for name, rows in others.items():
        if rows:
            workbooks.check_rows(path, name, len(rows) - 1)
            raw.tables[name] = _sheet_table(path, rows)
    return raw


def _sheet_table(path: Path, values: list) -> RawTable:
    header = ["" if v is None else str(v).strip() for v in values[0]]
    width = max([len(header), *map(len, values[1:])])
    header += [""] * (width - len(header))
    body = [[_cell_text(v) for v in row] + [""] * (width - len(row)) for row in values[1:]]
    cells = pd.DataFrame(body, columns=range(width), index=range(2, len(values) + 1),
                         dtype=object)
    return RawTable(path.name, header, _drop_empty_rows(cells), kind="xlsx")


def read_zip(path: Path, score) -> RawTable:
    """An ODK Central export: a zip of CSVs, the form's table and one per repeat group
    (``form-repeat.csv``, whose ``PARENT_KEY`` names its parent's ``KEY``)."""
    import tempfile
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist()
                       if m.filename.lower().endswith(".csv") and not m.is_dir()]
            if not members:
                raise _fail("the zip holds no CSV file.",
                            "export the responses as CSV (ODK Central: 'Download all records').",
                            "unsupported-file", path)
            with tempfile.TemporaryDirectory(prefix="syrmak-zip-") as folder:
                read = {}
                for member in members:
                    target = Path(folder) / Path(member.filename).name
                    with archive.open(member) as source, target.open("wb") as out:
                        while chunk := source.read(CHUNK):
                            out.write(chunk)
                    table = read_text_table(target, score)
                    table.file = f"{path.name}:{Path(member.filename).name}"
                    read[Path(member.filename).stem] = table
    except (zipfile.BadZipFile, OSError) as exc:
        raise _fail(f"the zip is damaged ({exc}).", "download the export again.",
                    "corrupt-file", path) from None
    main = [name for name, t in read.items()
            if "parent_key" not in {h.casefold() for h in t.header}]
    if len(main) != 1:
        main = sorted(read, key=len)[:1]
    raw = read.pop(main[0])
    raw.tables = read
    raw.sha256 = file_sha256(path)
    return raw


def _refuse_uncalculated(path: Path, sheet: str, header: list[str],
                         cells: list[tuple[int, int, str]]) -> None:
    """A formula cell without a saved value reads as empty: an answer would be lost."""
    from openpyxl.utils import get_column_letter

    errors = ErrorList()
    for row, column, coordinate in cells:
        name = header[column - 1] if column <= len(header) else ""
        errors.add(_fail(
            f"cell {coordinate} holds a formula with no saved value, so its answer would be "
            "read as empty.",
            "open the file in a spreadsheet program and save it (that calculates the "
            "formulas), or export CSV.",
            "formula-without-value", path, sheet=sheet, row=row,
            column=name or get_column_letter(column)))
    errors.raise_if_any()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


# -- SPSS -----------------------------------------------------------------------------

def read_spss(path: Path) -> RawTable:
    """An SPSS file: .sav, compressed .zsav, or portable .por, by its first bytes."""
    with path.open("rb") as f:
        magic = f.read(4)
    if magic in (b"$FL2", b"$FL3"):  # .sav and .zsav share the system-file header
        return read_sav(path)
    return read_sav(path, portable=True)


def read_sav(path: Path, portable: bool = False) -> RawTable:
    import pyreadstat

    read = pyreadstat.read_por if portable else pyreadstat.read_sav
    options = {} if portable else {"user_missing": False}
    try:
        frame, meta = read(str(path), apply_value_formats=False,
                           dates_as_pandas_datetime=True, **options)
    except Exception as exc:  # pyreadstat raises its own ReadstatError/PyreadstatError
        kind = "SPSS portable" if portable else "SPSS"
        raise _fail(f"cannot read the {kind} file ({exc}).",
                    "save it again from SPSS or PSPP as .sav, or export CSV.",
                    "corrupt-file", path) from None
    header = [str(c) for c in frame.columns]
    cells = pd.DataFrame({i: _sav_column(frame[c]) for i, c in enumerate(frame.columns)})
    cells.index = pd.RangeIndex(2, len(frame) + 2)
    labels = {var: {code_text(k): str(v) for k, v in mapping.items()}
              for var, mapping in (meta.variable_value_labels or {}).items()}
    column_labels = {k: v for k, v in (meta.column_names_to_labels or {}).items() if v}
    # A case whose every answer is missing is still a case (unlike a spreadsheet's
    # leftover empty rows): keep it.
    return RawTable(path.name, header, cells, value_labels=labels,
                    mr_sets=dict(getattr(meta, "mr_sets", None) or {}),
                    column_labels=column_labels, kind="sav")


def code_text(code) -> str:
    if isinstance(code, float) and code.is_integer():
        return str(int(code))
    return str(code).strip()


def _sav_column(series: pd.Series) -> pd.Series:
    """A column as text, without a Python loop over its cells."""
    if pd.api.types.is_datetime64_any_dtype(series):
        midnight = (series.dropna().dt.normalize() == series.dropna()).all()
        text = series.dt.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M:%S")
        return text.astype(object).where(series.notna(), "")
    if pd.api.types.is_numeric_dtype(series):
        values = series.astype("float64")
        whole = values.notna() & (values % 1 == 0) & (values.abs() < 2**53)
        out = pd.Series("", index=series.index, dtype=object)
        out[whole] = values[whole].astype("int64").astype(str)
        rest = values.notna() & ~whole
        out[rest] = values[rest].astype(str)
        return out
    return series.astype(object).where(series.notna(), "").astype(str)


# -- cell texts to values, one distinct value at a time ------------------------------------

def on_distinct(values: pd.Series, func, distinct=None):
    """Run ``func`` on the distinct values of a column of strings and spread its result(s)
    back over the rows: a column of 200,000 answers has a handful of distinct ones.

    ``distinct`` is ``pd.factorize(values)`` when the caller has it already."""
    codes, uniques = pd.factorize(values) if distinct is None else distinct
    result = func(pd.Series(np.asarray(uniques, dtype=object), dtype=object))

    def spread(series: pd.Series) -> pd.Series:
        return pd.Series(series.array.take(codes, allow_fill=True), index=values.index)

    return tuple(spread(r) for r in result) if isinstance(result, tuple) else spread(result)


def per_value(values: pd.Series, func, dtype=object, distinct=None) -> pd.Series:
    """``func`` called once per distinct value (a Python function), spread over the rows."""
    return on_distinct(values, lambda u: pd.Series([func(v) for v in u], dtype=dtype), distinct)


def parse_numbers(values: pd.Series, integer: bool) -> tuple[pd.Series, pd.Series]:
    """Numbers as people type them (1 200,5): the values and a mask of unreadable cells."""
    cleaned = (values.str.strip().str.replace("\u00a0", "", regex=False)
               .str.replace(" ", "", regex=False).str.replace(",", ".", regex=False))
    numbers = pd.to_numeric(cleaned.where(cleaned != ""), errors="coerce").astype("float64")
    numbers = numbers.where(np.isfinite(numbers))
    if integer:
        whole = numbers.notna() & (numbers % 1 == 0) & (numbers.abs() < 2**53)
        return numbers.where(whole).astype("Int64"), (cleaned != "") & ~whole
    return numbers.astype("Float64"), (cleaned != "") & numbers.isna()


_GMT = re.compile(r"\s*(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_TIME_FORMATS = ("ISO8601", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y",
                 "%Y/%m/%d %I:%M:%S %p %z", "%Y/%m/%d %I:%M:%S %p", "%Y/%m/%d %H:%M:%S %z",
                 "%Y/%m/%d %H:%M:%S", "%Y/%m/%d")
_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%Y/%m/%d", "%d.%m.%y")


def _gmt_offset(match: re.Match) -> str:
    return f" {match[1]}{int(match[2]):02d}{match[3] or '00'}"


def _slash_formats(text: pd.Series, with_time: bool) -> tuple[str, ...]:
    """Google Sheets writes 9/15/2021 (US) or 15/09/2021: the numbers above 12 decide."""
    # Only the values with a "/" can be such dates; a column of another format pays a scan.
    slashed = pd.Series([v for v in text.to_numpy(dtype=object)
                         if isinstance(v, str) and "/" in v], dtype=object)
    parts = slashed.str.extract(r"^(\d{1,2})/(\d{1,2})/\d{4}").dropna().astype(int)
    day_first = bool(len(parts)) and bool((parts[0] > 12).any())
    order = "%d/%m/%Y" if day_first else "%m/%d/%Y"
    if not with_time:
        return (order,)
    return (f"{order} %H:%M:%S", f"{order} %H:%M", f"{order} %I:%M:%S %p", order)


#: Values tried against every format first, to find the few formats a column uses.
_SAMPLE = 200


def _parse_formats(text: pd.Series, formats: tuple[str, ...]) -> pd.Series:
    """Each value by the first of ``formats`` that reads it.

    A column uses one format or two: the formats that read some of a sample of its values
    run first (in their order), over the whole column, and the others only over what is
    left; the result is the same, without trying six formats on a million times."""
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us, UTC]")
    todo = text != ""
    filled = text[todo]
    sample = filled.iloc[:: max(1, len(filled) // _SAMPLE)].iloc[:_SAMPLE]
    used = [fmt for fmt in formats
            if pd.to_datetime(sample, format=fmt, errors="coerce", utc=True).notna().any()]
    for fmt in [*used, *(f for f in formats if f not in used)]:
        if not todo.any():
            break
        parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce", utc=True)
        hit = parsed.notna()
        out[hit[hit].index] = parsed[hit]
        todo &= out.isna()
    return out


def _stripped(values: pd.Series) -> pd.Series:
    """``values.str.strip()`` (a value that is no text becomes NaN, None stays None) in one
    comprehension, five times faster than pandas' per-value function calls."""
    return pd.Series([v.strip() if isinstance(v, str) else (None if v is None else np.nan)
                      for v in values.to_numpy(dtype=object)], index=values.index, dtype=object)


def parse_times(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Submission times as the tools write them; naive times are taken as UTC."""
    text = _stripped(values)
    # Plain loops over the texts decide whether a rewrite is needed at all: pandas' .str
    # methods call a Python function per value, on a column of distinct times.
    texts = [v for v in text.to_numpy(dtype=object) if isinstance(v, str)]
    if any("GMT" in v or "UTC" in v for v in texts):
        text = text.str.replace(_GMT, _gmt_offset, regex=True)
    if any(v.endswith(("ДП", "ПП")) for v in texts):  # Russian Windows' AM and PM
        russian = text.str.endswith(("ДП", "ПП"))
        text = text.where(~russian, text.str.replace(r"\bДП$", "AM", regex=True)
                          .str.replace(r"\bПП$", "PM", regex=True))
    parsed = _parse_formats(text, _TIME_FORMATS + _slash_formats(text, True))
    return parsed, (text != "") & parsed.isna()


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates as ISO texts (2021-09-15); a time part (from a workbook) is dropped."""
    text = values.str.strip().str.split(r"[ T]", n=1, regex=True).str[0].fillna("")
    parsed = _parse_formats(text, _DATE_FORMATS + _slash_formats(text, False))
    stored = parsed.dt.strftime("%Y-%m-%d").astype(object).where(parsed.notna(), None)
    return stored, (text != "") & parsed.isna()
