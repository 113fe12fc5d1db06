"""The redaction page: a document's (or every document's) proposals, accepted or rejected one
by one, the original revealed on request (audited), and a document read redacted."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from syrmak.web.render import call, form, page, study, who
from syrmak.workspace import redactions


async def show(request):
    q = request.query_params
    document, kind, status = q.get("document", ""), q.get("kind", ""), q.get("status", "")
    found = await call(redactions.listing, study(request), who(request), document or None,
                       kind or None, status or None)
    return page(request, "redaction.html", listing=found, document=document, kind=kind,
                state=status, kinds=redactions.KINDS, statuses=redactions.STATUSES)


async def decide(request):
    data = await form(request)
    item = await call(redactions.decide, study(request), who(request),
                      request.path_params["proposal"], data.get("decision") == "accept")
    # The page's tally listens for this event and reloads itself.
    return page(request, "_redaction_row.html", item=item, may_decide=True,
                headers={"HX-Trigger": "redaction-decided"})


async def tally(request):
    found = await call(redactions.counts, study(request), who(request),
                       request.query_params.get("document") or None)
    return page(request, "_counts.html", counts=found,
                document=request.query_params.get("document", ""))


async def reveal(request):
    original = await call(redactions.reveal, study(request), who(request),
                          request.path_params["proposal"])
    return page(request, "_revealed.html", original=original)


async def propose(request):
    data = await form(request)
    await call(redactions.propose, study(request), who(request), data.get("document") or None)
    return Response(status_code=204, headers={"HX-Refresh": "true"})


async def text(request):
    name, redacted = await call(redactions.redacted_text, study(request), who(request),
                                request.path_params["name"])
    return page(request, "redacted.html", name=name, text=redacted)


ROUTES = [
    Route("/redaction", show),
    Route("/redaction/counts", tally),
    Route("/redaction/propose", propose, methods=["POST"]),
    Route("/redaction/{proposal:int}/decide", decide, methods=["POST"]),
    Route("/redaction/{proposal:int}/reveal", reveal, methods=["POST"]),
    Route("/redaction/text/{name:path}", text),
]
