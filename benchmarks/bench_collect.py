#!/usr/bin/env python3
"""Loopback load test of the survey server: concurrent OpenRosa submissions, then a kill -9
in the middle of the load and a restart.

    .venv/bin/python benchmarks/bench_collect.py                       # SQLite
    .venv/bin/python benchmarks/bench_collect.py --db postgresql://postgres@127.0.0.1:5432/test

Bounded: --count submissions (default 1,500) from --workers threads (default 16), each
request with a 10 s timeout, the whole run stopped after --deadline seconds. 127.0.0.1 only.
The server is ``syrmak serve DIR --survey-only`` in its own process. Every 201 is counted
and looked up in the store afterwards: lost = acknowledged but not stored, duplicated =
stored more than once, unacknowledged stored rows are reported too (a reply lost with the
killed server). The floor is GET /formList on the same server in the same run.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.collect.conftest import GOOD, submission  # noqa: E402
from tests.forms import write_xlsform  # noqa: E402

from syrmak.collect import forms  # noqa: E402
from syrmak.store import schema  # noqa: E402
from syrmak.study import Study  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(folder: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "syrmak"), "serve", str(folder),
                             "--survey-only", "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/formList", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start: " + proc.stderr.read().decode()[-2000:])


def load(port: int, bodies: list[tuple[str, bytes]], workers: int, stop_at: float,
         on_progress=None):
    """POST every body; (acknowledged ids, latencies of 201s, other outcomes)."""
    acked, latencies, other = [], [], {}
    lock = threading.Lock()
    done = [0]
    url = f"http://127.0.0.1:{port}/submission"
    local = threading.local()  # one keep-alive client per worker, as a phone would have

    def one(item):
        instance, body = item
        if time.monotonic() > stop_at:
            return
        began = time.perf_counter()
        try:
            if not hasattr(local, "client"):
                local.client = httpx.Client(timeout=10)
            r = local.client.post(url, files={"xml_submission_file": ("s.xml", body, "text/xml")},
                                  headers={"X-OpenRosa-Version": "1.0"})
            outcome = r.status_code
        except httpx.HTTPError as exc:
            outcome = type(exc).__name__
        took = time.perf_counter() - began
        with lock:
            if outcome == 201:
                acked.append(instance)
                latencies.append(took)
            else:
                other[outcome] = other.get(outcome, 0) + 1
            done[0] += 1
            if on_progress:
                on_progress(done[0])

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, bodies))
    return acked, latencies, other


def floor(port: int, count: int, workers: int) -> float:
    local = threading.local()

    def one(_):
        if not hasattr(local, "client"):
            local.client = httpx.Client(timeout=10)
        local.client.get(f"http://127.0.0.1:{port}/formList")
    began = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, range(count)))
    return count / (time.perf_counter() - began)


def stored(study: Study) -> dict[str, int]:
    r = schema.respondents
    with study.engine.connect() as connection:
        rows = connection.execute(sa.select(r.c.submission_key, sa.func.count())
                                  .group_by(r.c.submission_key)).all()
    return {key.removeprefix("uuid:"): n for key, n in rows}


def check(study: Study, acked: list[str]) -> tuple[int, int, int]:
    found = stored(study)
    lost = sum(1 for a in acked if found.get(a, 0) == 0)
    duplicated = sum(1 for n in found.values() if n > 1) + (len(acked) - len(set(acked)))
    unacked = len(set(found) - set(acked))
    return lost, duplicated, unacked


def consistent(study: Study) -> bool:
    """Every respondent has its batch, every batch its respondent, numbers have no gaps,
    every stored respondent its sealed contact; SQLite says ok."""
    r, i = schema.respondents, schema.imports
    with study.engine.connect() as connection:
        orphans = connection.execute(sa.select(sa.func.count()).select_from(
            r.outerjoin(i, i.c.id == r.c.import_id)).where(i.c.id.is_(None))).scalar()
        empty = connection.execute(sa.select(sa.func.count()).select_from(i).where(
            ~sa.exists().where(r.c.import_id == i.c.id))).scalar()
        numbers = connection.execute(sa.select(sa.func.count(), sa.func.max(r.c.number))).one()
        ok = orphans == 0 and empty == 0 and numbers[0] == (numbers[1] or 0)
        if connection.dialect.name == "sqlite":
            ok = ok and connection.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
        contacts = connection.execute(sa.select(sa.func.count()).select_from(
            schema.contacts)).scalar()
    return ok and contacts == numbers[0]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db")
    parser.add_argument("--count", type=int, default=1500)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--deadline", type=float, default=240)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-collect-"))
    os.environ["SYRMAK_KEY_DIR"] = os.environ["SYRMAK_IDENTITY_FILE"] = str(tmp / "keys")
    (tmp / "keys").mkdir()
    db_url = args.db
    if db_url:
        schema_name = f"bench_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://", 1))
        with admin.begin() as c:
            c.execute(sa.text(f'CREATE SCHEMA "{schema_name}"'))
        db_url = f"{db_url}?options=-csearch_path%3D{schema_name}"
    folder = tmp / "study"
    study = Study.create(folder, db_url=db_url)
    form = write_xlsform(tmp / "form.xlsx")
    study.load_questionnaire(form)
    forms.publish(study, form)
    store = "PostgreSQL" if db_url else "SQLite"
    bodies = []
    for _ in range(args.count * 2):
        instance = str(uuid.uuid4())
        bodies.append((instance, submission(study, GOOD, instance)))
    stop_at = time.monotonic() + args.deadline
    port = free_port()
    server = start(folder, port)
    try:
        per_second_floor = floor(port, 1000, args.workers)
        began = time.perf_counter()
        acked, latencies, other = load(port, bodies[:args.count], args.workers, stop_at)
        took = time.perf_counter() - began
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)
    lost, duplicated, unacked = check(study, acked)
    rate = len(acked) / took
    print(f"## {store}: {args.count} submissions, {args.workers} workers")
    print(f"floor GET /formList: {per_second_floor:.0f}/s")
    print(f"submissions: {len(acked)} acknowledged in {took:.1f} s = {rate:.0f}/s "
          f"({rate / per_second_floor:.2f}x the floor); p50 {pct(latencies, .5):.0f} ms, "
          f"p99 {pct(latencies, .99):.0f} ms; other outcomes {other}")
    print(f"lost {lost}, duplicated {duplicated}, stored without a reply {unacked}, "
          f"consistent {consistent(study)}")

    # kill -9 in the middle of the load, then a restart and the rest of the load.
    second = bodies[args.count:]
    port = free_port()
    server = start(folder, port)
    killed = threading.Event()

    def killer(done: int) -> None:
        if done >= len(second) // 3 and not killed.is_set():
            killed.set()
            os.kill(server.pid, signal.SIGKILL)

    acked2, _, other2 = load(port, second, args.workers, stop_at, killer)
    server.wait(10)
    lost_k, dup_k, unacked_k = check(study, acked + acked2)
    print(f"kill -9 after {len(second) // 3} of {len(second)}: {len(acked2)} acknowledged "
          f"before the kill, other outcomes {other2}")
    print(f"after the kill: lost {lost_k}, duplicated {dup_k}, stored without a reply "
          f"{unacked_k}, consistent {consistent(study)}")
    port = free_port()
    server = start(folder, port)
    try:
        unsent = [b for b in second if b[0] not in set(acked2)]
        acked3, _, other3 = load(port, unsent, args.workers, stop_at)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)
    lost_r, dup_r, unacked_r = check(study, acked + acked2 + acked3)
    print(f"restarted, the {len(unsent)} unacknowledged sent again: {len(acked3)} stored now, "
          f"outcomes besides 201: {other3} (409: stored before the kill, reply lost)")
    print(f"final: lost {lost_r}, duplicated {dup_r}, stored without a reply {unacked_r}, "
          f"consistent {consistent(study)}")
    study.close()
    if args.db:
        with admin.begin() as c:
            c.execute(sa.text(f'DROP SCHEMA "{schema_name}" CASCADE'))


if __name__ == "__main__":
    main()
