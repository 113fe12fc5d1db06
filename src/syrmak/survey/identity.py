"""Row identity for exports without submission ids, independent of what is personal.

A row with no uuid/KEY/id is known by its *row key*: "row:" + a 128-bit hash of its
non-personal answers and submission time (``row_hashes``). Personal-data answers never go
into a stored key: a hash of a phone number is reversed by trying every number.

Which questions are personal changes (a question is marked ``personal_data`` after answers
were stored, or ``syrmak seal`` is run), so each import batch records the question sets its
keys were computed over (``imports.row_key_sets``). A later import computes, in memory,
each of its rows' keys over every recorded set (the file holds the plaintext anyway;
comparing with it stores nothing) and a row matching any stored key is already known,
as a respondent or as someone who withdrew.

When a question becomes personal, ``rekey`` recomputes the keys of the batch's
respondents without it, from the answers still stored, and records the reduced set; the
old set stays recorded, because withdrawn respondents keep the key they had (their other
answers and time are erased, so their key cannot be tested against guesses of one
answer, and it is what keeps them out). The vault binds entries to ``submission_key``,
which for rows imported since migration 0007 is random, so re-keying never touches it.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
import sqlalchemy as sa

from syrmak.store import schema

#: How new row keys are hashed. 1: sha256 of "question=value" per distinct value ("row:"
#: keys, until 2026-11); 2: SipHash-2-4 of the value's UTF-8 under two fixed keys (pandas'
#: ``hash_array``, in C: a million free-text answers take a tenth of the time), mixed with
#: the question's sha256 ("row2:" keys). A key says its scheme by its prefix, and stored keys
#: of either scheme are recognised.
SCHEME = 2
PREFIXES = {1: "row:", 2: "row2:"}
_SIP_KEYS = ("syrmak-rowkey-01", "syrmak-rowkey-02")
_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)
_LANES = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F))
_TIME = "\x1etime"


def _digests(name: str, values) -> np.ndarray:
    """Two 64-bit words of sha256("name=value") for each value: shape (len(values), 2)."""
    sha, prefix = hashlib.sha256, f"{name}="
    joined = b"".join([sha((prefix + v if type(v) is str else f"{prefix}{v}").encode())
                       .digest()[:16] for v in values])
    return np.frombuffer(joined, dtype="<u8").reshape(-1, 2).astype(np.uint64)


def _digests2(name: str, values) -> np.ndarray:
    """Scheme 2's two 64-bit words for each value: SipHash-2-4 of its text under two keys,
    xor the question's sha256 words."""
    values = np.asarray(values, dtype=object)
    texts = values if all(type(v) is str for v in values[:64]) and \
        pd.api.types.infer_dtype(values, skipna=False) == "string" else \
        np.array([v if type(v) is str else f"{v}" for v in values], dtype=object)
    salt = _digests(name, [""])[0]
    lanes = [pd.util.hash_array(texts, hash_key=key, categorize=False) ^ salt[i]
             for i, key in enumerate(_SIP_KEYS)]
    return np.column_stack(lanes).astype(np.uint64) if len(texts) else \
        np.zeros((0, 2), np.uint64)


def scheme_of(key: str) -> int:
    """The hashing scheme of a stored row key, by its prefix."""
    return 2 if key.startswith(PREFIXES[2]) else 1


def _time_texts(times: pd.Series) -> pd.Series:
    """``times.dt.strftime("%Y-%m-%dT%H:%M:%S%z")`` (what the keys hash), formatted by numpy
    at once: strftime takes seconds on a million times."""
    if getattr(times.dt, "tz", None) is None or str(times.dt.tz) != "UTC":
        return times.dt.strftime("%Y-%m-%dT%H:%M:%S%z")
    values = times.dt.tz_convert(None).to_numpy(dtype="datetime64[s]")
    text = np.char.add(np.datetime_as_string(values, unit="s").astype(str), "+0000")
    out = pd.Series(text.astype(object), index=times.index)
    return out.where(~np.isnat(values), np.nan)


def row_hashes(answers: pd.DataFrame, times: pd.Series, form_id: str,
               scheme: int = SCHEME, factors: Mapping | None = None) -> pd.Series:
    """A 128-bit hash of each row's answers and submission time, without a loop over rows.

    Each distinct value is hashed once (sha256 of "question=value"); a row folds the
    hashes of its answered questions in question-name order. Unanswered questions leave
    no trace, so a later export with more questions gives an old row the same hash.
    """
    n = len(answers)
    digest = _digests2 if scheme == 2 else _digests
    seed = digest("form", [form_id])[0]
    lanes = [np.full(n, seed[i], dtype=np.uint64) for i in range(2)]
    parts = dict(answers.items())
    parts[_TIME] = _time_texts(times)
    for name in sorted(parts):
        if factors and name in factors:
            # (codes, distinct values) the caller had; a missing value leaves no trace.
            codes, values = factors[name]
            missing = pd.isna(values)
            codes = np.where((codes >= 0) & ~np.append(missing, True)[codes], codes, -1)
            uniques = np.where(missing, "", values)
        else:
            codes, uniques = pd.factorize(parts[name])
        digests = digest(name, uniques) if len(uniques) else np.zeros((1, 2), np.uint64)
        answered = codes >= 0
        with np.errstate(over="ignore"):
            for i in range(2):
                mixed = (lanes[i] ^ digests[np.where(answered, codes, 0), i]) * _LANES[i]
                lanes[i] = np.where(answered, mixed, lanes[i])
    with np.errstate(over="ignore"):
        for i in range(2):  # a final avalanche (splitmix64)
            x = lanes[i]
            x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            lanes[i] = (x ^ (x >> np.uint64(31))) & _MASK
    # Both words big-endian, as "%016x%016x": one hex string, cut into rows.
    words = np.column_stack(lanes).astype(">u8").tobytes().hex()
    text = [words[i:i + 32] for i in range(0, 32 * n, 32)]
    return pd.Series(text, index=answers.index, dtype=object)


def row_keys(answers: pd.DataFrame, times: pd.Series, form_id: str,
             scheme: int = SCHEME, factors: Mapping | None = None) -> pd.Series:
    """"row2:" (or scheme 1's "row:") + ``row_hashes``; identical rows are kept apart by
    occurrence (#2, #3 …), so importing the same file again finds each of them again."""
    digests = PREFIXES[scheme] + row_hashes(answers, times, form_id, scheme, factors)
    occurrence = digests.groupby(digests).cumcount()
    return digests + ("#" + (occurrence + 1).astype(str)).where(occurrence > 0, "")


def new_submission_key() -> str:
    """The vault binding of a row without an id: random, so it never derives from answers."""
    return "row:" + secrets.token_hex(16)


def new_submission_keys(n: int) -> list[str]:
    """``n`` of ``new_submission_key`` at once (an import may add 200,000 rows)."""
    text = secrets.token_bytes(16 * n).hex()
    return ["row:" + text[i:i + 32] for i in range(0, 32 * n, 32)]


def key_sets(raw: str | None) -> list[list[str]]:
    # A batch from before migration 0007 with no answer arrays hashed no answer at all.
    return json.loads(raw) if raw else [[]]


def recorded_sets(connection: sa.Connection) -> list[tuple[str, tuple[str, ...]]]:
    """Every (form id, questions) that stored row keys were computed over, once each."""
    i, q = schema.imports, schema.questionnaires
    rows = connection.execute(sa.select(q.c.form_id, i.c.row_key_sets)
                              .join(q, q.c.id == i.c.questionnaire_id)).all()
    return list(dict.fromkeys((form_id, tuple(s)) for form_id, raw in rows
                              for s in key_sets(raw)))


def recognise(connection: sa.Connection, file_keys: pd.Series, answers: pd.DataFrame,
              plain: Mapping[str, pd.Series], times: pd.Series, form_id: str,
              factors: Mapping | None = None) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Each row's new row key, whether it is stored already, and whether it withdrew.

    ``plain`` holds the personal-data answers decoded as ordinary answers: a key recorded
    before a question became personal covers it. They are only compared, never kept.

    A row without an id is matched to one stored respondent at most: first by its exact
    key under some recorded set, then by the key without its occurrence suffix. The
    suffix counts identical rows of one file, which a later re-keying cannot reproduce
    once some of them withdrew (their answers are gone), so the second pass pairs the
    remaining identical rows with the remaining respondents of that key, one for one.
    """
    r = schema.respondents
    stored = connection.execute(sa.select(r.c.submission_key, r.c.row_key,
                                          r.c.withdrawn_at.is_not(None))).all()
    by_submission = {s: gone for s, _, gone in stored}
    new = row_keys(answers, times, form_id, factors=factors)
    has_id = (file_keys != "").to_numpy()
    known = np.where(has_id, file_keys.isin(by_submission.keys()).to_numpy(), False)
    withdrawn = np.where(has_id, file_keys.map(lambda k: by_submission.get(k, False))
                         .astype(bool).to_numpy(), False)
    people = [(key, gone) for _, key, gone in stored if key is not None]
    if not people or has_id.all():
        return new, known, withdrawn
    schemes = sorted({scheme_of(key) for key, _ in people})
    everything = pd.concat([answers, pd.DataFrame(dict(plain), index=answers.index)], axis=1)
    current = (form_id, tuple(sorted(answers.columns)))
    # The most specific sets first: a row matching on more answers is the better pair,
    # e.g. a withdrawn respondent's full key before a live twin's key re-computed on less.
    sets = sorted({current, *recorded_sets(connection)}, key=lambda s: (-len(s[1]), s))
    candidates = [new if s == current and scheme == SCHEME else
                  row_keys(everything[[c for c in s[1] if c in everything.columns]], times, s[0],
                           scheme)
                  for s in sets for scheme in schemes]
    exact: dict[str, list[int]] = {}
    for index, (key, _) in enumerate(people):
        exact.setdefault(key, []).append(index)
    gone = np.fromiter((g for _, g in people), dtype=bool, count=len(people))
    taken = np.zeros(len(people), dtype=bool)
    for keys in candidates:
        _pair(keys.to_numpy(dtype=object), ~has_id & ~known, exact, taken, known, withdrawn,
              gone)
    if (~has_id & ~known).any():
        loose: dict[str, list[int]] = {}
        for index, (key, _) in enumerate(people):
            loose.setdefault(_base(key), []).append(index)
        for keys in candidates:
            _pair(keys.str.split("#", n=1).str[0].to_numpy(dtype=object), ~has_id & ~known,
                  loose, taken, known, withdrawn, gone)
    return new, known, withdrawn


def _pair(keys: np.ndarray, open_rows: np.ndarray, pool: dict[str, list[int]],
          taken: np.ndarray, known: np.ndarray, withdrawn: np.ndarray, gone: np.ndarray) -> None:
    """Give each open row, in file order, a respondent of its key not taken yet."""
    rows = np.flatnonzero(open_rows)
    if not len(rows):
        return
    first = pd.Series(keys[rows]).map({k: v[0] for k, v in pool.items()}).to_numpy()
    hit = ~pd.isna(first)
    rows, first = rows[hit], first[hit].astype(np.int64)
    # The common case without a loop: each row's first choice is free and wanted once.
    easy = ~taken[first] & ~pd.Series(first).duplicated().to_numpy()
    taken[first[easy]] = known[rows[easy]] = True
    withdrawn[rows[easy]] = gone[first[easy]]
    for row in rows[~easy]:  # twins in the file or in the store: few
        match = next((i for i in pool[keys[row]] if not taken[i]), None)
        if match is not None:
            taken[match] = known[row] = True
            withdrawn[row] = gone[match]


def _base(key: str) -> str:
    return key.split("#", 1)[0]


def rekey(connection: sa.Connection, import_id: int, question: str,
          stored: Mapping[str, list], respondents: Iterable
          ) -> tuple[dict[int, str], int, int]:
    """Row keys of one batch's live respondents, recomputed without ``question``.

    ``stored`` holds the batch's answer arrays (question -> values by position), still
    including ``question``; ``respondents`` the batch's live rows (id, position,
    submitted_at, row_key, submission_key). Records the reduced key set and updates
    ``row_key`` where it changes; returns the new submission keys of rows whose vault
    binding was itself an old row key (no vault entries yet), how many keys changed, and
    how many bindings still are an old key over ``question`` (their entries are sealed to
    it; changing it needs the private key).
    """
    i, r, q = schema.imports, schema.respondents, schema.questionnaires
    form_id, raw = connection.execute(
        sa.select(q.c.form_id, i.c.row_key_sets).join(q, q.c.id == i.c.questionnaire_id)
        .where(i.c.id == import_id)).one()
    sets = key_sets(raw)
    if question not in sets[-1]:
        return {}, 0, 0
    reduced = [name for name in sets[-1] if name != question]
    people = sorted((p for p in respondents if p.row_key is not None), key=lambda p: p.number)
    if people:
        positions = [p.position for p in people]
        frame = pd.DataFrame({name: pd.Series([stored[name][k] for k in positions],
                                              dtype=object)
                              for name in reduced if name in stored})
        times = pd.Series(pd.to_datetime([p.submitted_at for p in people], utc=True))
        # Keys stay in the scheme they were made with.
        keys = row_keys(frame, times, form_id, scheme_of(people[0].row_key)).tolist()
    else:
        keys = []
    changed, bound, rebound = 0, 0, {}
    for person, key in zip(people, keys, strict=True):
        if key == person.row_key:
            continue
        values = {"row_key": key}
        if person.submission_key == person.row_key:
            # A pre-0007 row bound its vault entries to its hash; with none sealed yet it
            # can take a random binding and drop the hash over the sealed answer.
            if person.has_entries:
                bound += 1
            else:
                values["submission_key"] = rebound[person.id] = new_submission_key()
        connection.execute(sa.update(r).where(r.c.id == person.id).values(**values))
        changed += 1
    connection.execute(sa.update(i).where(i.c.id == import_id).values(
        row_key_sets=json.dumps([*sets, reduced], ensure_ascii=False)))
    return rebound, changed, bound
