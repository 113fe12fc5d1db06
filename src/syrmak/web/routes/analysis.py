"""Retrieval, search with autocode, and the mixed-methods matrices."""

from __future__ import annotations

from starlette.routing import Route

from syrmak.errors import SyrmakError
from syrmak.render import cells
from syrmak.web.render import call, form, locale, page, study, who
from syrmak.workspace import analysis
from syrmak.workspace import codes as codes_mod

#: Segments drawn per page: a code with 11,000 segments is read at once, shown in pages.
PAGE = 200


def _where(values: list[str]) -> dict | None:
    """``political = yes`` filters, as the CLI's --where NAME=VALUE."""
    out: dict = {}
    for item in values:
        if not item.strip():
            continue
        if "=" not in item:
            raise SyrmakError(f"'{item}' is not NAME = VALUE.", "write e.g. political = yes.",
                              code="bad-argument", value=item)
        key, value = (x.strip() for x in item.split("=", 1))
        out.setdefault(key, []).append(value)
    return out or None


def _first(request) -> int:
    """The first row of the page asked for (``from``), 0 when absent or not a number."""
    raw = request.query_params.get("from", "0")
    return int(raw) if raw.isdigit() else 0


async def segments(request):
    q = request.query_params.get("q", "").strip()
    where_text = request.query_params.getlist("where")
    lang = request.query_params.get("lang") or None
    result = None
    if q:
        result = await call(analysis.segments, study(request), who(request), q,
                            where=_where(where_text), lang=lang)
    book = await call(codes_mod.codebook, study(request), who(request))
    suggestions = await call(analysis.filters, study(request), who(request), lang)
    first = _first(request)
    shown = result.rows[first:first + PAGE] if result is not None else ()
    return page(request, "segments.html", q=q, where=where_text, result=result, codebook=book,
                data_lang=lang, shown=shown, first=first, page_size=PAGE,
                suggestions=suggestions)


async def search(request):
    q = request.query_params.get("q", "").strip()
    first = _first(request)
    result = None
    if q:
        # A page of hits and the count of all: a frequent word in thousands of transcripts
        # is counted, not read.
        result = await call(analysis.find, study(request), who(request), q, limit=PAGE,
                            offset=first)
    book = await call(codes_mod.codebook, study(request), who(request))
    return page(request, "search.html", q=q, result=result, codebook=book, first=first,
                page_size=PAGE)


async def autocode(request):
    data = await form(request)
    code = data.get("code", "")
    result = await call(analysis.autocode, study(request), who(request), data.get("q", ""),
                        int(code) if code.isdigit() else code,
                        unit=data.get("unit", "sentence"))
    return page(request, "autocoded.html", result=result)


async def matrix(request):
    variable = request.query_params.get("variable", "")
    unit = request.query_params.get("unit", "documents")
    lang = request.query_params.get("lang") or None
    names = await call(analysis.variables, study(request), who(request), lang)
    result = quotes = None
    if variable:
        if request.query_params.get("kind") == "quotes":
            quotes = await call(analysis.quote_matrix, study(request), who(request), variable,
                                lang=lang)
        else:
            result = await call(analysis.code_table, study(request), who(request), variable,
                                unit=unit, lang=lang)
    return page(request, "matrix.html", variable=variable, unit=unit, variables=names,
                result=result, quotes=quotes, data_lang=lang, ui_lang=locale(request),
                count=cells.fmt_count, percent=cells.fmt_percent)


ROUTES = [
    Route("/segments", segments),
    Route("/search", search),
    Route("/search/autocode", autocode, methods=["POST"]),
    Route("/matrix", matrix),
]
