"""Signing in and out, the study overview, one's own settings, and (owners) the team."""

from __future__ import annotations

import hmac
import secrets

from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from syrmak.errors import SyrmakError
from syrmak.web import auth
from syrmak.web.render import call, form, page, study, who
from syrmak.workspace import overview as overview_mod
from syrmak.workspace import people, sessions


async def overview(request):
    result = await call(overview_mod.overview, study(request), who(request))
    return page(request, "overview.html", overview=result)


async def login_form(request, error: str | None = None, status: int = 200):
    token = secrets.token_urlsafe(24)
    response = page(request, "login.html", status=status, pre_token=token, error=error)
    response.set_cookie(auth.PRE_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.app.state.secure, path="/login")
    return response


async def login(request):
    data = await form(request)
    cookie = request.cookies.get(auth.PRE_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie.encode(),
                                             data.get("pre_token", "").encode()):
        return await login_form(request, "expired", 403)
    name = data.get("name", "").strip()
    keys = (auth.client_key(request), f"name:{name}")
    throttle = request.app.state.throttle
    if throttle.blocked(*keys):
        return await login_form(request, "throttled", 429)
    researcher = await call(people.verify_password, study(request), name,
                            data.get("password", ""))
    if researcher is None:
        throttle.fail(*keys)
        return await login_form(request, "wrong", 401)
    throttle.clear(f"name:{name}")
    return await _signed_in(request, researcher)


async def _signed_in(request, researcher):
    session_id = await call(sessions.open_session, study(request), researcher)
    response = RedirectResponse("/", 303)
    auth.set_session_cookie(response, session_id, request.app.state.secure)
    response.delete_cookie(auth.PRE_COOKIE, path="/login")
    return response


async def login_link(request):
    """The laptop's one-time link: good once, then only the session cookie remains."""
    name = request.app.state.links.redeem(request.query_params.get("token"))
    if name is None or not request.app.state.laptop:
        return await login_form(request, "link", 403)
    researcher = await call(people.get_researcher, study(request), name)
    return await _signed_in(request, researcher)


async def logout(request):
    await call(sessions.close_session, study(request), request.cookies.get(auth.COOKIE))
    response = Response(status_code=204, headers={"HX-Redirect": "/login"})
    response.delete_cookie(auth.COOKIE, path="/")
    return response


async def preferences(request):
    data = await form(request)
    values = {}
    if "language" in data:
        values["language"] = data["language"] or None
    if "blind" in data:
        values["blind"] = data["blind"] == "1"
    await call(people.set_preferences, study(request), who(request), **values)
    return Response(status_code=204, headers={"HX-Refresh": "true"})


async def users(request):
    listed = await call(people.list_researchers, study(request), who(request))
    return page(request, "users.html", users=listed, roles=people.ROLES)


async def add_user(request):
    data = await form(request)
    password = data.get("password") or None
    await call(people.add_researcher, study(request), data.get("name", ""),
               data.get("role", "coder"), password=password, by=who(request))
    return Response(status_code=204, headers={"HX-Refresh": "true"})


async def change_role(request):
    data = await form(request)
    name = request.path_params["name"]
    if data.get("role") not in people.ROLES:
        raise SyrmakError("choose a role.", "pick owner, coder or viewer.", code="bad-role")
    await call(people.update_researcher, study(request), name, role=data["role"],
               by=who(request))
    return Response(status_code=204, headers={"HX-Refresh": "true"})


ROUTES = [
    Route("/", overview),
    Route("/login", login_form, methods=["GET"]),
    Route("/login", login, methods=["POST"]),
    Route("/login/link", login_link),
    Route("/logout", logout, methods=["POST"]),
    Route("/preferences", preferences, methods=["POST"]),
    Route("/users", users),
    Route("/users", add_user, methods=["POST"]),
    Route("/users/{name}/role", change_role, methods=["POST"]),
]
