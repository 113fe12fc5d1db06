"""Templates and the little every route shares: the study, the researcher, the form, the
language, and turning a ``SyrmakError`` into a message on the page."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse

from syrmak.errors import SyrmakError
from syrmak.render import cells
from syrmak.web import i18n

if TYPE_CHECKING:
    from starlette.requests import Request

    from syrmak.study import Study
    from syrmak.workspace.people import Researcher

TEMPLATES = Path(__file__).with_name("templates")

call = run_in_threadpool  # library calls block: run them off the event loop


@lru_cache(maxsize=1)
def environment():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             extensions=["jinja2.ext.i18n"])
    env.filters["clock"] = clock
    env.filters["percent"] = percent
    env.filters["number"] = number
    return env


def clock(ms: int | None) -> str:
    if ms is None:
        return ""
    seconds = ms // 1000
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:d}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def percent(value) -> str:
    return cells.percent(value, 0)


def number(value, digits: int = 3) -> str:
    return cells.number(value, digits, blank="–")


def study(request: Request) -> Study:
    return request.app.state.study


def who(request: Request) -> Researcher | None:
    session = request.scope.get("state", {}).get("session")
    return session.researcher if session else None


def locale(request: Request) -> str:
    researcher = who(request)
    return i18n.choose(researcher.language if researcher else request.cookies.get("lang"),
                       request.headers.get("accept-language"))


def gettext_for(request: Request):
    return i18n.translations(locale(request))


def context(request: Request, **values) -> dict:
    session = request.scope.get("state", {}).get("session")
    tr = gettext_for(request)
    return {"request": request, "who": session.researcher if session else None,
            "csrf": session.csrf_token if session else "", "lang": locale(request),
            "_": tr.gettext, "gettext": tr.gettext, "ngettext": tr.ngettext,
            "study_title": request.app.state.title, "laptop": request.app.state.laptop,
            **values}


def page(request: Request, template: str, status: int = 200, headers=None,
         **values) -> HTMLResponse:
    html = environment().get_template(template).render(context(request, **values))
    return HTMLResponse(html, status_code=status, headers=headers)


async def form(request: Request) -> dict:
    data = await request.form()
    return {k: v for k, v in data.multi_items() if isinstance(v, str)}


def form_int(data: dict, key: str) -> int:
    try:
        return int(data[key])
    except (KeyError, ValueError):
        raise SyrmakError(f"the request lacks a whole number '{key}'.", "reload the page.",
                          code="bad-request") from None


async def on_error(request: Request, exc: SyrmakError) -> HTMLResponse:
    """A user's mistake or a refusal: the message (with its fix) where the page shows
    messages (htmx retargets error responses to #flash), or as a page of its own."""
    status = 403 if exc.code == "forbidden" else 400
    template = "flash.html" if request.headers.get("hx-request") else "error.html"
    return page(request, template, status=status, error=exc)
