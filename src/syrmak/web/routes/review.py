"""Coders side by side: the agreement review and adjudication into a consensus coder."""

from __future__ import annotations

from starlette.routing import Route

from syrmak.errors import SyrmakError
from syrmak.web.render import call, form, page, study, who
from syrmak.workspace import review as review_mod
from syrmak.workspace.overview import overview


async def show(request):
    params = request.query_params
    document, a, b = params.get("document"), params.get("a"), params.get("b")
    result = None
    if document and a and b:
        result = await call(review_mod.review, study(request), who(request), document, a, b,
                            float(params.get("threshold") or 0.9))
    summary = await call(overview, study(request), who(request))
    return page(request, "review.html", result=result, documents=summary.documents,
                coders=summary.coders, document=document, a=a, b=b)


async def adjudicate(request):
    data = await form(request)
    raw = (await request.form()).getlist("coding")
    try:
        ids = [int(x) for x in raw]
    except ValueError:
        raise SyrmakError("bad coding ids.", "reload the page.", code="bad-request") from None
    if not ids:
        raise SyrmakError("choose at least one side to accept.", "tick A, B or both.",
                          code="bad-request")
    added = await call(review_mod.adjudicate, study(request), who(request),
                       data.get("document", ""), ids)
    return page(request, "adjudicated.html", added=added)


ROUTES = [
    Route("/review", show),
    Route("/review/adjudicate", adjudicate, methods=["POST"]),
]
