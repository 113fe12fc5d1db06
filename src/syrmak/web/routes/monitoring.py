"""The survey as it comes in (workspace page)."""

from __future__ import annotations

from starlette.routing import Route

from syrmak.collect.monitor import monitoring
from syrmak.web.render import call, page, study, who


async def show(request):
    found = await call(monitoring, study(request), who(request))
    return page(request, "monitoring.html", m=found)


ROUTES = [Route("/monitoring", show)]
