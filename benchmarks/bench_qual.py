"""Qualitative benchmark (issue 4): search index, search latency, retrieval at 1,000,000 codings.

    python benchmarks/bench_qual.py [--small] [--docs 2000] [--chars 10000] [--codings 1000000]
                                    [--queries 100] [--repeat 3] [--db-url URL]

One run, on a fresh study in ``benchmarks/_work/qual`` (SQLite unless ``--db-url``):

1. A corpus of ``--docs`` Russian interview transcripts (about ``--chars`` characters each,
   20 million in all by default), generated deterministically: timed turns of an interviewer
   and a respondent, sentences of real Russian word forms. The vocabulary is every word of
   the example interviews (``examples/kz-civic-2021/interviews``) with the other forms of its
   lexeme from pymorphy3 (cases, numbers, tenses, participles); words are drawn by a Zipf law
   over lemmas ranked by their frequency in the examples. Stored through the library
   (``Study.create``, ``documents.add_text(kind="transcript")``).
2. Index build: ``search.build_index`` against the floor, pymorphy3 lemmatising the same tokens
   once (razdel ``tokenize`` + ``MorphAnalyzer.parse(word)[0].normal_form`` for every word
   token, with ``functools.cache``), in the same process; peak resident memory of each step
   (``VmHWM`` after resetting it through ``/proc/self/clear_refs``).
3. Search latency: ``search.search`` for ``--queries`` queries (40% single words, 30%
   wildcards such as ``выгор*``, 30% two-word phrases taken from the corpus), each timed
   ``--repeat`` times; median and p95 of the best time of each query. Target: median < 50 ms.
4. Retrieval: ``--codings`` codings (3 coders, 90 leaf codes under 10 themes) stored through
   the coding API in one transaction (``coding.insert_codings``, the path ``syrmak code`` and
   autocode use; it checks every span and duplicate and inserts in batches), then
   ``retrieval.retrieve`` of one leaf code, and of one theme with its 9 subcodes, with
   100 characters of context. Target: one code < 1 s.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import time
from collections import Counter
from functools import cache
from pathlib import Path
from random import Random

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EXAMPLES = ROOT / "examples" / "kz-civic-2021" / "interviews"
WORK = HERE / "_work" / "qual"
SEED = 20211
_CYRILLIC_WORD = re.compile(r"^[а-яё]+(?:-[а-яё]+)?$")


# -- memory ---------------------------------------------------------------------------

def _status(field: str) -> int:
    with open("/proc/self/status") as f:
        return int(re.search(rf"{field}:\s+(\d+)", f.read()).group(1))  # kB


def reset_peak() -> int:
    """Reset the peak resident size (Linux) and return the current one, in MB."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    return _status("VmRSS") // 1024


def peak() -> int:
    return _status("VmHWM") // 1024


# -- corpus ---------------------------------------------------------------------------

def vocabulary(morph) -> tuple[list[str], list[float], dict[str, list[str]], dict[str, str]]:
    """Lemmas ranked by frequency in the example interviews, Zipf weights, each lemma's forms
    (observed forms first, then its lexeme) and each lemma's part of speech."""
    from razdel import tokenize

    texts = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("respondent-*.txt"))]
    texts.append((EXAMPLES / "open-answers.csv").read_text(encoding="utf-8"))
    counts: Counter[str] = Counter()
    seen: dict[str, list[str]] = {}
    pos: dict[str, str] = {}
    for text in texts:
        for t in tokenize(text):
            word = t.text.lower()
            if not _CYRILLIC_WORD.match(word):
                continue
            parse = morph.parse(word)[0]
            lemma = parse.normal_form
            counts[lemma] += 1
            if lemma not in seen:
                pos[lemma] = str(parse.tag.POS)
                seen[lemma] = [word] + [w for w in dict.fromkeys(x.word for x in parse.lexeme)
                                        if w != word]
    for extra in ("выгорание", "выгорать", "выгореть", "коллега", "поддержка"):
        if extra not in seen:
            parse = morph.parse(extra)[0]
            seen[extra] = list(dict.fromkeys(x.word for x in parse.lexeme))
            counts[extra] = 3
            pos[extra] = str(parse.tag.POS)
    lemmas = sorted(counts, key=lambda w: (-counts[w], w))
    weights = [1.0 / (rank + 2) for rank in range(len(lemmas))]
    return lemmas, weights, seen, pos


def make_corpus(n_docs: int, chars: int, morph) -> tuple[list[str], dict]:
    lemmas, weights, forms, pos = vocabulary(morph)
    rng = Random(SEED)
    cum = []
    total = 0.0
    for w in weights:
        total += w
        cum.append(total)

    def word() -> str:
        lemma = rng.choices(lemmas, cum_weights=cum)[0]
        options = forms[lemma]
        # Half the time the form seen in the interviews, otherwise any form of the lexeme.
        return options[0] if rng.random() < 0.5 or len(options) == 1 else rng.choice(options)

    def sentence() -> str:
        words = [word() for _ in range(rng.randint(4, 22))]
        for i in range(2, len(words) - 1):
            if rng.random() < 0.08:
                words[i] += ","
        text = " ".join(words)
        if rng.random() < 0.05:
            text = f"«{text}»"
        return text[0].upper() + text[1:] + rng.choice(".....?!…")

    docs = []
    for n in range(n_docs):
        target = int(chars * rng.uniform(0.6, 1.4))
        clock = 5
        lines: list[str] = []
        length = 0
        respondent = f"Респондент {n + 1}"
        while length < target:
            for who, k in (("Интервьюер", rng.randint(1, 2)), (respondent, rng.randint(2, 9))):
                line = (f"[{clock // 3600:02d}:{clock % 3600 // 60:02d}:{clock % 60:02d}] "
                        f"{who}: " + " ".join(sentence() for _ in range(k)))
                clock += max(4, len(line) // 14)
                lines.append(line)
                length += len(line) + 1
        docs.append("\n".join(lines))
    return docs, {"lemmas": lemmas, "forms": forms, "pos": pos}


def make_queries(n: int, docs: list[str], vocab: dict) -> list[str]:
    """Single words (lemmas or other forms), wildcards and two-word phrases from the corpus."""
    rng = Random(SEED + 1)
    content = [w for w in vocab["lemmas"][20:1200]
               if vocab["pos"].get(w) in ("NOUN", "VERB", "INFN", "ADJF") and len(w) >= 5]
    singles = max(1, n * 4 // 10)
    wild = max(1, n * 3 // 10)
    out = ["выгорать"]
    while len(out) < singles:
        lemma = rng.choice(content)
        out.append(lemma if rng.random() < 0.5 else rng.choice(vocab["forms"][lemma]))
    out.append("выгор*")
    stems = sorted({w[:rng.randint(4, 6)] for w in content})
    while len(out) < singles + wild:
        stem = rng.choice(stems) + "*"
        if stem not in out:
            out.append(stem)
    word = re.compile(r"[а-яё]+")
    while len(out) < n:
        doc = rng.choice(docs)
        at = rng.randrange(0, len(doc) - 200)
        words = doc[at:at + 200].split()[1:-1]
        for a, b in zip(words, words[1:], strict=False):
            if word.fullmatch(a.lower()) and word.fullmatch(b.lower()) and len(a + b) >= 10:
                out.append(f"{a.lower()} {b.lower()}")
                break
    rng.shuffle(out)
    return out


# -- steps ----------------------------------------------------------------------------

def floor(docs: list[str], morph) -> tuple[float, int]:
    """pymorphy3 lemmatising every word token of the corpus once (the lru_cache floor)."""
    from razdel import tokenize

    word = re.compile(r"\w")

    @cache
    def lemma(form: str) -> str:
        return morph.parse(form)[0].normal_form

    start = time.perf_counter()
    n = 0
    for text in docs:
        for t in tokenize(text):
            if word.search(t.text):
                lemma(t.text.lower())
                n += 1
    return time.perf_counter() - start, n


def timed(fn, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def search_latency(study, queries: list[str], repeat: int, report) -> None:
    """Median and p95 of a page of 50 hits (what the CLI and the workspace show) and of
    every hit (what -o FILE and autocode read), in one run."""
    from syrmak.qual import search

    for label, limit, target in (("first 50 hits", 50, 20), ("all hits", None, 50)):
        best: list[float] = []
        first: list[float] = []
        hits: list[int] = []
        for q in queries:
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                found = search.search(study, q, limit=limit)
                times.append(time.perf_counter() - start)
            first.append(times[0])
            best.append(min(times))
            hits.append(found.total)
        ms = sorted(x * 1000 for x in best)
        p95 = ms[min(len(ms) - 1, int(round(0.95 * len(ms))) - 1)]
        median = statistics.median(ms)
        report(f"search ({label}), {len(queries)} queries: median", f"{median:.1f} ms",
               f"< {target} ms", f"({'met' if median < target else 'MISSED'}; first runs: "
               f"median {statistics.median(first) * 1000:.1f} ms)")
        report(f"search ({label}), {len(queries)} queries: p95", f"{p95:.1f} ms", "",
               f"(max {ms[-1]:.1f} ms; hits per query: median {statistics.median(hits):.0f}, "
               f"max {max(hits):,})")
        slow = sorted(zip(best, queries, hits, strict=True), reverse=True)[:5]
        print("  slowest:", "; ".join(f"{q!r} {t * 1000:.0f} ms/{h} hits" for t, q, h in slow))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true",
                        help="quick run: 100 documents, 50,000 codings, 30 queries")
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--chars", type=int, default=10_000, help="mean characters a document")
    parser.add_argument("--codings", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db-url", help="a PostgreSQL URL to an empty database/schema")
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--reuse", action="store_true",
                        help="search latency only, on the study and index an earlier run of the "
                             "same size left in --work: the corpus is built once on a busy "
                             "machine and the latencies taken when it is quiet")
    args = parser.parse_args()
    if args.small:
        args.docs, args.codings, args.queries = 100, 50_000, 30

    import pymorphy3
    import sqlalchemy as sa

    from syrmak.qual import codebook, coding, retrieval, search
    from syrmak.qual import documents as qd
    from syrmak.store import schema
    from syrmak.study import Study

    results: list[tuple[str, str, str, str]] = []

    def report(step: str, value: str, target: str = "", note: str = "") -> None:
        results.append((step, value, target, note))
        print(f"  {step}: {value} {note}", flush=True)

    morph = pymorphy3.MorphAnalyzer(lang="ru")
    start = time.perf_counter()
    docs, vocab = make_corpus(args.docs, args.chars, morph)
    total_chars = sum(map(len, docs))
    report("corpus", f"{len(docs):,} docs, {total_chars:,} chars",
           note=f"({time.perf_counter() - start:.1f} s to generate, "
                f"{sum(len(v) for v in vocab['forms'].values()):,} forms of "
                f"{len(vocab['lemmas']):,} lemmas)")

    if args.reuse:
        os.environ.setdefault("SYRMAK_KEY_DIR", str(args.work / "keys"))
        os.environ.setdefault("SYRMAK_IDENTITY_FILE", os.environ["SYRMAK_KEY_DIR"])
        study = Study.open(args.work / "study")
        report("store", f"{study.engine.dialect.name}, reused from {args.work}")
        search_latency(study, make_queries(args.queries, docs, vocab), args.repeat, report)
        study.close()
        return _table(results)
    if args.work.exists():
        shutil.rmtree(args.work)
    os.environ.setdefault("SYRMAK_KEY_DIR", str(args.work / "keys"))  # not the user's keys
    # Throw-away studies keep their vault key as a plain file (no passphrase prompt).
    os.environ.setdefault("SYRMAK_IDENTITY_FILE", os.environ["SYRMAK_KEY_DIR"])
    study = Study.create(args.work / "study", db_url=args.db_url)
    report("store", study.engine.dialect.name)
    start = time.perf_counter()
    for i, text in enumerate(docs):
        qd.add_text(study, f"interview-{i + 1:04d}", text, kind="transcript", actor="bench")
    report("documents.add_text", f"{time.perf_counter() - start:.1f} s")
    with study.engine.connect() as connection:  # the stored texts (turns without times)
        stored = connection.execute(sa.select(schema.documents.c.text)
                                    .order_by(schema.documents.c.id)).scalars().all()

    # -- 1. index build vs floor ------------------------------------------------------
    base = reset_peak()
    floor_s, n_tokens = floor(stored, morph)
    floor_peak = peak()
    report("floor: razdel + pymorphy3 (lru_cache)", f"{floor_s:.1f} s",
           note=f"({n_tokens:,} word tokens; peak RSS {floor_peak} MB, base {base} MB)")
    search.lemma.cache_clear()
    search.lemmas.cache_clear()
    search._morph()
    base = reset_peak()
    start = time.perf_counter()
    stats = search.build_index(study)
    build_s = time.perf_counter() - start
    report("search.build_index", f"{build_s:.1f} s", "",
           f"({stats.tokens:,} tokens; {build_s / floor_s:.2f}x floor; "
           f"peak RSS {peak()} MB, base {base} MB)")
    assert stats.tokens == n_tokens, (stats.tokens, n_tokens)

    search_latency(study, make_queries(args.queries, docs, vocab), args.repeat, report)

    # -- 3. retrieval with N codings ------------------------------------------------
    themes = [f"Тема {i}" for i in range(1, 11)]
    leaves = []
    for theme in themes:
        codebook.add_code(study, theme, actor="bench")
        for j in range(1, 10):
            leaves.append(codebook.add_code(study, f"{theme}/Подтема {j}", actor="bench").id)
    with study.engine.connect() as connection:
        doc_rows = connection.execute(sa.select(schema.documents.c.id,
                                                schema.documents.c.length)).all()
    rng = Random(SEED + 2)
    coders = ("anna", "boris", "chen")

    def items():
        for _ in range(args.codings):
            doc_id, length = doc_rows[rng.randrange(len(doc_rows))]
            begin = rng.randrange(0, length - 20)
            yield {"document": doc_id, "code": rng.choice(leaves), "start": begin,
                   "end": min(length, begin + rng.randint(20, 600)),
                   "coder": rng.choice(coders), "weight": rng.choice((None, None, 50, 100)),
                   "skip_duplicates": True}

    base = reset_peak()
    start = time.perf_counter()
    with study.engine.begin() as connection:
        added = coding.insert_codings(study, connection, items(), "bench")
    insert_s = time.perf_counter() - start
    report(f"coding.insert_codings x {args.codings:,}", f"{insert_s:.1f} s",
           note=f"({len(added):,} stored, {len(added) / insert_s:,.0f}/s; peak RSS {peak()} MB,"
                f" base {base} MB)")
    del added
    leaf, theme = "Тема 3/Подтема 4", "Тема 7"
    leaf_s, leaf_segments = timed(lambda: retrieval.retrieve(study, leaf), args.repeat)
    report(f"retrieve one code ('{leaf}')", f"{leaf_s * 1000:.0f} ms", "< 1 s",
           f"({'met' if leaf_s < 1 else 'MISSED'}; {len(leaf_segments):,} segments)")
    theme_s, theme_segments = timed(lambda: retrieval.retrieve(study, theme), args.repeat)
    report(f"retrieve a theme with 9 subcodes ('{theme}')", f"{theme_s * 1000:.0f} ms", "",
           f"({len(theme_segments):,} segments)")
    study.close()

    return _table(results)


def _table(results) -> int:
    print()
    print(f"bench_qual.py {' '.join(sys.argv[1:])}".rstrip())
    print("| step | result | target | notes |")
    print("| --- | --- | --- | --- |")
    for step, value, target, note in results:
        print(f"| {step} | {value} | {target} | {note.strip('()')} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
