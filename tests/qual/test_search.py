import time

import pytest

from syrmak.errors import SyrmakError
from syrmak.qual import codebook as cb
from syrmak.qual import coding as cd
from syrmak.qual import documents as qd
from syrmak.qual import search as qs

DOC1 = ("Весной мы выгорали. Все выгорают от такой работы!\n"
        "Профессиональное выгорание — это про нас. Ёжик в тумане.")
DOC2 = "Burnout was real. We were burning out online.\nЗаседания шли в Zoom."


@pytest.fixture
def corpus(new_study):
    s = new_study()
    qd.add_text(s, "one", DOC1)
    qd.add_text(s, "two", DOC2)
    return s


def matches(hits):
    return [(h["document"], h["match"]) for h in hits.rows]


def test_lemmas_and_wildcards(corpus):
    assert matches(qs.search(corpus, "выгорать")) == [("one", "выгорали"), ("one", "выгорают")]
    assert matches(qs.search(corpus, "выгор*")) == [
        ("one", "выгорали"), ("one", "выгорают"), ("one", "выгорание")]
    assert matches(qs.search(corpus, "ежик")) == [("one", "Ёжик")]
    assert matches(qs.search(corpus, "burnout OR zoom")) == [("one", "Ёжик")][:0] + [
        ("two", "Burnout"), ("two", "Zoom")]
    assert matches(qs.search(corpus, "burn?ng")) == [("two", "burning")]
    assert matches(qs.search(corpus, "такая работа")) == [("one", "такой работы")]
    assert qs.search(corpus, "ничего") .rows == ()


def test_offsets_and_kwic(corpus):
    hits = qs.search(corpus, "выгорание", context=10)
    (h,) = hits.rows
    assert DOC1[h["start"]:h["end"]] == "выгорание"
    assert h["left"] == "ссиональное "[-10:] and h["right"] == " — это про"
    assert "[выгорание]" in hits.kwic()
    assert list(hits.to_frame().columns) == list(qs.Hits.COLUMNS)


def test_index_is_incremental(corpus):
    assert qs.build_index(corpus).documents == 2
    assert qs.build_index(corpus).documents == 0
    qd.add_text(corpus, "three", "Они тоже выгорали.")
    assert matches(qs.search(corpus, "выгорать"))[-1] == ("three", "выгорали")
    stats = qs.build_index(corpus, rebuild=True)
    assert stats.documents == 3
    assert stats.tokens == sum(len(qs.tokens(t)) for t in (DOC1, DOC2, "Они тоже выгорали."))
    start = time.perf_counter()
    for _ in range(20):
        qs.search(corpus, "выгор*")
    assert (time.perf_counter() - start) / 20 < 0.25


@pytest.mark.parametrize("unit, expected", [
    ("hit", ["выгорали", "выгорают"]),
    ("sentence", ["Весной мы выгорали.", "Все выгорают от такой работы!"]),
    ("paragraph", [DOC1.split("\n")[0]]),
])
def test_autocode(corpus, unit, expected):
    cb.add_code(corpus, "Выгорание")
    result = qs.autocode(corpus, "выгорать", "Выгорание", "auto", unit=unit)
    assert [cd.get_coding(corpus, i).text for i in result.added] == expected
    again = qs.autocode(corpus, "выгорать", "Выгорание", "auto", unit=unit)
    assert again.added == () and again.skipped == len(expected)


def test_bad_search(corpus):
    with pytest.raises(SyrmakError):
        qs.search(corpus, "  ")
    with pytest.raises(SyrmakError):
        qs.search(corpus, "*")
    with pytest.raises(SyrmakError, match="no code"):
        qs.autocode(corpus, "выгорать", "nope", "auto")


def test_a_page_of_hits_reads_only_its_contexts_and_counts_them_all(corpus):
    everything = qs.search(corpus, "выгор* OR burnout")
    assert everything.complete and everything.total == len(everything) == 4
    first = qs.search(corpus, "выгор* OR burnout", limit=2)
    assert first.total == 4 and len(first) == 2 and not first.complete
    rest = qs.search(corpus, "выгор* OR burnout", limit=100, offset=2)
    assert matches(first) + matches(rest) == matches(everything)
    assert (rest.offset, rest.total) == (2, 4)
    with pytest.raises(SyrmakError):
        qs.search(corpus, "выгор*", limit=0)


@pytest.mark.parametrize("query", ["выгор* OR выгорать", "выгорать", "такая работа OR работа",
                                   "burn* OR burnout OR ежик"])
def test_every_page_is_the_same_slice_of_all_hits(corpus, query):
    # Pages are counted by the database (a hit that two alternatives or a form and a lemma
    # both find counts once) and read from the documents holding them: any page, from any
    # hit, is that slice of the whole list, and every page has the whole count.
    qd.add_text(corpus, "a-first", "Работа, работа и выгорание. " * 3)
    qd.add_text(corpus, "zz-last", "Такая работа: выгорали, выгорают. Burnout!")
    everything = matches(qs.search(corpus, query))
    assert len(everything) >= 3
    for limit in (1, 2, 3, 7):
        for offset in range(len(everything) + 2):
            page = qs.search(corpus, query, limit=limit, offset=offset)
            assert page.total == len(everything), (limit, offset)
            assert matches(page) == everything[offset:offset + limit], (limit, offset)
    chosen = qs.search(corpus, query, documents=["zz-last"], limit=2)
    assert chosen.total == sum(1 for name, _ in everything if name == "zz-last")


def test_the_cli_shows_a_page_and_says_how_to_see_more(corpus):
    from click.testing import CliRunner

    from syrmak.cli import main

    out = CliRunner().invoke(main, ["search", str(corpus.folder), "выгор* OR burnout",
                                    "--limit", "3"]).output
    assert "Hits 1-3 of 4 (--offset 3 for more" in out and out.count("[") == 3
    out = CliRunner().invoke(main, ["search", str(corpus.folder), "выгор*"]).output
    assert out.strip().endswith("3 hits.")
