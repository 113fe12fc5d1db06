"""The survey as a respondent meets it: Debian's chromium (Playwright) over a published
Russian form, served by uvicorn as ``syrmak serve --survey-only`` serves it.

A laptop without chromium (or playwright) skips this; CI, which installs both, runs it.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from syrmak.collect import coupons, forms
from syrmak.store import schema
from tests.forms import SURVEY, write_xlsform
from tests.serving import serving
from tests.web.test_browser import ARGS, CHROMIUM, Watch, pw

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif((CHROMIUM is None or pw is None) and not __import__("os").environ.get("CI"),
                       reason="Debian's chromium or the playwright package is missing"),
]

#: The small form, with a constraint on the team size (no message of its own: the engine's
#: generic one must then be shown in Russian).
CONSTRAINED = [row if row[1:2] != ["staff"] else
               ["integer", "staff", "Сколько человек в команде?", "How many people in the team?",
                "", "", "", ". < 1000"] for row in SURVEY]
CONSTRAINED[0] = [*SURVEY[0], "constraint"]


#: A Kazakh-language form (Russian second, as surveys in Kazakhstan often are), with the
#: same constraint and no message of its own: the engine's must then be shown in Kazakh.
KAZAKH_SURVEY = [
    ["type", "name", "label::Kazakh (kk)", "label::Russian (ru)", "required", "constraint",
     "personal_data"],
    ["select_one kind", "kind", "Кімнің атынан қатысасыз?", "Кого вы представляете?", "yes"],
    ["select_multiple sphere", "sphere", "Жұмыс салалары", "Сферы работы"],
    ["integer", "staff", "Командада неше адам бар?", "Сколько человек в команде?", "",
     ". < 1000"],
    ["text", "contact", "Әріптестердің байланыс деректері", "Контакты коллег", "", "", "yes"],
]
KAZAKH_CHOICES = [
    ["list_name", "name", "label::Kazakh (kk)", "label::Russian (ru)"],
    ["kind", "cso", "Тіркелген ҮЕҰ", "Зарегистрированная организация"],
    ["kind", "independent", "Тәуелсіз белсенді", "Независимый активист"],
    ["sphere", "rights", "Адам құқықтары", "Права человека"],
    ["sphere", "eco", "Экология", "Экология"],
]
KAZAKH_SETTINGS = [["form_title", "form_id", "version", "default_language"],
                   ["Азаматтық белсенділік", "kk_form", "1", "Kazakh (kk)"]]


def _serve(study):
    """Run the survey app as 'syrmak serve --survey-only' does; yields its base URL."""
    from syrmak.web.app import create_survey_app

    with serving(create_survey_app(study), access_log=False) as base:
        yield base


@pytest.fixture
def server(new_study, tmp_path):
    study = new_study()
    path = write_xlsform(tmp_path / "form.xlsx", survey=[
        [*row[:7], *([""] * (7 - len(row[:7]))), row[7] if len(row) > 7 else ""]
        for row in CONSTRAINED])
    study.load_questionnaire(path)
    forms.publish(study, path)
    for base in _serve(study):
        yield study, base


@pytest.fixture
def kazakh_server(new_study, tmp_path):
    study = new_study()
    path = write_xlsform(tmp_path / "kk.xlsx", KAZAKH_SURVEY, KAZAKH_CHOICES, KAZAKH_SETTINGS)
    study.load_questionnaire(path)
    forms.publish(study, path)
    for base in _serve(study):
        yield study, base


@pytest.fixture
def browser():
    with pw.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


ENGLISH = ("Send", "Condition not satisfied", "question with error", "questions with errors")


def fill(page, base, link):
    page.goto(base + link)
    assert "Прежде чем начать" in page.content()
    page.click("#agree")
    page.wait_for_url(re.compile(r".*/survey/form.*"))
    page.get_by_text("Независимый активист").click(timeout=30000)
    page.get_by_text("Экология").click()
    # PrimeVue's number input takes keystrokes, not a pasted value.
    staff = page.locator("input[inputmode=numeric]").first
    staff.press_sequentially("5000")
    staff.blur()
    page.get_by_role("button", name="Отправить").click()
    # The constraint message, in Russian; no English interface string anywhere.
    page.get_by_text("Ответ не подходит").first.wait_for(timeout=10000)
    text = page.inner_text("body")
    for english in ENGLISH:
        assert english not in text
    staff.fill("")
    staff.press_sequentially("12")
    staff.blur()
    page.get_by_role("button", name="Отправить").click()
    page.wait_for_url(re.compile(r".*/survey/thanks"), timeout=15000)
    return [page.input_value(f".coupons li:nth-child({i}) input") for i in (1, 2, 3)]


def test_a_respondent_consents_fills_the_russian_form_and_passes_it_on(server, browser):
    study, base = server
    (seed,) = coupons.issue_seeds(study, 1)
    context = browser.new_context(locale="ru-RU")
    page = context.new_page()
    watch = Watch(page, base)
    links = fill(page, base, f"/survey?c={seed}")
    assert all(link.startswith(base + "/survey?c=") for link in links)
    assert page.inner_text(".coupons li:first-child button") == "Копировать"
    page.click(".coupons li:first-child button")
    page.locator(".coupons li:first-child button", has_text="Скопировано").wait_for(
        timeout=5000)  # the clipboard call is asynchronous
    context.close()
    # A recruit opens one of the links in another browser.
    recruit = browser.new_context(locale="ru-RU")
    rpage = recruit.new_page()
    rwatch = Watch(rpage, base)
    fill(rpage, base, links[0].removeprefix(base))
    recruit.close()
    frame = study.responses()
    assert list(frame["staff"]) == [12, 12]
    with study.engine.connect() as connection:
        waves = connection.execute(sa.select(schema.recruitment.c.wave)
                                   .order_by(schema.recruitment.c.respondent_id)).scalars().all()
    assert waves == [0, 1]
    assert watch.off_host == [] and rwatch.off_host == []
    assert [e for e in watch.errors + rwatch.errors if "Content Security Policy" in e] == []


def test_with_javascript_off_the_form_page_says_what_is_needed(server, browser):
    study, base = server
    context = browser.new_context(locale="ru-RU", java_script_enabled=False)
    page = context.new_page()
    page.goto(base + "/survey")
    page.click("#agree")  # the consent page is plain HTML: works without JavaScript
    assert "/survey/form" in page.url
    assert "Для этой формы нужен JavaScript" in page.inner_text("body")
    context.close()


#: The Russian interface strings: none may show on a Kazakh page either.
RUSSIAN = ("Отправить", "Ответ не подходит", "Прежде чем начать", "Спасибо", "Копировать",
           "Я согласен")


def test_a_respondent_fills_the_kazakh_form_in_kazakh_only(kazakh_server, browser, tmp_path):
    study, base = kazakh_server
    (seed,) = coupons.issue_seeds(study, 1)
    context = browser.new_context(locale="kk-KZ")
    page = context.new_page()
    watch = Watch(page, base)
    page.goto(f"{base}/survey?c={seed}")
    consent = page.inner_text("body")
    assert "Бастамас бұрын" in consent and "анонимді зерттеу" in consent
    assert page.inner_text("#agree") == "Қатысуға келісемін"
    page.screenshot(path=str(tmp_path / "kk-consent.png"))
    page.click("#agree")
    page.wait_for_url(re.compile(r".*/survey/form.*"))
    page.get_by_text("Тәуелсіз белсенді").click(timeout=30000)
    page.get_by_text("Экология").click()
    staff = page.locator("input[inputmode=numeric]").first
    staff.press_sequentially("5000")
    staff.blur()
    page.get_by_role("button", name="Жіберу").click()
    # The engine's constraint message, in Kazakh; no English or Russian interface string.
    page.get_by_text("Жауап сәйкес емес").first.wait_for(timeout=10000)
    page.screenshot(path=str(tmp_path / "kk-constraint.png"), full_page=True)
    text = page.inner_text("body")
    assert "Кімнің атынан қатысасыз?" in text
    # The language changer names the form's language in Kazakh, not as the header did.
    assert "Қазақша" in text and "Kazakh" not in text
    for foreign in ENGLISH + RUSSIAN:
        assert foreign not in text
    staff.fill("")
    staff.press_sequentially("12")
    staff.blur()
    page.get_by_role("button", name="Жіберу").click()
    page.wait_for_url(re.compile(r".*/survey/thanks"), timeout=15000)
    page.screenshot(path=str(tmp_path / "kk-thanks.png"))
    thanks = page.inner_text("body")
    assert "Рахмет!" in thanks and "Жауаптарыңыз сақталды." in thanks
    assert "әрі қарай жіберіңіз" in thanks
    assert page.inner_text(".coupons li:first-child button") == "Көшіру"
    for foreign in ("Thank you", "Copy", "Your answers", *RUSSIAN):
        assert foreign not in consent + text + thanks
    page.click(".coupons li:first-child button")
    page.locator(".coupons li:first-child button", has_text="Көшірілді").wait_for(timeout=5000)
    assert page.evaluate("document.documentElement.lang") == "kk"
    context.close()
    assert list(study.responses()["staff"]) == [12]
    assert watch.off_host == []
    assert [e for e in watch.errors if "Content Security Policy" in e] == []
