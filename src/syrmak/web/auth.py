"""Who is at the keyboard: sessions, CSRF, login (password or one-time link), throttling,
and the security headers every response carries.

- The session cookie holds a random id (HttpOnly, SameSite=Strict, Secure behind TLS); the
  store holds its hash (``workspace.sessions``).
- Every POST but the login form must carry the session's CSRF token in ``X-CSRF-Token``
  (htmx sends it from ``hx-headers`` on <body>); the login form uses a double-submit
  token, compared with ``hmac.compare_digest``. A POST from another origin is refused.
- Failed logins are counted per address and per name; after ``LIMIT`` failures within
  ``WINDOW`` seconds further tries are refused until the window passes.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse

from syrmak.workspace import sessions

COOKIE = "syrmak_session"
PRE_COOKIE = "syrmak_login"
#: Content-Security-Policy: nothing inline, nothing from elsewhere.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "media-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    # Interview text must not linger in shared caches or the back-forward cache of a
    # borrowed computer.
    (b"cache-control", b"no-store"),
]
#: Paths open without a session: the login, static files, and the public survey (a
#: respondent or a phone has no workspace session).
OPEN = ("/login", "/static/", "/forms/", "/survey/")
#: Public survey paths matched exactly, so that no later workspace page that merely starts
#: with the same letters (``/surveys``) is opened by accident.
OPEN_EXACT = ("/formList", "/submission", "/survey")
#: State-changing paths that take no CSRF token: an OpenRosa submission comes from a phone
#: or the survey page without a session, and only ever adds a new respondent.
NO_CSRF = ("/login", "/submission", "/survey/consent")


class Throttle:
    """At most ``limit`` failed logins per key within ``window`` seconds."""

    def __init__(self, limit: int = 5, window: float = 300.0) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque:
        failures = self._failures[key]
        while failures and failures[0] < now - self.window:
            failures.popleft()
        return failures

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(len(self._recent(k, now)) >= self.limit for k in keys)

    def fail(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def clear(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


class OneTimeLinks:
    """The laptop's login link: a random token, good once, for one researcher."""

    def __init__(self) -> None:
        self._tokens: dict[str, str] = {}
        self._lock = threading.Lock()

    def issue(self, name: str) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = name
        return token

    def redeem(self, token: str | None) -> str | None:
        if not token:
            return None
        with self._lock:
            for known in list(self._tokens):
                if hmac.compare_digest(known.encode(), token.encode()):
                    return self._tokens.pop(known)
        return None


class Guard:
    """ASGI middleware: security headers on every response; the session looked up; pages
    closed to strangers; state-changing requests checked for origin and CSRF token."""

    def __init__(self, app, study, *, secure: bool = False) -> None:
        self.app, self.study, self.secure = app, study, secure

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        send_with_headers = _with_headers(send, self.secure)
        headers = Headers(scope=scope)
        path = scope["path"]
        session = await _session(self.study, _cookie(headers, COOKIE))
        scope.setdefault("state", {})["session"] = session
        method = scope["method"]
        refusal = None
        if method not in ("GET", "HEAD", "OPTIONS"):
            if not _same_origin(headers):
                refusal = PlainTextResponse("Cross-origin request refused.", 403)
            elif not path.startswith(NO_CSRF) and (
                    session is None or not session.csrf_ok(headers.get("x-csrf-token"))):
                refusal = PlainTextResponse("Missing or wrong CSRF token; reload the page.",
                                            403)
        elif session is None and not path.startswith(OPEN) and path not in OPEN_EXACT:
            refusal = RedirectResponse("/login", 303)
        if refusal is not None:
            await refusal(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


def _with_headers(send, secure: bool):
    async def send_with_headers(message):
        if message["type"] == "http.response.start":
            names = {name for name, _ in message.get("headers", [])}
            message["headers"] = list(message.get("headers", [])) + [
                h for h in HEADERS if h[0] not in names]
            if secure:
                message["headers"].append((b"strict-transport-security", b"max-age=31536000"))
        await send(message)
    return send_with_headers


class SecurityHeaders:
    """ASGI middleware of the survey-only server: the headers, no sessions at all."""

    def __init__(self, app, *, secure: bool = False) -> None:
        self.app, self.secure = app, secure

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send_with_headers = _with_headers(send, self.secure)
        if scope["method"] not in ("GET", "HEAD", "OPTIONS") and \
                not _same_origin(Headers(scope=scope)):
            refusal = PlainTextResponse("Cross-origin request refused.", 403)
            await refusal(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


async def _session(study, session_id):
    from starlette.concurrency import run_in_threadpool

    if not session_id:
        return None
    return await run_in_threadpool(sessions.find_session, study, session_id)


def _cookie(headers: Headers, name: str) -> str | None:
    for part in headers.get("cookie", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def _same_origin(headers: Headers) -> bool:
    """A browser names the page that sent a POST in Origin; it must be this host."""
    origin = headers.get("origin")
    if not origin:
        return True  # not a browser's cross-site request (those carry Origin)
    if origin == "null":
        return False
    return urlsplit(origin).netloc == headers.get("host")


def set_session_cookie(response, session_id: str, secure: bool) -> None:
    response.set_cookie(COOKIE, session_id, httponly=True, samesite="strict", secure=secure,
                        path="/", max_age=int(sessions.LIFETIME.total_seconds()))


def client_key(request: Request) -> str:
    return f"ip:{request.client.host if request.client else '?'}"
