"""The transcript editor (segments against the recording) and the transcription jobs.

The recording is decrypted in memory and served with HTTP Range support, which an
``<audio>`` element needs to seek; the decrypted bytes stay in this process for a few
minutes (per researcher and recording) so that seeking does not decrypt, and audit, the
whole file again for every range the browser asks for.
"""

from __future__ import annotations

import threading
import time

from starlette.responses import Response
from starlette.routing import Route

from syrmak.errors import SyrmakError
from syrmak.web.offsets import OffsetMap
from syrmak.web.render import call, form, form_int, page, study, who
from syrmak.workspace import transcripts

#: Seconds a decrypted recording stays in memory after its last use, and how many.
AUDIO_TTL, AUDIO_KEEP = 600.0, 2


class AudioCache:
    """Decrypted recordings, in memory only, for a short while (see the module doc)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items: dict[tuple, tuple[float, bytes, str]] = {}
        # One loader per key: the browser's first range requests arrive together, and
        # should decrypt (and be audited) once.
        self.loading: dict[tuple, threading.Lock] = {}

    def _fresh(self, key: tuple, now: float):
        with self.lock:
            for k in [k for k, v in self.items.items() if v[0] < now]:
                del self.items[k]
            if key in self.items:
                _, data, kind = self.items[key]
                self.items[key] = (now + AUDIO_TTL, data, kind)
                return data, kind
            return None

    def get(self, key: tuple, load) -> tuple[bytes, str]:
        if (found := self._fresh(key, time.monotonic())) is not None:
            return found
        with self.lock:
            gate = self.loading.setdefault(key, threading.Lock())
        with gate:
            if (found := self._fresh(key, time.monotonic())) is not None:
                return found
            try:
                data, kind = load()
                with self.lock:
                    self.items[key] = (time.monotonic() + AUDIO_TTL, data, kind)
                    while len(self.items) > AUDIO_KEEP:
                        del self.items[min(self.items, key=lambda k: self.items[k][0])]
            finally:  # a refused load (no key, no role) leaves no gate behind either
                with self.lock:
                    self.loading.pop(key, None)
        return data, kind


def _cache(request) -> AudioCache:
    state = request.app.state
    if not hasattr(state, "audio_cache"):
        state.audio_cache = AudioCache()
    return state.audio_cache


def _identity(request):
    return getattr(request.app.state, "identity", None)


def _name(request) -> str:
    return request.path_params["name"]


async def index(request):
    items = await call(transcripts.transcripts, study(request), who(request))
    jobs = await call(transcripts.jobs, study(request), who(request))
    return page(request, "transcripts.html", items=items, jobs=jobs)


async def jobs_panel(request):
    jobs = await call(transcripts.jobs, study(request), who(request))
    return page(request, "_jobs.html", jobs=jobs)


def _editor(request, view, template="transcript.html", message=None, lost=(), status=200):
    researcher = who(request)
    return page(request, template, status=status, view=view, message=message, lost=lost,
                may_edit=researcher.may("transcript"),
                audio=bool(_identity(request)) and bool(view.recordings))


async def show(request):
    view = await call(transcripts.transcript, study(request), who(request), _name(request))
    return _editor(request, view)


async def audio(request):
    name, recording = _name(request), request.path_params["recording"]
    researcher = who(request)
    key = (researcher.name, name, recording)
    data, kind = await call(_cache(request).get, key, lambda: transcripts.audio(
        study(request), researcher, name, recording, _identity(request)))
    return _ranged(request, data, kind)


def _ranged(request, data: bytes, kind: str) -> Response:
    """The bytes, or the one range asked for (206); several ranges get the whole (200),
    which RFC 9110 allows; a range past the end is 416."""
    from starlette.responses import FileResponse, MalformedRangeHeader, RangeNotSatisfiable

    size = len(data)
    headers = {"accept-ranges": "bytes", "content-type": kind}
    asked = request.headers.get("range")
    if not asked:
        return Response(data, headers=headers)
    try:
        # Starlette's own parser of Range headers (the one its FileResponse uses).
        ranges = FileResponse._parse_range_header(asked, size)
    except MalformedRangeHeader:
        return Response(data, headers=headers)
    except RangeNotSatisfiable:
        return Response(b"", status_code=416, headers={**headers,
                                                       "content-range": f"bytes */{size}"})
    if len(ranges) != 1:
        return Response(data, headers=headers)
    start, end = ranges[0]  # end exclusive
    return Response(data[start:end], status_code=206,
                    headers={**headers, "content-range": f"bytes {start}-{end - 1}/{size}"})


async def _act(request, act, message: str):
    """Run an edit; render the segments again with a message, or the report of codings it
    would delete with a button to confirm (never silently)."""
    name = _name(request)
    data = await form(request)
    try:
        result = await call(act, data)
    except SyrmakError as exc:
        if exc.code != "edit-loses-codings":
            raise
        values = {k: v for k, v in data.items() if k != "drop_lost"}
        return page(request, "_lost.html", error=exc, values={**values, "drop_lost": "1"},
                    url=request.url.path,
                    headers={"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"})
    view = await call(transcripts.transcript, study(request), who(request), name)
    return _editor(request, view, "_transcript_change.html", message=message,
                   lost=getattr(result, "lost", ()) or ())


def _drop(data) -> bool:
    return data.get("drop_lost") == "1"


async def correct(request):
    name, s, w = _name(request), study(request), who(request)
    return await _act(request, lambda data: transcripts.correct(
        s, w, name, form_int(data, "position"), data.get("old", ""), data.get("new", ""),
        _drop(data)), "corrected")


async def split(request):
    name, s, w = _name(request), study(request), who(request)

    def act(data):
        position = form_int(data, "position")
        view = transcripts.transcript(s, w, name)
        line = next((x for x in view.lines if x.position == position), None)
        if line is None:
            raise SyrmakError(f"transcript '{name}' has no segment {position}.",
                              "reload the transcript.", code="unknown-segment")
        # The cursor arrives in the browser's UTF-16 units within the segment's words.
        at = line.start + OffsetMap(line.text).to_store(form_int(data, "at"))
        at_ms = form_int(data, "at_ms") if data.get("at_ms", "").isdigit() else None
        return transcripts.split(s, w, name, position, at, at_ms)

    return await _act(request, act, "split")


async def merge(request):
    name, s, w = _name(request), study(request), who(request)
    return await _act(request, lambda data: transcripts.merge(
        s, w, name, form_int(data, "position"), _drop(data)), "merged")


async def speaker(request):
    name, s, w = _name(request), study(request), who(request)

    def act(data):
        position = form_int(data, "position") if data.get("scope") == "one" else None
        return transcripts.speaker(s, w, name, data.get("old", ""), data.get("new", ""),
                                   position)

    return await _act(request, act, "relabelled")


async def interviewer(request):
    name, s, w = _name(request), study(request), who(request)
    return await _act(request, lambda data: transcripts.interviewer(
        s, w, name, data.get("speaker", "")), "interviewer")


ROUTES = [
    Route("/transcripts", index),
    Route("/jobs", jobs_panel),
    Route("/transcripts/{name:path}/audio/{recording:int}", audio),
    Route("/transcripts/{name:path}/correct", correct, methods=["POST"]),
    Route("/transcripts/{name:path}/split", split, methods=["POST"]),
    Route("/transcripts/{name:path}/merge", merge, methods=["POST"]),
    Route("/transcripts/{name:path}/speaker", speaker, methods=["POST"]),
    Route("/transcripts/{name:path}/interviewer", interviewer, methods=["POST"]),
    Route("/transcripts/{name:path}", show),
]
