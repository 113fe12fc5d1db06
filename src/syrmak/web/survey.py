"""The public survey routes: OpenRosa form list, form download and submission.

Thin: parse the request, call one library function (``syrmak.collect``), answer in
OpenRosa XML. Nothing here reads the client's address or user agent, and the server runs
without an access log, so neither reaches a log or the store.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from syrmak.collect import coupons, forms, submissions
from syrmak.errors import SyrmakError
from syrmak.web import survey_texts

COOKIE = "syrmak_survey"
#: The form page runs ODK Web Forms: its XPath engine is WebAssembly ('wasm-unsafe-eval'),
#: its components inject styles, its icons are data: fonts. Still nothing from elsewhere.
FORM_CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
            "style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
PAGE_STATUS = {"coupon-unknown": 404, "coupon-used": 410, "coupon-expired": 410,
               "coupon-bound": 409, "form-closed": 403}
NAMES = {"ru": "Русский", "kk": "Қазақша", "en": "English"}

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
        receipt = await run_in_threadpool(submissions.receive, request.app.state.study, xml,
                                          "openrosa", request.cookies.get(COOKIE))
    except SyrmakError as exc:
        return _refusal(exc)
    finally:
        await data.close()
    # No respondent number in the answer: it would tell anyone how many have answered.
    return _message("Thank you: your answers are stored.", 201) if receipt else None


def _study_form(request: Request):
    study = request.app.state.study
    return study, study.questionnaire


def _page(request: Request, template: str, lang: str, status: int = 200, headers=None,
          **values) -> HTMLResponse:
    from syrmak.web.render import environment

    study = request.app.state.study
    t = survey_texts.PAGES[lang]
    html = environment().get_template(template).render(
        lang=lang, t=t, title=study.title or t["title"], **values)
    # A plain form POST under "no-referrer" carries "Origin: null", which the origin check
    # refuses; "same-origin" still sends nothing (no coupon code) to another site.
    return HTMLResponse(html, status, headers={"Referrer-Policy": "same-origin",
                                               **(headers or {})})


def _refusal_page(request: Request, lang: str, exc: SyrmakError, status: int) -> HTMLResponse:
    text = survey_texts.REFUSALS[lang].get(exc.code)
    if text is None:
        text, hint = exc.message[:1].upper() + exc.message[1:], exc.hint
    else:
        hint = ""
    return _page(request, "survey/message.html", lang, status, message=text, hint=hint)


def _lang(request: Request, form) -> str:
    return survey_texts.pick(request.query_params.get("lang"),
                             request.headers.get("accept-language", ""), form.languages)


def _consent_text(study, lang: str) -> list[str]:
    given = study.config.get("survey", {}).get("consent")
    if isinstance(given, dict):
        given = given.get(lang) or next(iter(given.values()), None)
    text = given or survey_texts.PAGES[lang]["consent_default"]
    return [p.strip() for p in str(text).split("\n\n") if p.strip()]


async def consent_page(request: Request) -> Response:
    """The survey's entry: a coupon link (?c=CODE) or the open link; the consent text."""
    study, form = await run_in_threadpool(_study_form, request)
    lang = _lang(request, form)
    current = request.cookies.get(COOKIE)
    try:
        session_id = await run_in_threadpool(coupons.start, study,
                                             request.query_params.get("c"), lang, current)
    except SyrmakError as exc:
        return _refusal_page(request, lang, exc, PAGE_STATUS.get(exc.code, 403))
    response = _page(request, "survey/consent.html", lang, consent=_consent_text(study, lang),
                     languages=[c for c in survey_texts.LANGUAGES if c in form.languages],
                     names=NAMES)
    if session_id != current:
        _set_cookie(request, response, session_id)
    return response


def _set_cookie(request: Request, response: Response, session_id: str) -> None:
    response.set_cookie(COOKIE, session_id, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https", max_age=7 * 24 * 3600)


async def consent_given(request: Request) -> Response:
    study = request.app.state.study
    data = await request.form(max_fields=4, max_files=0)
    lang = str(data.get("lang") or "")
    try:
        await run_in_threadpool(coupons.consent, study, request.cookies.get(COOKIE))
    except SyrmakError as exc:
        _, form = await run_in_threadpool(_study_form, request)
        return _refusal_page(request, survey_texts.pick(lang, "", form.languages), exc, 403)
    suffix = f"?lang={lang}" if lang in survey_texts.LANGUAGES else ""
    return RedirectResponse(f"/survey/form{suffix}", 303)


async def form_page(request: Request) -> Response:
    study, form = await run_in_threadpool(_study_form, request)
    lang = _lang(request, form)
    current = await run_in_threadpool(coupons.find, study, request.cookies.get(COOKIE))
    if current is None or not current.consented:
        return _page(request, "survey/message.html", lang, 403,
                     message=survey_texts.PAGES[lang]["need_consent"], hint="")
    if current.respondent is not None:
        return RedirectResponse("/survey/thanks", 303)
    strings = json.dumps(survey_texts.ENGINE[lang], ensure_ascii=False)
    return _page(request, "survey/form.html", lang, number=current.form_number,
                 strings=strings, headers={"Content-Security-Policy": FORM_CSP})


async def thanks_page(request: Request) -> Response:
    study, form = await run_in_threadpool(_study_form, request)
    lang = _lang(request, form)
    current = await run_in_threadpool(coupons.find, study, request.cookies.get(COOKIE))
    if current is None or current.respondent is None:
        return _page(request, "survey/message.html", lang, 403,
                     message=survey_texts.PAGES[lang]["need_consent"], hint="")
    base = str(request.base_url).rstrip("/")
    links = [f"{base}/survey?c={code}" for code in current.coupons]
    return _page(request, "survey/thanks.html", lang, links=links)


ROUTES = [
    Route("/survey", consent_page, methods=["GET"]),
    Route("/survey/consent", consent_given, methods=["POST"]),
    Route("/survey/form", form_page, methods=["GET"]),
    Route("/survey/thanks", thanks_page, methods=["GET"]),
    Route("/formList", form_list, methods=["GET", "HEAD"]),
    Route("/forms/{number:int}.xml", form_xml, methods=["GET", "HEAD"]),
    Route("/submission", submission, methods=["HEAD", "POST"]),
]
