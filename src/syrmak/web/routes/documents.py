"""The document view and the acts of coding it. Offsets arrive in the browser's UTF-16
units and are converted to code points here, at the boundary (``web.offsets``)."""

from __future__ import annotations

from starlette.routing import Route

from syrmak.web.offsets import OffsetMap
from syrmak.web.pane import turns_html
from syrmak.web.render import call, form, form_int, page, study, who
from syrmak.workspace import desk

#: Above this many codings the page lists them on demand only (clicking a highlight).
LIST_LIMIT = 300


def _coders(request) -> list[str] | None:
    return request.query_params.getlist("coder") or None


async def show(request):
    view = await call(desk.document_view, study(request), who(request),
                      request.path_params["name"], coders=_coders(request))
    at = request.query_params.get("at", "")
    focus = None
    if at.isdigit():  # a link from a segment or a hit: the paragraph holding it
        focus = next((t.start for t in view.turns if t.start <= int(at) <= t.end), None)
    return page(request, "document.html", view=view, turns=turns_html(view), focus=focus,
                list_codings=len(view.marks) <= LIST_LIMIT,
                marks=sorted(view.marks, key=lambda m: (m.start, m.end)))


async def _selection(request, data: dict, document: str) -> tuple[int, int]:
    _, text = await call(desk.document_text, study(request), who(request), document)
    offsets = OffsetMap(text)
    start = offsets.to_store(form_int(data, "start"))
    end = offsets.to_store(form_int(data, "end"), end=True)
    return start, end


def _changed(request, change: desk.Change, message: str):
    view = change.view
    return page(request, "change.html", view=view, turns=turns_html(view, oob=True),
                message=message,
                list_codings=len(view.marks) <= LIST_LIMIT,
                marks=sorted(view.marks, key=lambda m: (m.start, m.end)),
                coding=change.coding)


async def code(request):
    data = await form(request)
    name = request.path_params["name"]
    start, end = await _selection(request, data, name)
    kwargs = {}
    if data.get("in_vivo"):
        kwargs["in_vivo"] = True
    elif data.get("new_code"):
        kwargs["new_code"] = data["new_code"]
        kwargs["parent"] = data.get("parent") or None
    else:
        kwargs["code"] = form_int(data, "code")
    change = await call(desk.code_passage, study(request), who(request), name, start, end,
                        coders=data.get("coders", "").split() or None, **kwargs)
    return _changed(request, change, "coded")


async def uncode(request):
    data = await form(request)
    change = await call(desk.uncode, study(request), who(request),
                        request.path_params["coding"],
                        coders=data.get("coders", "").split() or None)
    return _changed(request, change, "uncoded")


async def resize(request):
    data = await form(request)
    start, end = await _selection(request, data, data.get("document", ""))
    change = await call(desk.resize, study(request), who(request),
                        request.path_params["coding"], start, end,
                        coders=data.get("coders", "").split() or None)
    return _changed(request, change, "resized")


async def memo(request):
    data = await form(request)
    target = {}
    if "coding" in request.path_params:
        target["coding"] = request.path_params["coding"]
    else:
        target["document"] = request.path_params["name"]
    saved = await call(desk.memo, study(request), who(request), data.get("text", ""),
                       **target)
    return page(request, "memo_saved.html", memo=saved)


async def marks(request):
    """The codings covering a clicked place, for a document too large to list them all."""
    ids = [int(x) for x in request.query_params.get("ids", "").split() if x.isdigit()]
    view = await call(desk.marks, study(request), who(request), request.path_params["name"],
                      ids)
    return page(request, "marks.html", view=view, marks=view.marks, list_codings=True)


ROUTES = [
    Route("/documents/{name:path}/marks", marks),
    Route("/documents/{name:path}/code", code, methods=["POST"]),
    Route("/documents/{name:path}/memo", memo, methods=["POST"]),
    Route("/documents/{name:path}", show),
    Route("/codings/{coding:int}/delete", uncode, methods=["POST"]),
    Route("/codings/{coding:int}/resize", resize, methods=["POST"]),
    Route("/codings/{coding:int}/memo", memo, methods=["POST"]),
]
