"""The search index's fast paths give the same hits as the plain definitions."""

import random
import re

import pytest
import sqlalchemy as sa

from syrmak.qual import documents as qd
from syrmak.qual import search as qs
from syrmak.store import schema

WORDS = ["выгорание", "выгорали", "выгорают", "выгос", "выгоряя", "выгоря", "выгор", "a_b", "a%b",
         "axb", "мы", "мы", "мы", "поддержка", "коллег", "поддержку", "коллеги", "работа",
         "работы", "и", "и", "и", "в", "в",
         # Forms whose lemma a wildcard on the form does not match (люди -> человек).
         "люди", "шел"]


def text_of(n: int, length: int = 1400) -> str:
    """A deterministic text of about ``length`` characters, longer than a chunk."""
    rng = random.Random(n)
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < length:
        words.append(rng.choice(WORDS) + ("." if rng.random() < 0.1 else ""))
    return " ".join(words)


@pytest.fixture
def corpus(new_study):
    s = new_study()
    for n in range(6):
        qd.add_text(s, f"doc{n}", text_of(n))
    return s


def brute(study, words: list[str]) -> list[tuple[str, int, int]]:
    """Every run of tokens matching ``words``, by scanning the tokens in Python."""
    out = []
    for doc in qd.list_documents(study).rows:
        text = qd.get_document(study, doc["id"]).text
        toks = qs.tokens(text)
        for i in range(len(toks) - len(words) + 1):
            if all(_matches(w, toks[i + j]) for j, w in enumerate(words)):
                out.append((doc["name"], toks[i][0], toks[i + len(words) - 1][1]))
    return sorted(out)


def _matches(word: str, token) -> bool:
    _, _, form, lemma = token
    if "*" in word or "?" in word:
        pattern = re.compile(re.escape(word).replace(r"\*", ".*").replace(r"\?", ".") + r"\Z",
                             re.S)
        return bool(pattern.match(form) or pattern.match(lemma))
    return lemma in qs.lemmas(word) or form == word


def found(hits) -> list[tuple[str, int, int]]:
    return [(h["document"], h["start"], h["end"]) for h in hits.rows]


@pytest.mark.parametrize("query", [
    "выгор*", "выгор?", "выгора*", "*ание", "выг?р*", "a_b", "a_b*", "a%*", "a?b", "мы",
    "мы поддержка", "и в", "в и мы", "поддержка коллеги", "выгор* мы", "работа OR выгос*",
    "люд*", "чел*", "шел*", "люд* и", "человек",
])
def test_hits_match_a_brute_force_scan(corpus, query):
    expected = sorted({x for words in qs._parse(query) for x in brute(corpus, words)})
    assert expected or query in ("a_b", "a?b", "a%*")
    assert found(qs.search(corpus, query)) == expected


def test_prefix_ranges_without_like_agree(corpus):
    # A wildcard is expanded to the stored words it matches (by a walk over the index with a
    # literal start, else by LIKE); both, and the LIKE it falls back to when it would expand
    # to too many words, find the same tokens.
    qs.build_index(corpus)
    t = schema.search_tokens
    with corpus.engine.connect() as connection:
        def tokens(condition):
            return sorted(connection.execute(
                sa.select(t.c.document_id, t.c.ordinal).where(condition)).all())

        for term in ("выгор*", "a_b*", "выг?р*", "*ание"):
            walked = qs._match(connection, term, ranges=True)
            listed = qs._match(connection, term, ranges=False)
            assert walked == listed and walked.like is None and walked.lemmas
            like = qs._Match(like=term)
            found = [tokens(m.condition(t, r)) for m in (walked, like) for r in (True, False)]
            assert found[0] and all(f == found[0] for f in found)


@pytest.mark.parametrize("query", ["выгор*", "мы", "мы поддержка", "и в", "*ание", "люд*"])
@pytest.mark.parametrize("code_point_order", [True, False])
def test_pages_counted_by_the_database_are_slices_of_all_hits(corpus, query, code_point_order,
                                                              monkeypatch):
    # Every search with more hits than _READ_ALL is counted by the database and read a
    # batch of documents at a time; made 0, every page here takes that path. A store whose
    # text does not compare by code point (PostgreSQL in a locale) lists wildcards by LIKE
    # and orders names as "C".
    qd.add_text(corpus, "Zeta", text_of(7))  # before "doc…" by code point, after in a locale
    everything = found(qs.search(corpus, query))
    monkeypatch.setattr(qs, "_READ_ALL", 0)
    if not code_point_order:
        monkeypatch.setattr(qs, "_byte_order", lambda connection: False)
    for limit in (1, 4, 25):
        for offset in (0, 1, 3, len(everything) // 2, len(everything) - 1, len(everything)):
            page = qs.search(corpus, query, limit=limit, offset=offset)
            assert page.total == len(everything)
            assert found(page) == everything[offset:offset + limit], (limit, offset)


def test_a_wildcard_with_too_many_words_falls_back_to_like(corpus, monkeypatch):
    everything = found(qs.search(corpus, "*а*"))
    monkeypatch.setattr(qs, "_EXPANSION", 2)
    with corpus.engine.connect() as connection:
        assert qs._match(connection, "*а*", qs._byte_order(connection)).like == "*а*"
    assert found(qs.search(corpus, "*а*")) == everything
    assert found(qs.search(corpus, "*а*", limit=3, offset=2)) == everything[2:5]


@pytest.mark.parametrize("context", [0, 3, 40, 700])
def test_kwic_across_chunks(corpus, context):
    texts = {d["name"]: qd.get_document(corpus, d["id"]).text
             for d in qd.list_documents(corpus).rows}
    assert max(map(len, texts.values())) > 2 * qs.CHUNK
    hits = qs.search(corpus, "мы OR поддержка коллеги", context=context)
    assert len(hits) > 20
    for h in hits.rows:
        text = texts[h["document"]]
        assert h["match"] == text[h["start"]:h["end"]]
        assert h["left"] == text[max(0, h["start"] - context):h["start"]]
        assert h["right"] == text[h["end"]:h["end"] + context]


def test_bulk_build_equals_incremental(corpus, monkeypatch):
    before = found(qs.search(corpus, "выгор* OR мы поддержка"))
    monkeypatch.setattr(qs, "BULK_DOCUMENTS", 1)
    stats = qs.build_index(corpus, rebuild=True)
    assert stats.documents == 6
    assert found(qs.search(corpus, "выгор* OR мы поддержка")) == before
    with corpus.engine.connect() as connection:
        names = {i["name"] for i in sa.inspect(connection).get_indexes("search_tokens")}
    # Dropped for the bulk insert and made again (the covering postings indexes).
    assert {"ix_search_tokens_form_postings", "ix_search_tokens_lemma_postings"} <= names


def test_stale_index_is_rebuilt_with_chunks(corpus):
    qs.build_index(corpus)
    with corpus.engine.begin() as connection:
        connection.execute(sa.update(schema.search_indexed).values(analyser="razdel+pymorphy3/1"))
        connection.execute(sa.delete(schema.search_chunks))
    assert qs.build_index(corpus).documents == 6
    assert len(qs.search(corpus, "выгорать")) > 0
    with corpus.engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(
            schema.search_chunks)).scalar() > 6


def test_search_does_not_write_when_nothing_is_new(corpus):
    qs.build_index(corpus)
    with corpus.engine.connect() as connection:
        assert not qs._pending(connection)
    qd.add_text(corpus, "new", "Они выгорали.")
    with corpus.engine.connect() as connection:
        assert qs._pending(connection)
    assert found(qs.search(corpus, "выгорать"))[-1][0] == "new"


def test_removed_document_leaves_no_chunks(corpus):
    qs.build_index(corpus)
    qd.remove_document(corpus, "doc0")
    with corpus.engine.connect() as connection:
        left = connection.execute(sa.select(schema.search_chunks.c.document_id)
                                  .distinct()).scalars().all()
    assert len(left) == 5
    assert all(h["document"] != "doc0" for h in qs.search(corpus, "мы").rows)


def test_many_documents_keep_names_and_respondents(surveyed):
    for n in range(60):
        qd.add_text(surveyed, f"d{n:02d}", f"Мы выгорали, номер {n}.",
                    respondent=2 if n == 7 else None)
    hits = qs.search(surveyed, "выгорать")
    assert [h["document"] for h in hits.rows] == [f"d{n:02d}" for n in range(60)]
    assert [h["respondent"] for h in hits.rows if h["respondent"] is not None] == [2]
    assert hits.rows[7]["respondent"] == 2
    few = qs.search(surveyed, "выгорать", documents=["d07", "d08"])
    assert [(h["document"], h["respondent"]) for h in few.rows] == [("d07", 2), ("d08", None)]
