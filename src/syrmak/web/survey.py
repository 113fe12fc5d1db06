"""The public survey routes: OpenRosa form list, form download and submission.

Thin: parse the request, call one library function (``syrmak.collect``), answer in
OpenRosa XML. Nothing here reads the client's address or user agent, and the server runs
without an access log, so neither reaches a log or the store.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from syrmak.collect import forms, submissions
from syrmak.errors import SyrmakError

OPENROSA = {"X-OpenRosa-Version": "1.0",
            "X-OpenRosa-Accept-Content-Length": str(submissions.MAX_XML_BYTES * 2)}
#: The whole multipart body: the XML plus its envelope. Attachments are not taken.
MAX_BODY = submissions.MAX_XML_BYTES * 2
XML = "text/xml; charset=utf-8"


def _message(text: str, status: int) -> Response:
    body = ('<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
            f'<message nature="{"submit_success" if status < 300 else "error"}">'
            f"{escape(text)}</message></OpenRosaResponse>")
    return Response(body, status, headers=OPENROSA, media_type=XML)


def _refusal(exc: SyrmakError) -> Response:
    text = exc.message + (f" {exc.hint}" if exc.hint else "")
    return _message(text[:1000], submissions.STATUS.get(exc.code, 400))


async def form_list(request: Request) -> Response:
    study = request.app.state.study
    current = await run_in_threadpool(forms.open_version, study)
    base = str(request.base_url).rstrip("/")
    items = ""
    if current is not None:
        items = (f"<xform><formID>{escape(current.form_id)}</formID>"
                 f"<name>{escape(current.title)}</name>"
                 f"<version>{escape(current.version)}</version>"
                 f"<hash>md5:{current.md5}</hash>"
                 f"<downloadUrl>{base}/forms/{current.number}.xml</downloadUrl></xform>")
    body = f'<xforms xmlns="http://openrosa.org/xforms/xformsList">{items}</xforms>'
    return Response(body, headers=OPENROSA, media_type=XML)


async def form_xml(request: Request) -> Response:
    try:
        text = await run_in_threadpool(forms.xform, request.app.state.study,
                                       int(request.path_params["number"]))
    except SyrmakError as exc:
        return _message(exc.message, 404)
    return Response(text, headers=OPENROSA, media_type=XML)


async def _capped_body(request: Request) -> bytes | None:
    """The body, or None once it passes ``MAX_BODY`` (read no further)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def submission(request: Request) -> Response:
    if request.method == "HEAD":
        # OpenRosa clients probe with HEAD before they send: 204 with the headers.
        return Response(status_code=204, headers=OPENROSA)
    body = await _capped_body(request)
    too_large = _message(f"The submission is larger than {MAX_BODY // 1024} KiB.", 413)
    if body is None:
        return too_large

    async def replay():
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        data = await Request(request.scope, replay).form(max_files=4, max_fields=16,
                                                         max_part_size=MAX_BODY)
    except Exception:  # a malformed multipart envelope
        return _message("The request is not a multipart OpenRosa submission.", 400)
    upload = data.get("xml_submission_file")
    if upload is None or isinstance(upload, str):
        return _message("The request has no xml_submission_file part.", 400)
    xml = await upload.read(submissions.MAX_XML_BYTES + 1)
    try:
        receipt = await run_in_threadpool(submissions.receive, request.app.state.study, xml)
    except SyrmakError as exc:
        return _refusal(exc)
    finally:
        await data.close()
    # No respondent number in the answer: it would tell anyone how many have answered.
    return _message("Thank you: your answers are stored.", 201) if receipt else None


ROUTES = [
    Route("/formList", form_list, methods=["GET", "HEAD"]),
    Route("/forms/{number:int}.xml", form_xml, methods=["GET", "HEAD"]),
    Route("/submission", submission, methods=["HEAD", "POST"]),
]
#: Paths a stranger (a respondent, a phone) may use without a workspace session.
OPEN_PATHS = ("/formList", "/forms/", "/submission")
