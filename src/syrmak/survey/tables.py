"""Read response files into a table of strings, whatever the tool that wrote them.

Russian exports come as UTF-8, UTF-8 with a BOM, or Windows-1251, separated by
commas, semicolons (Kobo, Excel in a Russian locale) or tabs: this module works out
which, and says so, instead of guessing silently.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from syrmak.errors import SyrmakError

DELIMITERS = (",", ";", "\t")


@dataclass
class RawTable:
    """A response file as read: header texts and a frame of strings ('' = empty)."""

    file: str
    header: list[str]
    cells: pd.DataFrame  # columns are 0..n-1, every value a str
    notes: list[str] = field(default_factory=list)
    #: SPSS value labels {variable: {code: label}} and multiple-response sets.
    value_labels: dict[str, dict] = field(default_factory=dict)
    mr_sets: dict[str, dict] = field(default_factory=dict)
    kind: str = "csv"

    def row_number(self, position: int) -> int:
        """Spreadsheet row of a data row: the header is row 1."""
        return position + 2


def decode_text(path: Path, data: bytes) -> tuple[str, str | None]:
    """Decode bytes as UTF-8 (with or without BOM), else as Windows-1251 when it fits."""
    try:
        return data.decode("utf-8-sig"), ("UTF-8 with BOM" if data.startswith(b"\xef\xbb\xbf") else None)
    except UnicodeDecodeError as exc:
        utf8_error = exc
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000], cp_isolation=["cp1251", "koi8_r", "cp866", "latin_1"]).best()
    guess = best.encoding if best else None
    if guess in ("cp1251", "koi8_r", "cp866"):
        try:
            return data.decode(guess), f"read as {guess.replace('_', '-').upper()} (not UTF-8)"
        except UnicodeDecodeError:
            pass
    line = data[: utf8_error.start].count(b"\n") + 1
    raise SyrmakError(
        f"the file is not UTF-8 (byte 0x{data[utf8_error.start]:02x} at line {line}) "
        f"and does not look like Windows-1251 either{f' (closest guess: {guess})' if guess else ''}.",
        "export it again as 'CSV UTF-8', or convert it: iconv -f WINDOWS-1251 -t UTF-8.",
        code="bad-encoding", file=path.name, line=line,
    )


def _header_fields(text: str, delimiter: str) -> list[str]:
    first = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    return first


def choose_delimiter(text: str, score) -> str:
    """Pick the delimiter under which most header fields are known columns.

    ``score(fields)`` counts the header fields that map to the questionnaire; ties go to
    the delimiter that splits the header into more fields.
    """
    best = max(
        DELIMITERS,
        key=lambda d: (score(_header_fields(text, d)), len(_header_fields(text, d))),
    )
    return best


def read_csv_text(path: Path, text: str, delimiter: str) -> RawTable:
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(rows)
    except StopIteration:
        raise SyrmakError("the file is empty.", "export the responses again.", code="empty-file",
                          file=path.name) from None
    except csv.Error as exc:
        raise SyrmakError(f"cannot read the header row: {exc}", "check the file is a CSV export.",
                          code="bad-csv", file=path.name, row=1) from exc
    width = len(header)
    try:
        frame = pd.read_csv(
            io.StringIO(text, newline=""), sep=delimiter, header=None, skiprows=1, names=range(width),
            dtype=str, keep_default_na=False, na_filter=False, engine="c", quoting=csv.QUOTE_MINIMAL,
            skip_blank_lines=True,
        )
    except pd.errors.ParserError as exc:
        raise SyrmakError(
            f"the rows do not line up with the header ({exc}).",
            f"check the delimiter ('{delimiter}' was used) and that quoted texts are closed.",
            code="bad-csv", file=path.name,
        ) from exc
    except (ValueError, csv.Error) as exc:
        raise SyrmakError(f"cannot read the file as CSV: {exc}", "export it again as CSV.",
                          code="bad-csv", file=path.name) from exc
    frame = frame.fillna("")
    return RawTable(path.name, [h.strip() for h in header], frame)


def read_xlsx(path: Path) -> RawTable:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise SyrmakError(
            f"the workbook is damaged or not an .xlsx file ({type(exc).__name__}).",
            "open it in Excel/LibreOffice and save it again as .xlsx, or export CSV.",
            code="corrupt-workbook", file=path.name,
        ) from exc
    sheet = workbook.worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    workbook.close()
    if not values:
        raise SyrmakError("the workbook's first sheet is empty.", "put the responses on the first sheet.",
                          code="empty-file", file=path.name, sheet=sheet.title)
    header = ["" if v is None else str(v).strip() for v in values[0]]
    body = [["" if v is None else _cell_text(v) for v in row] for row in values[1:]
            if any(v not in (None, "") for v in row)]
    frame = pd.DataFrame(body, columns=range(len(header)), dtype=object).fillna("")
    return RawTable(path.name, header, frame, kind="xlsx")


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return str(value)


def read_sav(path: Path) -> RawTable:
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=False,
                                          user_missing=False)
    except Exception as exc:  # pyreadstat raises its own ReadstatError/PyreadstatError
        raise SyrmakError(f"cannot read the SPSS file: {exc}",
                          "save it again from SPSS/PSPP as .sav, or export CSV.",
                          code="corrupt-file", file=path.name) from exc
    header = list(frame.columns)
    cells = pd.DataFrame(
        {i: frame[c].map(_sav_text) for i, c in enumerate(header)}, index=range(len(frame))
    )
    return RawTable(path.name, header, cells, value_labels=dict(meta.variable_value_labels),
                    mr_sets=dict(getattr(meta, "mr_sets", {}) or {}), kind="sav",
                    notes=[])


def _sav_text(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
