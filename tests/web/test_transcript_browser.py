"""The transcript editor in Debian's chromium: a click on a line moves the recording's
playback there, a corrected word keeps its coding, split and merge, the keys.

Skipped like tests/web/test_browser.py when chromium or playwright is missing (CI has both).
Set ``SYRMAK_SCREENSHOT_DIR`` to keep screenshots.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import throwaway_keys
from tests.serving import serving
from tests.web.test_browser import ARGS, CHROMIUM, SHOTS, Watch, pw

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif((CHROMIUM is None or pw is None) and not os.environ.get("CI"),
                       reason="Debian's chromium or the playwright package is missing"),
]
if not os.environ.get("CI"):
    pytest.importorskip("faster_whisper")  # decoding the recording needs PyAV

DATA = Path(__file__).parents[1] / "interviews" / "data"
PIECES = ((0.0, 2.5, "Как изменилась ваша работа во время пандемии?"),
          (3.0, 5.0, "Мы перешли в онлайн."),
          (5.2, 8.8, "Было трудно, но мы помогали друг другу."))


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    from syrmak.interviews.transcribe import transcribe
    from syrmak.qual.codebook import add_code
    from syrmak.qual.coding import code_quote
    from syrmak.study import Study
    from syrmak.workspace import people
    from tests.interviews.test_transcribe import Fake

    with throwaway_keys(tmp_path_factory.mktemp("keys")):
        study = Study.create(tmp_path_factory.mktemp("iv") / "study")
        transcribe(study, [DATA / "respondent.m4a"], engine=Fake(PIECES), name="iv-6")
        add_code(study, "Online")
        code_quote(study, "iv-6", "перешли в онлайн", "Online", "anna")
        people.add_researcher(study, "anna", "owner")
        people.add_researcher(study, "vera", "viewer")
        identity = study.unlock()
        yield study, identity
    study.close()


@pytest.fixture(scope="module")
def server(recorded):
    from syrmak.web.app import create_app

    study, identity = recorded
    app = create_app(study, identity=identity)
    with serving(app) as base:
        yield app, base


@pytest.fixture(scope="module")
def browser():
    with pw.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM,
                              args=[*ARGS, "--autoplay-policy=no-user-gesture-required"])
        yield b
        b.close()


def shot(page, name: str) -> None:
    """As tests/web/test_browser.py's, but without Playwright's caret-hiding style, which the
    page's CSP blocks (and logs as an error)."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), caret="initial")


def open_editor(browser, server, name):
    from syrmak.web.app import login_link

    app, base = server
    context = browser.new_context(viewport={"width": 1360, "height": 860}, locale="en-GB")
    page = context.new_page()
    watch = Watch(page, base)
    page.goto(login_link(app, name, base))
    page.goto(base + "/transcripts/iv-6")
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")
    return context, page, watch


def coded_words(study):
    from syrmak.qual.coding import codings_frame
    from syrmak.qual.documents import get_document

    doc = get_document(study, "iv-6")
    return [doc.text[r.start:r.end] for r in codings_frame(study).itertuples()]


def segments(study):
    from syrmak.qual.documents import get_document

    doc = get_document(study, "iv-6")
    return [(s.start_ms, s.end_ms, doc.text[s.start:s.end]) for s in doc.segments]


def test_editor_plays_corrects_splits_and_merges(browser, server, recorded):
    study, _ = recorded
    context, page, watch = open_editor(browser, server, "anna")
    duration = page.evaluate("() => document.getElementById('player').duration")
    assert duration == pytest.approx(9.0, abs=0.2)
    shot(page, "transcript-editor")

    # a click on the third line's time: the recording jumps to 5.2 s and plays
    page.click("#seg-2 .time")
    page.wait_for_function("() => !document.getElementById('player').paused")
    at = page.evaluate("() => document.getElementById('player').currentTime")
    assert 5.2 <= at < 6.5
    page.wait_for_selector("#seg-2.now")  # the line being played is marked
    # Esc pauses (as in oTranscribe); F1 jumps back 3 s
    page.keyboard.press("Escape")
    assert page.evaluate("() => document.getElementById('player').paused")
    before = page.evaluate("() => document.getElementById('player').currentTime")
    page.keyboard.press("F1")
    back = page.evaluate("() => document.getElementById('player').currentTime")
    assert back == pytest.approx(before - 3, abs=0.05)
    page.click("#seg-1 .time")
    page.wait_for_function("() => document.getElementById('player').currentTime >= 3")
    page.keyboard.press("Escape")

    # correct a word inside the coded passage: the coding keeps covering the same words
    words = page.locator("#seg-1 .words")
    words.click()
    page.keyboard.press("End")
    for _ in range(len("онлайн.")):
        page.keyboard.press("Backspace")
    page.keyboard.type("онлайн-режим.")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=done]")
    assert segments(study)[1][2] == "Мы перешли в онлайн-режим."
    assert coded_words(study) == ["перешли в онлайн-режим"]
    shot(page, "transcript-corrected")

    # split the third line at the cursor, before "но"
    words = page.locator("#seg-2 .words")
    words.click()
    page.evaluate("""() => {
        const node = document.querySelector('#seg-2 .words').firstChild;
        const range = document.createRange();
        range.setStart(node, node.data.indexOf('но мы')); range.collapse(true);
        const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
    }""")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#seg-3")
    parts = segments(study)
    assert [p[2] for p in parts[2:]] == ["Было трудно,", "но мы помогали друг другу."]
    assert parts[2][0] == 5200 and parts[3][1] == 8800 and parts[2][1] == parts[3][0]
    assert 5200 < parts[2][1] < 8800
    shot(page, "transcript-split")

    # merge them back
    page.hover("#seg-2")
    page.click("#seg-2 button.merge")
    page.wait_for_selector("#seg-3", state="detached")
    assert [p[2] for p in segments(study)] == [
        "Как изменилась ваша работа во время пандемии?", "Мы перешли в онлайн-режим.",
        "Было трудно, но мы помогали друг другу."]

    # give the first line to the interviewer, and mark them
    page.click("#seg-0 button.spk")
    page.fill("#relabel input[name=new]", "Interviewer")
    page.click("#relabel button[value=one]")
    page.wait_for_selector("#seg-0 button.spk:text('Interviewer')")
    page.click("li[data-speaker=Interviewer] button:text('Mark as interviewer')")
    page.wait_for_selector("[data-testid=interviewer]")
    assert coded_words(study) == ["перешли в онлайн-режим"]
    shot(page, "transcript-speakers")
    assert watch.errors == [] and watch.off_host == []
    context.close()


def test_deleting_coded_words_asks_first_in_the_page(browser, server, recorded):
    from syrmak.qual.coding import code_quote

    study, _ = recorded
    code_quote(study, "iv-6", "помогали", "Online", "anna")
    context, page, watch = open_editor(browser, server, "anna")
    words = page.locator("#seg-2 .words")
    words.click()
    page.evaluate("""() => {
        const el = document.querySelector('#seg-2 .words');
        el.textContent = el.textContent.replace(' помогали', '');
    }""")
    page.keyboard.press("Enter")
    report = page.wait_for_selector("[data-testid=lost-report]")
    assert "coding 'Online' by anna" in report.inner_text()
    assert "помогали" in coded_words(study)  # nothing saved yet
    shot(page, "transcript-lost")
    page.click("[data-testid=confirm-lost]")
    page.wait_for_selector("[data-testid=lost]")
    assert "помогали" not in " ".join(coded_words(study))
    assert segments(study)[-1][2] == "Было трудно, но мы друг другу."
    assert watch.errors == [] and watch.off_host == []
    context.close()


def test_a_viewer_listens_but_cannot_edit(browser, server):
    context, page, watch = open_editor(browser, server, "vera")
    assert page.locator("[contenteditable]").count() == 0
    assert page.locator("button.split").count() == 0
    page.click("#seg-1 .time")
    page.wait_for_function("() => document.getElementById('player').currentTime >= 3")
    shot(page, "transcript-viewer")
    assert watch.errors == [] and watch.off_host == []
    context.close()
