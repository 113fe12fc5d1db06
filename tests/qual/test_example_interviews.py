"""The example study's interviews and open answers load, code and analyse."""

import importlib.util
from pathlib import Path

import pytest
import yaml

from syrmak.qual import agreement, documents, refi_qda, retrieval, search

FOLDER = Path(__file__).resolve().parents[2] / "examples" / "kz-civic-2021" / "interviews"



@pytest.fixture
def loaded(new_study):
    spec = importlib.util.spec_from_file_location("load_interviews", FOLDER / "load_interviews.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    study = new_study()
    # The open answers are the survey's: the loader stores them from the responses.
    study.load_questionnaire(FOLDER.parent / "questionnaire.xlsx")
    study.import_responses(FOLDER.parent / "responses.csv", format="google-forms")
    result = module.load(study)
    return study, result


def test_every_quote_is_in_a_transcript_and_coded(loaded):
    study, result = loaded
    quotes = yaml.safe_load((FOLDER / "quotes.yaml").read_text(encoding="utf-8"))["quotes"]
    rows = documents.list_documents(study).rows
    names = [d["name"] for d in rows]
    assert [n for n in names if n.startswith("interview")] == [
        "interview-06", "interview-13", "interview-15", "interview-25", "interview-26"]
    answers = [d for d in rows if d["kind"] == "open-answer"]
    assert len(names) == 5 + 1 + len(answers)  # interviews, the website, open answers
    # Every quoted open answer lies in its respondent's answer document, coded there.
    for q in (q for q in quotes if q["source"] == "survey"):
        (doc,) = [d for d in answers if d["respondent"] == q["respondent"]
                  and q["text"] in documents.get_document(study, d["name"]).text]
        assert doc["codings"] > 0
    doc = documents.get_document(study, "interview-26")
    assert {s.speaker for s in doc.segments} == {"Интервьюер", "Респондент 26"}
    burnout = retrieval.retrieve(study, "Burnout", coders=["anna"])
    expected = [q["text"] for q in quotes if "Burnout" in q["codes"]]
    assert sorted(r["text"] for r in burnout.rows) == sorted(expected)
    assert {r["document"] for r in burnout.rows} == {"interview-06", "interview-25"}


def test_analyses_run_on_the_example(loaded, tmp_path):
    study, _ = loaded
    # 25 speaks of "выгорание" (a noun, another lemma); the wildcard finds both (and the
    # interviewer's question 6, which names it, in every transcript that asks it).
    assert {h["document"] for h in search.search(study, "выгорать")} == {"interview-06"}
    assert {h["document"] for h in search.search(study, "выгор*")} == {
        "interview-06", "interview-15", "interview-25", "interview-26"}
    # viktoriya second-coded the interviews with respondents 6 and 26: those are the units
    # (by default every document of the study would be, as if both had coded all).
    given = ["interview-06", "interview-26"]
    result = agreement.document_agreement(study, coders=["anna", "viktoriya"], documents=given)
    assert result.documents == tuple(given)
    assert agreement.document_agreement(study, coders=["anna", "viktoriya"]).documents == tuple(
        d["name"] for d in documents.list_documents(study).rows)
    # Document level: only the added Burnout differs (Unpaid work is in interview 6 twice).
    assert list(zip(result.disagreements.code, result.disagreements.document, strict=True)) == [
        ("Difficulties/Burnout", "interview-26")]
    seg = agreement.segment_agreement(study, coders=["anna", "viktoriya"], threshold=0.9)
    missed = seg.disagreements
    assert sorted(set(zip(missed.code, missed.coder, strict=True))) == [
        ("Difficulties/Burnout", "viktoriya"), ("Difficulties/Funding", "anna"),
        ("Difficulties/Funding", "viktoriya"), ("Difficulties/Unpaid work", "anna"),
        ("Pandemic/Fear of infection", "anna")]
    out = refi_qda.export_qdpx(study, tmp_path / "kz.qdpx")
    assert out.sources == len(documents.list_documents(study).rows)


def test_open_answers_are_stored_once(loaded):
    """Issue 10: the example stored its quoted open answers as survey/2-1 documents and
    'syrmak docs open-answers' stored them again, so searches and codings counted twice."""
    study, _ = loaded
    again = documents.import_open_answers(study)
    assert again.added == () and again.skipped > 0
    rows = documents.list_documents(study).rows
    answers = [d for d in rows if d["kind"] == "open-answer"]
    assert all(d["question"] and d["name"] == f"{d['question']}/{d['respondent']}"
               for d in answers)
    texts = [documents.get_document(study, d["name"]).text for d in rows]
    assert not [(a, b) for i, a in enumerate(texts) for b in texts[i + 1:] if a in b or b in a]
    # One search hit per place, not two.
    hits = search.search(study, "фабрики троллей")
    assert [h["document"] for h in hits] == ["gov_relations_text/2"]
