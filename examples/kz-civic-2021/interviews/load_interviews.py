"""Load the interviews, open answers, codebook and codings into a study.

    python examples/kz-civic-2021/interviews/load_interviews.py STUDY_DIR

Every quote of quotes.yaml is coded, whole, by coder "anna" with its codes. A second coder,
"viktoriya", codes the interviews of respondents 6 and 26 again, mostly alike, so that
'syrmak agreement' has something to compare; her differences are listed in SECOND_CODER
and are illustrative, not from the report. The study must hold the survey (questionnaire
and responses): the open answers are stored from it, one document per answer
(QUESTION/NUMBER, as 'syrmak docs open-answers' does), and the quoted excerpts coded there.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import sqlalchemy as sa
import yaml

HERE = Path(__file__).parent
FIRST, SECOND = "anna", "viktoriya"
#: (respondent, first words of the quote) -> how the second coder differs:
#: "drop" codes she left out, "add" codes she added, "first_sentence" codes a shorter span.
SECOND_CODER = {
    (6, "Перед этим было"): {"drop": ["Unpaid work"]},
    (26, "У нас достаточно"): {"add": ["Burnout"]},
    (26, "Для того, чтобы"): {"first_sentence": True},
    (26, "Во время пандемии, во"): {"drop": ["Fear of infection"]},
}


def _documents(study, quotes: list[dict], open_answers: list[str]) -> dict[tuple[int, str], str]:
    """The document of each quote: the interview, or the respondent's open answer (named
    QUESTION/NUMBER) that holds the quoted words."""
    from syrmak.qual import documents

    names = {}
    for q in quotes:
        if q["source"] == "interview":
            names[(q["respondent"], q["text"])] = f"interview-{q['respondent']:02d}"
    texts = {name: documents.get_document(study, name).text for name in open_answers}
    with (HERE / "open-answers.csv").open(encoding="utf-8") as file:
        for row in csv.DictReader(file):
            number = int(row["respondent"])
            (name,) = [n for n, text in texts.items()
                       if n.endswith(f"/{number}") and row["text"] in text]
            names[(number, row["text"])] = name
    return names


def load(study, *, second_coder: bool = True) -> dict:
    """Add the five interviews and the quoted open answers, the codebook and the codings."""
    from syrmak.qual import codebook, documents
    from syrmak.qual.coding import insert_codings
    from syrmak.store import schema

    quotes = yaml.safe_load((HERE / "quotes.yaml").read_text(encoding="utf-8"))["quotes"]
    with study.engine.connect() as connection:
        known = set(connection.execute(sa.select(schema.respondents.c.number)).scalars())
    for path in sorted(HERE.glob("respondent-*.txt")):
        number = int(path.stem.split("-")[1])
        documents.add_document(study, path, name=f"interview-{number:02d}", kind="transcript",
                               respondent=number if number in known else None,
                               variables={"source": "interview", "respondent_no": number})
    # The open answers are the survey's own, stored the one way 'syrmak docs open-answers'
    # does (one document per answer, QUESTION/NUMBER): storing the quoted excerpts as well
    # made every search and coding count them twice. Running that command again adds none.
    opened = documents.import_open_answers(study).added
    for name in opened:
        documents.set_variable(study, name, "source", "survey")
        documents.set_variable(study, name, "respondent_no", int(name.rsplit("/", 1)[1]))
    # Quoted web pages (the SOSTaldykol initiative's site): no respondent behind them.
    for path in sorted(HERE.glob("website-*.txt")):
        documents.add_document(study, path, name=path.stem, kind="text",
                               variables={"source": "website"})
    codebook.import_yaml(study, HERE / "codebook.yaml")
    names = _documents(study, quotes, [d["name"] for d in documents.list_documents(study).rows
                                       if d["kind"] == "open-answer"])
    items = []
    texts: dict[str, str] = {}
    for q in quotes:
        doc = names[(q["respondent"], q["text"])]
        if doc not in texts:
            texts[doc] = documents.get_document(study, doc).text
        start = texts[doc].index(q["text"])
        end = start + len(q["text"])
        for code in q["codes"]:
            items.append({"document": doc, "code": code, "start": start, "end": end,
                          "coder": FIRST})
        if not second_coder or q["source"] != "interview" or q["respondent"] not in (6, 26):
            continue
        change = next((v for (n, words), v in SECOND_CODER.items()
                       if n == q["respondent"] and q["text"].startswith(words)), {})
        second_end = start + q["text"].index(".") + 1 if change.get("first_sentence") else end
        for code in [c for c in q["codes"] if c not in change.get("drop", [])] + change.get(
                "add", []):
            items.append({"document": doc, "code": code, "start": start, "end": second_end,
                          "coder": SECOND})
    with study.engine.begin() as connection:
        added = insert_codings(study, connection, items, FIRST)
    return {"documents": len(texts), "codings": len(added)}


if __name__ == "__main__":
    from syrmak.study import Study

    result = load(Study.open(sys.argv[1]))
    print(f"Loaded {result['documents']} documents and {result['codings']} codings.")
