"""The workspace served by uvicorn, as ``syrmak serve`` runs it: concurrent coders."""

from __future__ import annotations

import re
import threading

import httpx
import pytest

from syrmak.qual.coding import codings_frame
from tests.serving import serving


@pytest.fixture
def served(app):
    with serving(app) as base:
        yield app, base


def test_fifty_concurrent_coding_requests_all_land_once(served, desk_study):
    from syrmak.web.app import login_link

    app, base = served
    study, _ = desk_study
    with httpx.Client(base_url=base) as signin:
        page = signin.get(login_link(app, "anna", ""), follow_redirects=True)
        cookies = dict(signin.cookies)
    csrf = re.search(r'X-CSRF-Token": "([^"]+)"', page.text).group(1)
    barrier = threading.Barrier(50)
    statuses: list[int] = []

    def work(i: int) -> None:
        with httpx.Client(base_url=base, cookies=cookies, timeout=60) as c:
            barrier.wait()
            start, end = i % 25, i % 25 + 1 + i // 25  # fifty different spans of plain text
            r = c.post("/documents/notes/code", data={"start": start, "end": end, "code": 3},
                       headers={"X-CSRF-Token": csrf, "HX-Request": "true"})
            statuses.append(r.status_code)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 50
    frame = codings_frame(study)
    assert sorted(zip(frame["start"], frame["end"], strict=True)) == sorted(
        (i % 25, i % 25 + 1 + i // 25) for i in range(50))
    assert set(frame["coder"]) == {"anna"}
