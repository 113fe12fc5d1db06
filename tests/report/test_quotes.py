"""Quotes: locating passages, stored translations, attributions."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.report import (
    build_report,
    import_translations,
    list_translations,
    resolve_report,
    set_translation,
)
from syrmak.report import quotes as Q
from syrmak.store import schema


def _locate(study, **locator):
    with study.engine.connect() as connection:
        return Q.locate(connection, locator)


def test_locators_find_the_same_passage(reported):
    words = "До пандемии нам всё время не хватало денег на аренду офиса."
    by_code = _locate(reported, document="interview-01", code="Funding")
    by_text = _locate(reported, document="interview-01", text=words)
    by_ends = _locate(reported, document="interview-01", starts="До пандемии", ends="офиса.")
    by_offsets = _locate(reported, document="interview-01", start=by_code.start,
                         end=by_code.end)
    with reported.engine.connect() as connection:
        coding_id = connection.execute(sa.select(schema.codings.c.id)).scalars().first()
    by_id = _locate(reported, coding=coding_id)
    spans = {(s.document, s.start, s.end, s.text) for s in (by_code, by_text, by_ends,
                                                           by_offsets, by_id)}
    assert spans == {("interview-01", by_code.start, by_code.end, words)}
    assert by_code.respondent == 1 and by_code.codes == ("Funding",)


def test_ambiguous_locators_ask_for_more(reported):
    from syrmak.qual import coding

    coding.code_quote(reported, "interview-01", "мы справились", "Funding", "anna")
    with pytest.raises(SyrmakError, match="applied 2 times") as info:
        _locate(reported, document="interview-01", code="Funding")
    assert "occurrence" in info.value.hint
    second = _locate(reported, document="interview-01", code="Funding", occurrence=2)
    assert second.text == "мы справились"
    with pytest.raises(SyrmakError, match="occurs 2 times"):
        _locate(reported, document="interview-01", text="онлайн")
    with pytest.raises(SyrmakError, match="also needs 'ends:'"):
        _locate(reported, document="interview-01", starts="До пандемии")
    with pytest.raises(SyrmakError, match="outside document"):
        _locate(reported, document="interview-01", start=5, end=10**6)


def test_set_translation_replaces_and_lists(reported):
    locator = {"document": "interview-01", "code": "Online"}
    set_translation(reported, locator, "en", "It was hard to move online", translator="a")
    set_translation(reported, locator, "en", "It was hard to go online", translator="b")
    set_translation(reported, locator, "kk", "Онлайнға көшу қиын болды", translator="b")
    items = list_translations(reported, "en")
    online = [t for t in items if t.original == "Было сложно переходить в онлайн"]
    assert [(t.text, t.translator) for t in online] == [("It was hard to go online", "b")]
    assert len(list_translations(reported)) == 4
    with pytest.raises(SyrmakError, match="cannot be empty"):
        set_translation(reported, locator, "en", "  ")


def test_translation_goes_with_its_document(reported):
    from syrmak.qual import documents

    documents.remove_document(reported, "interview-01")
    assert [t.document for t in list_translations(reported)] == ["story/1"]


def test_import_translations_is_all_or_nothing_with_lines(reported, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(
        "- document: interview-01\n"
        "  starts: Было сложно\n"
        "  ends: справились.\n"
        "  en: It was hard to go online, but we coped.\n", encoding="utf-8")
    saved = import_translations(reported, good, translator="importer")
    assert [t.original for t in saved] == ["Было сложно переходить в онлайн, но мы справились."]
    report = resolve_report(reported)
    assert report.warnings == ()
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "- document: story/1\n"
        "  text: Нет денег на аренду офиса.\n"
        "  en: CHANGED\n"
        "- document: interview-01\n"
        "  text: nowhere to be found\n"
        "  en: x\n", encoding="utf-8")
    with pytest.raises(SyrmakError) as info:
        import_translations(reported, bad)
    assert info.value.location.file == "bad.yaml" and info.value.location.line == 5
    assert "CHANGED" not in [t.text for t in list_translations(reported)]


ATTRIBUTIONS = [
    ("Respondent {{ respondent }}, {{ source }} quote",
     ["Respondent 1, interview quote", "Respondent 1, survey quote"]),
    ("{{ kind }} / {{ value.kind }} / {{ political | lcfirst }} / {{ document }}",
     ["Representative of an CSO / cso / pursuing political activities / interview-01",
      "Representative of an CSO / cso / pursuing political activities / story/1"]),
    ("{{ region | join(', ') }}; {{ codes | join('+') }}",
     ["Almaty, Capital; Funding", "Almaty, Capital;"]),
]


@pytest.mark.parametrize(("template", "expected"), ATTRIBUTIONS)
def test_attribution_templates(reported, template, expected):
    spec = (f"lang: en\nattribution: \"{template}\"\ncontent:\n"
            "  - quote: {document: interview-01, code: Funding}\n"
            "  - quote: {document: story/1, text: Нет денег на аренду офиса.}\n")
    (reported.folder / "report.yaml").write_text(spec, encoding="utf-8")
    report = resolve_report(reported)
    assert [q.attribution for q in report.quotes] == expected


def test_bad_attribution_template_names_the_line(reported):
    spec = ("lang: en\ncontent:\n  - heading: A\n"
            "  - quote: {document: interview-01, code: Funding, attribution: '{{ nosuch }}'}\n")
    (reported.folder / "report.yaml").write_text(spec, encoding="utf-8")
    with pytest.raises(SyrmakError, match="attribution template fails") as info:
        build_report(reported)
    assert info.value.location.line == 4
    spec = spec.replace("{{ nosuch }}", "{% if %}")
    (reported.folder / "report.yaml").write_text(spec, encoding="utf-8")
    with pytest.raises(SyrmakError, match="not valid") as info:
        build_report(reported)
    assert info.value.code == "bad-attribution"


def test_report_in_the_original_language_needs_no_translation(reported):
    spec = ("lang: ru\ncontent:\n  - quote: {document: interview-01, code: Online}\n")
    (reported.folder / "report.yaml").write_text(spec, encoding="utf-8")
    report = resolve_report(reported)
    (quote,) = report.quotes
    assert quote.translation is None and report.warnings == ()
    assert quote.attribution == "Респондент 1, цитата (интервью)"


def test_unlinked_document_gets_an_anonymous_attribution(reported):
    from syrmak.qual import documents

    documents.add_text(reported, "notes", "Заметки полевого исследователя.")
    spec = "lang: en\ncontent:\n  - quote: {document: notes, text: Заметки}\n"
    (reported.folder / "report.yaml").write_text(spec, encoding="utf-8")
    report = resolve_report(reported)
    assert report.quotes[0].attribution == "Interview quote"
