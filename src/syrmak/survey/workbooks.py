"""Checks on an .xlsx workbook before and while openpyxl or pyxform reads it.

An .xlsx is a zip of XML files. A few hundred kilobytes can declare gigabytes of sheet
XML (a "zip bomb"), which openpyxl would spend minutes and more than a gigabyte of memory
unpacking. The zip's directory declares every member's size, and Python's zipfile never
inflates a member past its declared size (it fails the CRC check instead), so checking
the declared sizes before reading is enough.

Limits, each refused with an error that names the file and the limit:

* ``SYRMAK_XLSX_MAX_MB`` (default 200): megabytes the whole workbook may unpack to.
* a member larger than 1 MB may not unpack to more than ``MAX_RATIO`` (100) times its
  compressed size; Apache POI uses the same ratio, and real exports stay far below it.
* ``SYRMAK_XLSX_MAX_ROWS`` (default 1,048,576, Excel's own limit): rows of responses read.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from syrmak.errors import SyrmakError

DEFAULT_MAX_MB = 200
MAX_RATIO = 100
#: Members smaller than this are not held to MAX_RATIO: they cannot do harm.
RATIO_GRACE = 2**20
DEFAULT_MAX_ROWS = 1_048_576


def _limit(name: str, default: int) -> int:
    text = os.environ.get(name)
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise SyrmakError(f"{name} must be a whole number above 0, not '{text}'.",
                          f"unset it to use the default ({default}).", code="bad-setting",
                          value=text)
    return value


def max_bytes() -> int:
    return _limit("SYRMAK_XLSX_MAX_MB", DEFAULT_MAX_MB) * 2**20


def max_rows() -> int:
    return _limit("SYRMAK_XLSX_MAX_ROWS", DEFAULT_MAX_ROWS)


def _too_large(path: Path, message: str, hint: str) -> SyrmakError:
    return SyrmakError(message, hint, code="workbook-too-large", file=path.name)


def check_workbook_zip(path: Path) -> None:
    """Refuse a workbook whose members declare more data than the limits allow.

    A file that is not a zip at all passes: the reader that follows says it is damaged.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return
    limit = max_bytes()
    total = sum(m.file_size for m in members)
    if total > limit:
        raise _too_large(
            path, f"the workbook unpacks to {total / 2**20:,.0f} MB, more than the limit of "
            f"{limit // 2**20} MB.",
            "export CSV instead, split the responses into several files, or raise the limit "
            "with the environment variable SYRMAK_XLSX_MAX_MB if you trust the file.")
    for member in members:
        if member.file_size > RATIO_GRACE and \
                member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise _too_large(
                path, f"its part '{member.filename}' would unpack to "
                f"{member.file_size / 2**20:,.0f} MB from {member.compress_size:,} bytes "
                f"compressed, more than {MAX_RATIO} times as much: a workbook built to exhaust "
                "memory (a zip bomb), not a survey export.",
                "get the export again from the survey tool, or export CSV instead.")


def check_rows(path: Path, sheet: str, rows: int) -> None:
    limit = max_rows()
    if rows > limit:
        raise SyrmakError(
            f"the sheet has more than {limit} rows, the limit.",
            "split the responses into several files, or raise the limit with the environment "
            "variable SYRMAK_XLSX_MAX_ROWS.", code="workbook-too-large", file=path.name,
            sheet=sheet)


# -- formulas that were never calculated -------------------------------------------------

_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _holds_formulas(archive: zipfile.ZipFile, member: str) -> bool:
    """A quick byte scan, so that the XML is parsed again only when there are formulas."""
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(2**20):
            if _FORMULA.search(tail + chunk):
                return True
            tail = chunk[-8:]
    return False


def formulas_without_values(path: Path, member: str) -> list[tuple[int, int, str]]:
    """(row, column, coordinate such as ``"B3"``) of the formula cells of a sheet that
    hold no saved value; rows and columns count from 1.

    A program that writes formulas without calculating them (openpyxl, many export
    scripts) saves ``<f>`` with an empty ``<v>``; read as data, such a cell is empty. A
    string formula that calculated to "" (``t="str"`` with an empty ``<v>``) is fine.
    """
    from openpyxl.utils import coordinate_to_tuple, get_column_letter

    found: list[tuple[int, int, str]] = []
    with zipfile.ZipFile(path) as archive:
        if not _holds_formulas(archive, member):
            return found
        row = column = 0
        with archive.open(member) as stream:
            for event, element in ElementTree.iterparse(stream, events=("start", "end")):
                tag = element.tag.rsplit("}", 1)[-1]
                if event == "start":
                    if tag == "row":
                        row = int(element.get("r") or row + 1)
                        column = 0
                    continue
                if tag == "c":
                    where = element.get("r")
                    row, column = coordinate_to_tuple(where) if where else (row, column + 1)
                    children = {child.tag.rsplit("}", 1)[-1]: child for child in element}
                    value = children.get("v")
                    if "f" in children and (value is None or (
                            not value.text and element.get("t") not in ("str", "inlineStr"))):
                        found.append((row, column, where or f"{get_column_letter(column)}{row}"))
                    element.clear()
                elif tag == "row":
                    element.clear()
    return found
