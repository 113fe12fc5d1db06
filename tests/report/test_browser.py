"""The HTML report as a person sees it: headless Chromium, a screenshot, and the DevTools
protocol for "no network request, no console error, every figure has a size".

Needs Debian's ``chromium`` (``.ci/run`` installs it). Set ``SYRMAK_SCREENSHOT_DIR`` to keep
the screenshot for a look.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from syrmak.report import build_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--mute-audio"]

# A laptop without chromium skips these; CI (which installs it) must run them.
pytestmark = pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"),
                                reason="Debian's chromium is not installed")


def _profile(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    return folder


class DevTools:
    """A minimal Chrome DevTools Protocol client over one websocket."""

    def __init__(self, url: str) -> None:
        import websocket

        self.ws = websocket.create_connection(url, timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, session: str | None = None, **params) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        seen = 0
        while time.monotonic() < deadline:
            for event in self.events[seen:]:
                if event.get("method") == method:
                    return event
            seen = len(self.events)
            self.events.append(json.loads(self.ws.recv()))
        raise TimeoutError(method)

    def close(self) -> None:
        self.ws.close()


def _start(tmp_path: Path) -> tuple[subprocess.Popen, str]:
    profile = _profile(tmp_path, "devtools-profile")
    process = subprocess.Popen(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0",
         "--remote-allow-origins=*", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + 30
    while not port_file.exists() or not port_file.read_text().strip():
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise RuntimeError("chromium did not open its DevTools port")
        time.sleep(0.05)
    port = port_file.read_text().split()[0]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version", timeout=10) as reply:
        return process, json.load(reply)["webSocketDebuggerUrl"]


@pytest.fixture(scope="module")
def report_html(shared_reported, tmp_path_factory):
    out = tmp_path_factory.mktemp("browser") / "report"
    result = build_report(shared_reported, out=out, formats=("html",))
    return result.files[0]


def test_report_loads_offline_with_no_request_no_error_and_sized_figures(report_html, tmp_path):
    process, url = _start(tmp_path)
    tools = None
    try:
        tools = DevTools(url)
        target = tools.send("Target.createTarget", url="about:blank")["targetId"]
        session = tools.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Network", "Runtime", "Log"):
            tools.send(f"{domain}.enable", session)
        tools.send("Page.navigate", session, url=report_html.as_uri())
        tools.wait_for("Page.loadEventFired")
        sizes = tools.send("Runtime.evaluate", session, returnByValue=True, expression="""
            Array.from(document.querySelectorAll('figure.chart svg')).map(e => {
                const r = e.getBoundingClientRect(); return [e.closest('figure').id,
                r.width, r.height]; })""")["result"]["value"]
        tables = tools.send("Runtime.evaluate", session, returnByValue=True, expression=(
            "document.querySelectorAll('figure.table table tbody tr').length"))["result"]["value"]
        tools.send("Runtime.evaluate", session, expression="1")  # flush pending events
        events = list(tools.events)
    finally:
        if tools:
            tools.close()
        process.kill()
        process.wait(timeout=30)
    requests = [e["params"]["request"]["url"] for e in events
                if e.get("method") == "Network.requestWillBeSent"]
    assert requests, "DevTools saw no request at all (not even the page): the check is blind"
    foreign = [u for u in requests if u != report_html.as_uri() and not u.startswith("data:")]
    assert foreign == []
    errors = [e for e in events if e.get("method") == "Runtime.exceptionThrown"
              or (e.get("method") == "Runtime.consoleAPICalled"
                  and e["params"]["type"] in ("error", "assert"))
              or (e.get("method") == "Log.entryAdded"
                  and e["params"]["entry"]["level"] == "error")]
    assert errors == []
    assert [s[0] for s in sizes] == ["regions", "figure-2", "figure-3", "figure-4"]
    assert all(w > 300 and h > 100 for _, w, h in sizes), sizes
    assert tables == 3 + 2  # the crosstab's 2 rows and Total, the 2 Likert items


def test_screenshot_shows_a_page(report_html, tmp_path):
    shot = tmp_path / "report.png"
    subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={_profile(tmp_path, 'shot-profile')}",
                    "--window-size=1100,2600", f"--screenshot={shot}", report_html.as_uri()],
                   check=True, timeout=120, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    image = Image.open(shot).convert("L")
    assert image.size == (1100, 2600)
    dark = sum(image.histogram()[:128])
    assert dark > 0.01 * image.size[0] * image.size[1]  # text and bars, not a blank page
    keep = os.environ.get("SYRMAK_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / "report-test.png")
