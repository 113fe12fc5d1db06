"""Workspace benchmark (issue 12): the document page, the coding round trip, a code's
retrieval page.

    python benchmarks/bench_workspace.py [--chars 500000] [--codings 5000] [--requests 50]
                                         [--big-codings 1000000] [--docs 1000]
                                         [--doc-chars 2000] [--db-url URL]

Server time is measured by calling the ASGI application in process, from the request to the
last byte of the response body: the guard (session lookup, CSRF), routing, the library call
and rendering, without a network, an HTTP client or a browser. (Through Starlette's
TestClient, which adds its own transfer of the multi-megabyte page, the figures are higher;
the script prints both for the document page.)
On fresh studies in ``benchmarks/_work/workspace`` (SQLite unless ``--db-url``):

1. One transcript of ``--chars`` characters (timed turns of an interviewer and a
   respondent; Russian words of the example interviews, with an emoji now and then so the
   UTF-16 conversion is exercised) and ``--codings`` codings on it by two coders (20 codes,
   spans of 20-800 characters, overlapping). Document page: ``GET /documents/NAME``,
   ``--requests`` times; median and p95. Target: < 300 ms.
2. Coding round trip: ``POST /documents/NAME/code`` of a new span (UTF-16 offsets, with the
   CSRF token), ``--requests`` times; the response carries the redrawn paragraphs and the
   list of codings. Median and p95. Target: median < 100 ms.
3. ``--docs`` documents of ``--doc-chars`` characters and ``--big-codings`` codings (90 leaf
   codes under 10 themes, as bench_qual.py), stored with ``coding.insert_codings``; a code's
   retrieval page ``GET /segments?q=CODE`` (all the code's segments retrieved with context,
   the first page of 200 drawn). Median of 5. Target: < 1 s.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import time
import warnings
from pathlib import Path
from random import Random

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "_work" / "workspace"
EXAMPLES = ROOT / "examples" / "kz-civic-2021" / "interviews"
SEED = 202112


def vocabulary() -> list[str]:
    words = []
    for path in sorted(EXAMPLES.glob("respondent-*.txt")):
        words += re.findall(r"[А-Яа-яЁё]+", path.read_text(encoding="utf-8"))
    return words


def transcript(rng: Random, words: list[str], chars: int) -> str:
    lines, size, second = [], 0, 0
    while size < chars:
        speaker = "Интервьюер" if len(lines) % 2 == 0 else "Респондент 26"
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(12, 120)))
        if rng.random() < 0.1:
            sentence += " 🙂"
        second += rng.randint(5, 60)
        line = (f"[{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}] "
                f"{speaker}: {sentence.capitalize()}.")
        lines.append(line)
        size += len(line)
    return "\n".join(lines)


def client(study):
    from syrmak.web.app import create_app, login_link
    from syrmak.workspace import people

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient
    people.ensure_researcher(study, "bench", "owner")
    app = create_app(study, laptop=True)
    c = TestClient(app, base_url="http://127.0.0.1:8765")
    page = c.get(login_link(app, "bench", ""), follow_redirects=True)
    c.headers["X-CSRF-Token"] = re.search(r'X-CSRF-Token": "([^"]+)"', page.text).group(1)
    c.headers["HX-Request"] = "true"
    return c


class Asgi:
    """Requests straight into the ASGI app, on one event loop, timed to the last byte."""

    def __init__(self, app, cookie: str, csrf: str) -> None:
        import asyncio

        self.app, self.cookie, self.csrf = app, cookie, csrf
        self.loop = asyncio.new_event_loop()

    def request(self, method: str, path: str, form: dict | None = None):
        from urllib.parse import urlencode, urlsplit

        url = urlsplit(path)
        body = urlencode(form or {}).encode()
        headers = [(b"host", b"127.0.0.1:8765"), (b"cookie", self.cookie.encode()),
                   (b"x-csrf-token", self.csrf.encode()), (b"hx-request", b"true")]
        if form is not None:
            headers.append((b"content-type", b"application/x-www-form-urlencoded"))
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": method, "scheme": "http", "path": url.path,
                 "raw_path": url.path.encode(), "query_string": url.query.encode(),
                 "root_path": "", "headers": headers, "client": ("127.0.0.1", 5000),
                 "server": ("127.0.0.1", 8765)}
        sent = {"status": 0, "body": []}

        async def receive():
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message):
            if message["type"] == "http.response.start":
                sent["status"] = message["status"]
            elif message["type"] == "http.response.body":
                sent["body"].append(message.get("body", b""))

        self.loop.run_until_complete(self.app(scope, receive, send))
        return Response(sent["status"], b"".join(sent["body"]))


class Response:
    def __init__(self, status: int, content: bytes) -> None:
        self.status_code, self.content = status, content
        self.text = content.decode("utf-8", "replace")


def asgi(c) -> Asgi:
    cookie = "; ".join(f"{k}={v}" for k, v in c.cookies.items())
    return Asgi(c.app, cookie, c.headers["X-CSRF-Token"])


def timed(call, n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        response = call()
        out.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.text[:300]
    return out


def summary(ms: list[float]) -> str:
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, n={len(ms)}"


def new_study(name: str, db_url: str | None):
    from syrmak.store import vault
    from syrmak.study import Study

    folder = WORK / name
    if folder.exists():
        shutil.rmtree(folder)
    keys = WORK / "keys"
    keys.mkdir(parents=True, exist_ok=True)
    return Study.create(folder, db_url=db_url, keeper=vault.Keeper("file", identity_file=keys))


def document_bench(args, words: list[str]) -> None:
    from syrmak.qual import codebook, documents
    from syrmak.qual.coding import insert_codings
    from syrmak.web.offsets import OffsetMap

    rng = Random(SEED)
    study = new_study("document", args.db_url)
    for i in range(20):
        codebook.add_code(study, f"Code {i:02d}", colour=f"#{rng.randrange(0x1000000):06X}")
    doc = documents.add_text(study, "big", transcript(rng, words, args.chars),
                             kind="transcript")
    n = len(doc.text)
    items = []
    for i in range(args.codings):
        start = rng.randrange(0, n - 900)
        items.append({"document": doc.id, "code": f"Code {rng.randrange(20):02d}",
                      "start": start, "end": start + rng.randint(20, 800),
                      "coder": "anna" if i % 2 else "viktoriya", "skip_duplicates": True})
    with study.engine.begin() as connection:
        stored = len(insert_codings(study, connection, items))
    print(f"document: {n:,} characters, {len(doc.segments):,} turns, {stored:,} codings")
    c = client(study)
    server = asgi(c)
    server.request("GET", "/documents/big")  # warm: templates compiled
    page_ms = timed(lambda: server.request("GET", "/documents/big"), args.requests)
    size = len(server.request("GET", "/documents/big").content)
    print(f"document page ({size / 1e6:.1f} MB of HTML): {summary(page_ms)}")
    client_ms = timed(lambda: c.get("/documents/big"), max(5, args.requests // 5))
    print(f"  the same through TestClient: {summary(client_ms)}")
    offsets = OffsetMap(doc.text)
    spans = []
    for _ in range(args.requests):
        start = rng.randrange(0, n - 500)
        spans.append((offsets.to_browser(start),
                      offsets.to_browser(start + rng.randint(10, 400))))
    pending = iter(spans)

    def code():
        start, end = next(pending)
        return server.request("POST", "/documents/big/code",
                              {"start": start, "end": end, "code": rng.randrange(1, 21)})

    print(f"coding round trip: {summary(timed(code, args.requests))}")
    study.close()


def retrieval_bench(args, words: list[str]) -> None:
    from syrmak.qual import codebook
    from syrmak.qual.coding import insert_codings
    from syrmak.qual.documents import ParsedText, _insert

    rng = Random(SEED + 1)
    study = new_study("retrieval", args.db_url)
    for theme in range(10):
        codebook.add_code(study, f"Theme {theme}")
        for leaf in range(9):
            codebook.add_code(study, f"Theme {theme}/Leaf {theme}-{leaf}")
    started = time.perf_counter()
    with study.engine.begin() as connection:
        for d in range(args.docs):
            text = " ".join(rng.choice(words) for _ in range(args.doc_chars // 6))
            _insert(study, connection, name=f"doc-{d:05d}", kind="text",
                    parsed=ParsedText(text[:args.doc_chars]), respondent=None,
                    question=None, source_name=None, source_bytes=None, actor="bench")
    leaves = [f"Theme {t}/Leaf {t}-{x}" for t in range(10) for x in range(9)]

    def items():
        for i in range(args.big_codings):
            start = rng.randrange(0, args.doc_chars - 300)
            yield {"document": f"doc-{rng.randrange(args.docs):05d}", "code": leaves[i % 90],
                   "start": start, "end": start + rng.randint(20, 290),
                   "coder": ("anna", "viktoriya", "bob")[i % 3], "skip_duplicates": True}

    with study.engine.begin() as connection:
        stored = len(insert_codings(study, connection, items()))
    print(f"retrieval study: {args.docs:,} documents, {stored:,} codings "
          f"({time.perf_counter() - started:.0f} s to build)")
    server = asgi(client(study))
    path = "/segments?q=Leaf%203-4"
    server.request("GET", path)
    page_ms = timed(lambda: server.request("GET", path), 5)
    body = server.request("GET", path).text
    count = re.search(r"<h2>([\d,]+) segments", body)
    print(f"retrieval page of one code ({count.group(1) if count else '?'} segments, "
          f"200 drawn): {summary(page_ms)}")
    study.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=500_000)
    parser.add_argument("--codings", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--big-codings", type=int, default=1_000_000)
    parser.add_argument("--docs", type=int, default=1_000)
    parser.add_argument("--doc-chars", type=int, default=2_000)
    parser.add_argument("--db-url")
    parser.add_argument("--skip-retrieval", action="store_true")
    args = parser.parse_args()
    words = vocabulary()
    document_bench(args, words)
    if not args.skip_retrieval:
        retrieval_bench(args, words)


if __name__ == "__main__":
    main()
