"""The interviewees page: the candidates' strata grid, a seeded draw, the shortlist."""

from __future__ import annotations

import re

from starlette.routing import Route

from syrmak.errors import SyrmakError
from syrmak.web.render import call, form, page, study, who
from syrmak.workspace import interviewees


def _int(text: str | None, name: str) -> int | None:
    if text is None or not text.strip():
        return None
    try:
        return int(text)
    except ValueError:
        raise SyrmakError(f"{name} must be a whole number.", f"write a number for {name}.",
                          code="bad-argument", value=text) from None


async def show(request):
    q = request.query_params
    strata = [s.strip() for s in q.get("strata", "").split(",") if s.strip()]
    where, lang = q.get("where", ""), q.get("lang") or None
    result = None
    if strata:
        result = await call(interviewees.grid, study(request), who(request), where=where,
                            strata=strata, per_stratum=_int(q.get("per"), "per stratum") or 1,
                            seed=_int(q.get("seed"), "seed"), lang=lang)
    chosen = await call(interviewees.shortlist, study(request), who(request))
    return page(request, "interviewees.html", result=result, chosen=chosen, where=where,
                strata=",".join(strata), data_lang=lang, per=q.get("per", "1"))


async def select(request):
    data = await form(request)
    numbers = [int(n) for n in re.findall(r"\d+", data.get("numbers", ""))]
    criteria = {"where": [data["where"]] if data.get("where") else [],
                "strata": [s for s in data.get("strata", "").split(",") if s],
                "seed": _int(data.get("seed"), "seed")}
    await call(interviewees.choose, study(request), who(request), numbers,
               data.get("reason", ""), criteria)
    chosen = await call(interviewees.shortlist, study(request), who(request))
    return page(request, "_shortlist.html", chosen=chosen)


ROUTES = [
    Route("/interviewees", show),
    Route("/interviewees/select", select, methods=["POST"]),
]
