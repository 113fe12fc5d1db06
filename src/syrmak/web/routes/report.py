"""Translations of the report's quotes, and building and downloading the report."""

from __future__ import annotations

import threading

from starlette.responses import FileResponse, Response
from starlette.routing import Route

from syrmak.errors import SyrmakError
from syrmak.web.render import call, form, page, study, who
from syrmak.workspace import people, quotes, reports


async def translations(request):
    result = await call(quotes.quotes, study(request), who(request))
    return page(request, "translations.html", result=result)


async def translate(request):
    data = await form(request)
    item = await call(quotes.translate, study(request), who(request),
                      request.path_params["index"], data.get("text", ""))
    return page(request, "translated.html", item=item)


class Job:
    """A report build running in a thread; the page polls its progress."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.step = total, 0, ""
        self.error: str | None = None
        self.finished = False

    def progress(self, step: str) -> None:
        self.done += 1
        self.step = step


async def show(request):
    files = await call(reports.files, study(request), who(request))
    return page(request, "report.html", files=files, job=request.app.state.jobs.get("report"))


async def build(request):
    target, me = study(request), who(request)
    people.require(me, "report")  # fail before starting a thread
    jobs = request.app.state.jobs
    if jobs.get("report") and not jobs["report"].finished:
        raise SyrmakError("the report is being built already.", "wait for it to finish.",
                          code="busy")
    job = Job(await call(reports.steps, target, me))
    jobs["report"] = job

    def run() -> None:
        try:
            reports.build(target, me, job.progress)
        except SyrmakError as exc:
            job.error = str(exc)
        except Exception as exc:  # shown on the page rather than lost in a thread
            job.error = f"{type(exc).__name__}: {exc}"
        finally:
            job.finished = True

    threading.Thread(target=run, daemon=True, name="syrmak-report").start()
    return page(request, "report_progress.html", job=job)


async def progress(request):
    job = request.app.state.jobs.get("report")
    files = await call(reports.files, study(request), who(request)) if job and job.finished \
        else {}
    return page(request, "report_progress.html", job=job, files=files)


async def download(request):
    files = await call(reports.files, study(request), who(request))
    fmt = request.path_params["fmt"]
    if fmt not in files:
        return Response("Not built yet.", status_code=404)
    media = {"html": "text/html",
             "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
    return FileResponse(files[fmt], media_type=media[fmt], filename=files[fmt].name)


ROUTES = [
    Route("/translations", translations),
    Route("/translations/{index:int}", translate, methods=["POST"]),
    Route("/report", show),
    Route("/report/build", build, methods=["POST"]),
    Route("/report/progress", progress),
    Route("/report/download/{fmt}", download),
]
