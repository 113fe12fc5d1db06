"""The workspace as a person uses it: Debian's chromium driven by Playwright over the
example study, served by uvicorn as ``syrmak serve`` serves it.

A laptop without chromium (or without the playwright package) skips these; CI, which
installs both, must run them. Set ``SYRMAK_SCREENSHOT_DIR`` to keep screenshots.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from tests.conftest import throwaway_keys
from tests.serving import serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
try:
    import playwright.sync_api as pw
except ImportError:  # pragma: no cover - the test extra installs it
    pw = None

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif((CHROMIUM is None or pw is None) and not os.environ.get("CI"),
                       reason="Debian's chromium or the playwright package is missing"),
]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = os.environ.get("SYRMAK_SCREENSHOT_DIR")


# -- fixtures: one example study, one server, one browser for the module ---------------

@pytest.fixture(scope="module")
def example(tmp_path_factory):
    from syrmak.examples import build_example
    from syrmak.study import Study
    from syrmak.workspace import people

    folder = tmp_path_factory.mktemp("kz") / "kz-study"
    with throwaway_keys(tmp_path_factory.mktemp("keys")):
        build_example("kz-civic-2021", folder)
    study = Study.open(folder)
    people.add_researcher(study, "anna", "owner")
    people.add_researcher(study, "viktoriya", "coder")
    people.add_researcher(study, "vera", "viewer")
    yield study
    study.close()


@pytest.fixture(scope="module")
def server(example):
    from syrmak.web.app import create_app

    app = create_app(example)
    with serving(app) as base:
        yield app, base


@pytest.fixture(scope="module")
def browser():
    with pw.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Watch:
    """Console errors, page errors and requests that leave the host."""

    def __init__(self, page, base: str) -> None:
        self.errors: list[str] = []
        self.off_host: list[str] = []
        host = urlsplit(base).netloc
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.off_host.append(r.url)
                if urlsplit(r.url).scheme not in ("data", "blob") and
                urlsplit(r.url).netloc != host else None)


def open_as(browser, server, name: str, locale: str = "en-GB"):
    from syrmak.web.app import login_link

    app, base = server
    context = browser.new_context(viewport={"width": 1360, "height": 860}, locale=locale)
    page = context.new_page()
    watch = Watch(page, base)
    page.goto(login_link(app, name, base))
    assert page.url == base + "/"
    return context, page, watch


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def char_box(page, words: str, index: int, scroll: bool = False) -> dict:
    """The on-screen box of the ``index``-th character of ``words`` in the text pane
    (scrolled to the middle of the window first with ``scroll``)."""
    return page.evaluate(
        """([words, index, scroll]) => {
          for (const span of document.querySelectorAll('#text [data-o]')) {
            const node = span.firstChild; if (!node) continue;
            const at = node.data.indexOf(words); if (at < 0) continue;
            if (scroll) span.scrollIntoView({block: 'center'});
            const r = document.createRange();
            r.setStart(node, at + index); r.setEnd(node, at + index + 1);
            const b = r.getBoundingClientRect();
            return {x: b.x, y: b.y, w: b.width, h: b.height};
          }
          return null;
        }""", [words, index, scroll])


def drag_select(page, words: str) -> str:
    """Drag the mouse from the first to the last character of ``words``; returns what the
    browser says is selected."""
    char_box(page, words, 0, scroll=True)
    first, last = char_box(page, words, 0), char_box(page, words, len(words) - 1)
    assert first and last, words
    page.mouse.move(first["x"] + 1, first["y"] + first["h"] / 2)
    page.mouse.down()
    page.mouse.move(last["x"] + last["w"] / 2, last["y"] + last["h"] / 2, steps=12)
    page.mouse.move(last["x"] + last["w"] - 0.5, last["y"] + last["h"] / 2, steps=2)
    selected = page.evaluate("() => window.getSelection().toString()")
    page.mouse.up()
    return selected


def newest_coding(study, coder: str):
    from syrmak.qual.coding import get_coding
    from syrmak.store import schema

    k = schema.codings
    with study.engine.connect() as connection:
        coding_id = connection.execute(sa.select(sa.func.max(k.c.id))
                                       .where(k.c.coder == coder)).scalar()
    return get_coding(study, coding_id)


# -- the tests ----------------------------------------------------------------------------

PASSAGE = "Мы делали групповые психологические сессии, приглашали психологов разного рода"


def test_drag_select_in_interview_26_and_code_it(example, server, browser):
    from click.testing import CliRunner

    from syrmak.cli import main

    context, page, watch = open_as(browser, server, "anna")
    page.goto(server[1] + "/documents/interview-26")
    selected = drag_select(page, PASSAGE)
    assert selected.startswith("Мы делали") and "психологов" in selected
    page.wait_for_selector("#picker:not([hidden])")
    shot(page, "picker")
    page.keyboard.type("Burnout")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=done]")
    coding = newest_coding(example, "anna")
    assert coding.text == selected and coding.code == "Difficulties/Burnout"
    document = example.engine.connect().execute(sa.text(
        "SELECT text FROM documents WHERE name = 'interview-26'")).scalar()
    assert document[coding.start:coding.end] == selected
    # The new highlight is on the page, and the coding is what the CLI retrieves.
    assert page.locator(f"#text .hl[data-c~='{coding.id}']").count() >= 1
    shot(page, "coded")
    out = CliRunner().invoke(main, ["segments", str(example.folder), "Burnout", "--format",
                                    "csv"])
    assert out.exit_code == 0 and selected in out.output
    assert watch.errors == [] and watch.off_host == []
    context.close()


def test_keyboard_only_coding(example, server, browser):
    context, page, watch = open_as(browser, server, "anna")
    page.goto(server[1] + "/documents/interview-26")
    page.focus("#text")
    page.keyboard.press("j")  # to the first coding: the caret sits at its start
    for _ in range(3):
        page.keyboard.press("Control+Shift+ArrowRight")  # three words
    selected = page.evaluate("() => window.getSelection().toString()")
    assert len(selected.split()) >= 2
    page.keyboard.press("Enter")
    page.wait_for_selector("#picker:not([hidden])")
    page.keyboard.type("Fear of")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=done]")
    coding = newest_coding(example, "anna")
    assert coding.text == selected and coding.code == "Pandemic/Fear of infection"
    assert watch.errors == []
    context.close()


def test_emoji_accents_kazakh_and_windows_lines(example, server, browser):
    """A document kept exactly as imported (REFI-QDA keeps CRLF): what is selected is
    what is stored, whatever the browser counts."""
    from syrmak.qual import documents

    raw = ("Интервьюер: 😀 Расскажите о себе.\r\n"
           "Респондент: Мы из Шымкента 👩‍👩‍👧, қ ғ ә ү — бұл біздің жұмыс.\r\n"
           "Ударе\u0301ние и ещё 🙂 строка.\r\nКонец.")
    with example.engine.begin() as connection:
        documents._insert(example, connection, name="odd-text", kind="qdpx",
                          parsed=documents.ParsedText(raw), respondent=None, question=None,
                          source_name=None, source_bytes=None, actor="test")
    context, page, watch = open_as(browser, server, "anna")
    page.goto(server[1] + "/documents/odd-text")
    words_start, words_end = "Шымкента", "Ударе\u0301ние и ещё 🙂"
    first = char_box(page, words_start, 0, scroll=True)
    last = char_box(page, words_end, len(words_end) - 1)
    page.mouse.move(first["x"] + 1, first["y"] + first["h"] / 2)
    page.mouse.down()
    page.mouse.move(last["x"] + last["w"] - 0.5, last["y"] + last["h"] / 2, steps=15)
    selected = page.evaluate("() => window.getSelection().toString()")
    page.mouse.up()
    page.wait_for_selector("#picker:not([hidden])")
    page.keyboard.type("Odd text")
    page.keyboard.press("Control+Enter")  # a new code named as typed
    page.wait_for_selector("[data-testid=done]")
    coding = newest_coding(example, "anna")
    assert coding.code == "Odd text"
    assert coding.text.startswith("Шымкента 👩‍👩‍👧, қ ғ ә ү") and coding.text.endswith("🙂")
    assert "\r\n" in coding.text  # the stored text keeps Windows line ends
    # The browser shows each CRLF as one line break; otherwise the texts are equal.
    assert coding.text.replace("\r\n", "\n") == selected.replace("\r\n", "\n")
    assert raw[coding.start:coding.end] == coding.text
    assert watch.errors == []
    context.close()


def test_create_move_and_merge_codes(example, server, browser):
    from syrmak.qual.codebook import codebook

    context, page, watch = open_as(browser, server, "anna")
    page.goto(server[1] + "/codes")
    form = page.locator("[data-testid=add-code]")
    form.locator("input[name=name]").fill("Exhaustion")
    form.locator("select[name=parent]").select_option(label="Difficulties")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "Difficulties/Exhaustion" in codebook(example).paths()
    # Move it by dragging its row onto another code.
    with page.expect_navigation():
        page.locator("tr[data-code-path='Difficulties/Exhaustion']").drag_to(
            page.locator("tr[data-code-path='Pandemic']"))
    assert "Pandemic/Exhaustion" in codebook(example).paths()
    row = page.locator("tr[data-code-path='Pandemic/Exhaustion']")
    row.locator("summary").click()
    row.locator("[data-testid=merge] select").select_option(label="Difficulties/Burnout")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        row.locator("[data-testid=merge] button").click()
    assert "Pandemic/Exhaustion" not in codebook(example).paths()
    shot(page, "codes")
    assert watch.errors == []
    context.close()


def test_blind_coder_and_agreement_review(example, server, browser):
    from syrmak.qual.agreement import document_agreement
    from syrmak.web.render import number

    context, page, watch = open_as(browser, server, "viktoriya")
    page.goto(server[1] + "/documents/interview-26")
    assert "anna" in page.locator(".codings").inner_text()
    with page.expect_navigation():
        page.locator("[data-testid=blind]").click()
    listed = page.locator(".codings .coder").all_inner_texts()
    assert listed and set(listed) == {"viktoriya"}  # anna's codings are hidden
    coders = page.evaluate("""() => [...document.querySelectorAll('#text .hl')]
                                    .flatMap(s => s.dataset.c.split(' '))""")
    with example.engine.connect() as connection:
        theirs = {str(i) for i in connection.execute(sa.text(
            "SELECT id FROM codings WHERE coder <> 'viktoriya'")).scalars()}
    assert coders and not set(coders) & theirs
    selected = drag_select(page, "Было сложно переходить с офлайн-режима в онлайн-режим.")
    page.wait_for_selector("#picker:not([hidden])")
    page.keyboard.type("Hardships")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=done]")
    assert newest_coding(example, "viktoriya").text == selected
    shot(page, "blind")
    context.close()

    context, page, watch = open_as(browser, server, "anna")
    page.goto(server[1] + "/review?document=interview-26&a=anna&b=viktoriya")
    expected = document_agreement(example, coders=["anna", "viktoriya"]).table
    table = page.locator("[data-testid=document-agreement]")
    overall = table.locator("tr.total td").all_inner_texts()
    row = expected.loc["(all codes)"]
    assert overall == [str(int(row.units)), number(row.agreement), number(row.cohen_kappa),
                       number(row.brennan_prediger), number(row.krippendorff_alpha)]
    shot(page, "review")
    boxes = page.locator("tr.disagree input[name=coding]")
    assert boxes.count() >= 1
    boxes.first.check()
    page.locator("[data-testid=adjudicate] button[type=submit]").click()
    page.wait_for_selector("#flash .message.ok")
    with example.engine.connect() as connection:
        consensus = connection.execute(sa.text(
            "SELECT count(*) FROM codings WHERE coder = 'consensus'")).scalar()
    assert consensus == 1
    assert watch.errors == []
    context.close()


def test_refusals_viewer_and_missing_csrf(example, server, browser):
    context, page, watch = open_as(browser, server, "vera")
    page.goto(server[1] + "/documents/interview-26")
    assert page.locator("#picker").count() == 0
    token = page.evaluate("() => JSON.parse(document.body.getAttribute('hx-headers'))"
                          "['X-CSRF-Token']")
    with example.engine.connect() as connection:
        before = connection.execute(sa.text("SELECT count(*) FROM codings")).scalar()
    refused = page.request.post(server[1] + "/documents/interview-26/code",
                                form={"start": "0", "end": "10", "code": "4"},
                                headers={"X-CSRF-Token": token})
    assert refused.status == 403 and "may not" in refused.text()
    context.close()
    context, page, watch = open_as(browser, server, "anna")
    no_token = page.request.post(server[1] + "/documents/interview-26/code",
                                 form={"start": "0", "end": "10", "code": "4"})
    assert no_token.status == 403
    with example.engine.connect() as connection:
        after = connection.execute(sa.text("SELECT count(*) FROM codings")).scalar()
    assert after == before
    context.close()


PAGES = ["/", "/documents/interview-26", "/documents/challenges_text/26", "/codes",
         "/segments?q=Burnout&where=political%20%3D%20Pursuing%20political%20activities&lang=en",
         "/search?q=выгор*", "/matrix?variable=political&lang=en",
         "/matrix?variable=political&kind=quotes&lang=en",
         "/review?document=interview-06&a=anna&b=viktoriya", "/translations", "/report",
         "/users", "/transcripts", "/transcripts/interview-26"]


@pytest.mark.parametrize("locale", ["en-GB", "ru-RU"])
def test_every_page_clean_in_both_languages(example, server, browser, locale):
    context, page, watch = open_as(browser, server, "anna", locale=locale)
    for path in PAGES:
        response = page.goto(server[1] + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        name = path.strip("/").split("?")[0].replace("/", "-") or "overview"
        if "kind=quotes" in path:
            name = "quote-matrix"
        shot(page, f"{name}.{locale[:2]}")
    if locale.startswith("ru"):
        page.goto(server[1] + "/")
        assert "Документы" in page.content() and "Обзор" in page.content()
    assert watch.errors == [] and watch.off_host == []
    context.close()


def test_build_the_report_from_the_page(example, server, browser):
    context, page, watch = open_as(browser, server, "anna")
    page.goto(server[1] + "/report")
    page.locator("[data-testid=build]").click()
    page.wait_for_selector("[data-testid=built]", timeout=240_000)
    shot(page, "report")
    with page.expect_download() as info:
        page.locator("#report-files a[href$=html]").click()
    download = info.value
    assert download.suggested_filename == "report.html"
    assert b"Respondent 26" in Path(download.path()).read_bytes()
    assert watch.errors == [] and watch.off_host == []
    context.close()
