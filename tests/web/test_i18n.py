"""The interface's catalogs: every string of the templates has its Russian."""

from __future__ import annotations

from pathlib import Path

import pytest

import syrmak.web
from syrmak.web import i18n

WEB = Path(syrmak.web.__file__).parent


def _template_messages() -> set:
    from babel.messages.extract import extract_from_dir

    found = set()
    method_map = [("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    for _, _, message, _, _ in extract_from_dir(str(WEB), method_map, options_map=options):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_template_string_has_a_russian_translation():
    russian = i18n.translations("ru")
    messages = _template_messages()
    assert len(messages) > 100
    untranslated = sorted(m for m in messages if russian.gettext(m) == m)
    assert untranslated == []


@pytest.mark.parametrize(("n", "form"), [(1, "1 кодировка"), (3, "3 кодировки"),
                                         (11, "11 кодировок"), (22, "22 кодировки"),
                                         (25, "25 кодировок")])
def test_russian_plurals(n, form):
    text = i18n.translations("ru").ngettext("%(num)d coding", "%(num)d codings", n)
    assert text % {"num": n} == form


@pytest.mark.parametrize(("header", "locale"), [
    ("ru-RU,ru;q=0.9", "ru"), ("kk-KZ,ru;q=0.8,en;q=0.5", "ru"), ("de-DE,en;q=0.3", "en"),
    ("", "en"), ("ru;q=0.2,en;q=0.9", "en"), ("garbage;;q=x", "en")])
def test_language_from_the_browser(header, locale):
    assert i18n.negotiate(header) == locale
