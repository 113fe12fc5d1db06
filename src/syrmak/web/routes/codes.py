"""The code tree: create, rename, move, merge, colour, describe, memo; counts per code."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from syrmak.web.render import call, form, form_int, page, study, who
from syrmak.workspace import codes as codes_mod
from syrmak.workspace import desk

_REFRESH = {"HX-Refresh": "true"}


async def tree(request):
    book = await call(codes_mod.codebook, study(request), who(request))
    return page(request, "codes.html", codebook=book)


async def add(request):
    data = await form(request)
    await call(codes_mod.add, study(request), who(request), data.get("name", ""),
               parent=data.get("parent") or None, colour=data.get("colour") or None,
               description=data.get("description") or None)
    return Response(status_code=204, headers=_REFRESH)


async def update(request):
    data = await form(request)
    kwargs: dict = {}
    for key in ("name", "colour", "description"):
        if key in data:
            kwargs[key] = data[key]
    if "parent" in data:  # "" = to the top level
        kwargs["parent"] = data["parent"] or None
    await call(codes_mod.update, study(request), who(request), request.path_params["code"],
               **kwargs)
    return Response(status_code=204, headers=_REFRESH)


async def merge(request):
    data = await form(request)
    await call(codes_mod.merge, study(request), who(request), request.path_params["code"],
               form_int(data, "target"))
    return Response(status_code=204, headers=_REFRESH)


async def delete(request):
    await call(codes_mod.delete, study(request), who(request), request.path_params["code"])
    return Response(status_code=204, headers=_REFRESH)


async def memo(request):
    data = await form(request)
    saved = await call(desk.memo, study(request), who(request), data.get("text", ""),
                       code=request.path_params["code"])
    return page(request, "memo_saved.html", memo=saved)


async def stylesheet(request):
    """Each code's colour as a class, so highlights need no inline style (strict CSP)."""
    book = await call(codes_mod.codebook, study(request), who(request))
    lines = []
    for code in book.codes:
        colour = code.colour or "#888888"
        r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
        lines.append(f".k{code.id}{{--code:{colour};background-color:rgba({r},{g},{b},.32)}}")
        lines.append(f".s{code.id}{{background-color:{colour}}}")
    return Response("\n".join(lines) + "\n", media_type="text/css",
                    headers={"Cache-Control": "no-cache"})


ROUTES = [
    Route("/codes", tree),
    Route("/codes", add, methods=["POST"]),
    Route("/codes.css", stylesheet),
    Route("/codes/{code:int}", update, methods=["POST"]),
    Route("/codes/{code:int}/merge", merge, methods=["POST"]),
    Route("/codes/{code:int}/delete", delete, methods=["POST"]),
    Route("/codes/{code:int}/memo", memo, methods=["POST"]),
]
