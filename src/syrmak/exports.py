"""Exports: every CSV and XLSX file syrmak writes goes through this module.

Answers, labels and document names come from respondents and other people's files. A
spreadsheet reads a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return before one) as a formula, so ``=HYPERLINK("http://x", "y")`` in an open
answer would become a live link, or worse, on the researcher's machine. ``neutralise``
is the one place that decides what is written instead: such a text gets a leading
apostrophe (OWASP's advice), so it stays visible and is never evaluated. Numbers written
as numbers, negative ones included, are left alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from openpyxl import Workbook

#: What a spreadsheet takes for the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value`` as it may be written to a spreadsheet cell: a text that would start a
    formula gets a leading apostrophe; anything else is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells, column labels and index labels are
    neutralised; numeric, boolean and date columns are kept as they are."""
    import pandas as pd

    out = frame.copy()
    for position in range(out.shape[1]):
        series = out.iloc[:, position]
        if _holds_text(series.dtype):
            out.isetitem(position, _neutralise_series(series))
    out.columns = _neutralise_index(out.columns)
    out.index = _neutralise_index(out.index)
    if isinstance(out.index, pd.MultiIndex):
        out.index.names = [neutralise(n) for n in out.index.names]
    else:
        out.index.name = neutralise(out.index.name)
    return out


def _holds_text(dtype) -> bool:
    import pandas as pd

    return pd.api.types.is_object_dtype(dtype) or isinstance(
        dtype, pd.StringDtype | pd.CategoricalDtype)


def _neutralise_series(series: pd.Series) -> pd.Series:
    import pandas as pd

    if isinstance(series.dtype, pd.CategoricalDtype):
        # A select_one column holds a handful of labels: rename those, not every cell.
        renamed = [neutralise(c) for c in series.cat.categories]
        if len(set(renamed)) == len(renamed):
            return series.cat.rename_categories(renamed)
    return series.astype(object).map(neutralise)


def _neutralise_index(index: pd.Index) -> pd.Index:
    import pandas as pd

    if isinstance(index, pd.MultiIndex):
        return pd.MultiIndex.from_tuples(
            [tuple(neutralise(part) for part in key) for key in index], names=index.names)
    if not _holds_text(index.dtype):
        return index
    return pd.Index([neutralise(v) for v in index], name=index.name, dtype=object)


def csv_text(frame: pd.DataFrame, *, index: bool = True) -> str:
    """``frame`` as UTF-8 CSV text, neutralised."""
    return neutralise_frame(frame).to_csv(index=index)


def neutralise_workbook(book: Workbook) -> Workbook:
    """Make every text cell of an openpyxl workbook a neutralised string cell.

    openpyxl stores any text starting with ``=`` as a formula; after this pass no cell
    of the workbook is one, whatever wrote it (pandas, or our own table writer).
    """
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = neutralise(cell.value)
                    cell.data_type = "s"
    return book


def write_xlsx(frame: pd.DataFrame, path: str | Path, *, sheet_name: str = "Sheet1",
               index: bool = True) -> Path:
    """``frame`` as a one-sheet workbook at ``path``, with no formula in it."""
    import pandas as pd

    path = Path(path)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=sheet_name, index=index)
        neutralise_workbook(writer.book)
    return path


def write_table(frame: pd.DataFrame, path: str | Path, *, index: bool = True,
                sheet_name: str = "Sheet1") -> Path:
    """Write ``frame`` to ``path``: a workbook for ``.xlsx``, CSV (UTF-8) otherwise."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        return write_xlsx(frame, path, sheet_name=sheet_name, index=index)
    path.write_text(csv_text(frame, index=index), encoding="utf-8")
    return path
