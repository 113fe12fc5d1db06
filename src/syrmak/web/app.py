"""The workspace application: routes, static files, the guard, and ``serve``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from syrmak.errors import SyrmakError
from syrmak.web import auth, render, survey
from syrmak.web.routes import (
    analysis,
    codes,
    documents,
    interviews,
    monitoring,
    redaction,
    report,
    review,
    study,
    transcripts,
)

if TYPE_CHECKING:
    from syrmak.study import Study

STATIC = Path(__file__).with_name("static")


def routes() -> list:
    return [
        *study.ROUTES, *documents.ROUTES, *codes.ROUTES, *analysis.ROUTES, *review.ROUTES,
        *report.ROUTES, *interviews.ROUTES, *transcripts.ROUTES, *survey.ROUTES,
        *monitoring.ROUTES, *redaction.ROUTES,
        Mount("/static", app=StaticFiles(directory=str(STATIC)), name="static"),
    ]


def create_app(target: Study, *, laptop: bool | None = None, secure: bool = False,
               identity=None) -> Starlette:
    """The workspace over an open study. ``laptop`` (default: a SQLite store) enables the
    one-time login links; ``secure`` marks cookies Secure (serve behind TLS); ``identity``
    (the unlocked vault key, kept in memory only) lets the transcript editor play
    recordings."""
    app = Starlette(routes=routes(), exception_handlers={SyrmakError: render.on_error})
    app.state.study = target
    app.state.title = target.title
    app.state.laptop = target.engine.dialect.name == "sqlite" if laptop is None else laptop
    app.state.secure = secure
    app.state.links = auth.OneTimeLinks()
    app.state.throttle = auth.Throttle()
    app.state.jobs = {}
    app.state.identity = identity
    app.add_middleware(auth.Guard, study=target, secure=secure)
    return app


def create_survey_app(target: Study, *, secure: bool = False) -> Starlette:
    """The public survey alone (``serve --survey-only``): the OpenRosa routes and nothing of
    the workspace, no session lookup, the same security headers."""
    app = Starlette(routes=[
        *survey.ROUTES,
        # The survey's own files and the vendored form engine; nothing of the workspace's.
        Mount("/static/survey", app=StaticFiles(directory=str(STATIC / "survey"))),
        Mount("/static/vendor", app=StaticFiles(directory=str(STATIC / "vendor"))),
    ])
    app.state.study = target
    app.add_middleware(auth.SecurityHeaders, secure=secure)
    return app


def login_link(app: Starlette, name: str, base: str) -> str:
    """A one-time URL that signs ``name`` in (laptop mode)."""
    return f"{base}/login/link?token={app.state.links.issue(name)}"


def serve(target: Study, *, host: str = "127.0.0.1", port: int = 8765, user: str | None = None,
          secure: bool = False, survey_only: bool = False, identity=None,
          echo=print) -> None:
    """Run the workspace until interrupted. On a laptop (SQLite store) print a one-time
    login link for ``user`` (default: this computer's user, added as an owner if new)."""
    import uvicorn

    from syrmak.study import default_actor
    from syrmak.workspace import people

    if survey_only:
        app = create_survey_app(target, secure=secure)
        echo(f"Survey on http://{host}:{port}/ (OpenRosa: /formList, /submission).")
    else:
        app = create_app(target, secure=secure, identity=identity)
    if not survey_only and app.state.laptop:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise SyrmakError(f"a laptop study (SQLite) is served on this computer only, "
                              f"not on {host}.",
                              "leave --host at 127.0.0.1; a team works on a PostgreSQL store.",
                              code="bad-argument")
        name = user or default_actor()
        people.ensure_researcher(target, name, "owner" if user is None else "coder")
        echo("Open the workspace with this one-time link (it works once):")
        echo(f"    {login_link(app, name, f'http://{host}:{port}')}")
    elif not survey_only:
        echo(f"Workspace on http://{host}:{port}/ (researchers sign in with their password).")
    # No access log: it would write every respondent's address and request line.
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False,
                access_log=False,
                proxy_headers=secure, forwarded_allow_ips="127.0.0.1" if secure else None)
