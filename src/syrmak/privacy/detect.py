"""Does a text hold contact details? E-mail addresses (also spelt out), phone numbers,
messenger handles and profile links, found without ever repeating them.

Every detector is one row of ``PATTERNS``. The rows are written so that a search is
linear in the length of the text, whatever the text: each regex starts with a literal
or a small character class (so the regex engine skips ahead in C), every repetition is
bounded, and repetitions that could be split two ways are possessive (``{m,n}+``), so a
failed attempt never backtracks into them. A 10 MB cell costs a few passes over it
(``tests/privacy/test_detect.py`` measures that against ``str.split`` on the same text).

False positives are kept down by the shapes themselves: a phone number needs 10 or more
digits in a phone's grouping (``+`` and a country code; 8 or 7 and ten digits; or ten
digits grouped 3-3-2-2 / 3-3-4), never inside a longer number or after a decimal point,
and never a round number; an e-mail needs a domain ending in letters; a spelt-out
address needs both "at" and "dot" spelt out unless they are bracketed.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

#: What a kind is called in warnings ("the answer looks like ...").
KINDS = {
    "email": "an e-mail address",
    "phone": "a phone number",
    "handle": "a messenger or social-network handle",
    "link": "a link to a messenger or social-network profile",
}
#: Shown instead of a value that looks like a contact, in messages and errors.
MASK = "(a value that looks like a contact, not shown)"

_AT_BEFORE = r"[\w.+\-]"  # what may end the local part of an e-mail address
_DOT_WORDS = r"(?:dot|точка|тчк)"

_AT = re.compile(
    r"""@
    (?:
        (?<=[\w.+\-]@)                                      # a local part: an e-mail
        (?P<email>[^\W_][\w\-]{0,62}+(?:\.[\w\-]{1,63}+){1,8}+)
        (?<=[^\W\d_]{2})(?![\w\-])                          # the domain ends in letters
      | (?<![\w.+\-]@)                                      # nothing before: a handle
        (?P<handle>[A-Za-z][A-Za-z0-9_.]{2,31}+)(?!\()      # @SUM(A1) is a formula
    )""", re.VERBOSE)

_PROFILE_SITES = ("t.me", "telegram.me", "telegram.dog", "wa.me", "vk.com", "vk.ru", "ok.ru",
                  "instagram.com", "instagr.am", "facebook.com", "fb.com", "twitter.com",
                  "x.com", "tiktok.com", "threads.net", "linkedin.com/in", "signal.me",
                  "max.ru/u", "youtube.com")
_LINK = re.compile(
    r"/(?:" + "|".join(rf"(?<=(?<![\w\-]){re.escape(site)}/)" for site in _PROFILE_SITES)
    + r")[@+#]?[\w.\-]{2,64}+", re.IGNORECASE)

_S = r"[ \u00a0.\-]"  # one separator between the digit groups of a phone number
_PHONE = re.compile(
    rf"""[0-9+(]
    (?<![\w+][0-9+(])                    # not glued to a word, a number or a '+'
    (?<![0-9][.,][0-9+(])                # not the decimals or thousands of a number
    (?:
        (?<=\+)(?P<intl>[0-9]{{1,3}}+(?:[ \u00a0.\-]{{0,2}}+\(?[0-9]{{1,5}}+\)?){{2,7}}+)
      | (?<=[78]){_S}?(?:\([0-9]{{3}}\)|[0-9]{{3}}){_S}?[0-9]{{3}}{_S}?
            (?:[0-9]{{2}}{_S}?[0-9]{{2}}|[0-9]{{4}})
      | (?<=[78]){_S}?(?:\([0-9]{{4}}\)|[0-9]{{4}}){_S}?[0-9]{{2}}{_S}?[0-9]{{2}}{_S}?[0-9]{{2}}
      | (?<=\()[0-9]{{3}}\){_S}?[0-9]{{3}}{_S}?(?:[0-9]{{2}}{_S}?[0-9]{{2}}|[0-9]{{4}})
      | (?<=[0-9])[0-9]{{2}}{_S}?[0-9]{{3}}{_S}?(?:[0-9]{{2}}{_S}?[0-9]{{2}}|[0-9]{{4}})
    )
    (?![0-9])(?![.,][0-9])""", re.VERBOSE)


def _spelt_at(word: str) -> re.Pattern:
    """``name at mail dot ru``, ``name [at] mail [dot] ru``, ``name(at)mail.ru``.

    Searched in the lower-cased text, starting at the literal word, so the engine jumps
    from one "at" to the next. Plain "at ... dot" must both be spelt out: "at lenta.ru"
    is ordinary English.
    """
    w = re.escape(word)
    n = len(word)
    plain = rf"(?<={_AT_BEFORE} {w})(?P<plain>)"
    bracketed = "|".join(rf"(?<={_AT_BEFORE}{before}{w})"
                         for before in (r"[\[(<{]", r" [\[(<{]", r"[\[(<{] ", r" [\[(<{] "))
    dot = (rf"(?:\s{{0,2}}+[\[(<{{]\s?(?:{_DOT_WORDS}|\.)\s?[\])>}}]\s{{0,2}}+"
           rf"|\s{{1,2}}+{_DOT_WORDS}\s{{1,2}}+|(?(plain)(?!)|\.))")
    assert n  # the lookbehinds above are fixed-width because the word is literal
    return re.compile(
        rf"{w}(?:{plain}|{bracketed})(?(plain)\s{{1,2}}+|\s?[\])>}}]\s?)"
        rf"[\w\-]{{1,63}}+{dot}[^\W\d_]{{2,24}}+(?![\w\-])")


def _email_or_handle(match: re.Match) -> str | None:
    return "email" if match["email"] else "handle"


def _phone(match: re.Match) -> str | None:
    digits = re.sub(r"[^0-9]", "", match.group())
    if match["intl"] and not 10 <= len(digits) <= 15:
        return None
    # 7000000000 and 8 888 888 88 88 are amounts and placeholders, not somebody's phone.
    if digits.endswith("000000") or len(set(digits)) == 1:
        return None
    return "phone"


@dataclass(frozen=True)
class Pattern:
    """One detector: what it finds (for the docs and the tests) and how."""

    name: str
    finds: str
    regex: re.Pattern
    #: The kind of a match, or None when the match is a false alarm.
    accept: Callable[[re.Match], str | None]
    #: Searched in the lower-cased text (spelt-out words in any case).
    lowered: bool = False


PATTERNS: tuple[Pattern, ...] = (
    Pattern("e-mail / handle", "aigerim@mail.kz; @erlan_kz (not part of an address)",
            _AT, _email_or_handle),
    Pattern("spelt-out e-mail", "name at mail dot ru, name [at] mail [dot] ru, name(at)mail.ru",
            _spelt_at("at"), lambda m: "email", lowered=True),
    Pattern("spelt-out e-mail (ru)", "name собака mail точка ru",
            _spelt_at("собака"), lambda m: "email", lowered=True),
    Pattern("profile link", "t.me/x, wa.me/7701…, instagram.com/x, vk.com/x, facebook.com/x",
            _LINK, lambda m: "link"),
    Pattern("phone", "+7 701 999 88 77, 8 (727) 300-20-10, 8.701.555.66.77, 87015556677, "
            "(202) 555-0143, 701 555 66 77", _PHONE, _phone),
)

#: Shorter than the shortest contact any pattern finds ("@abc"): skipped at once.
_SHORTEST = 4


@dataclass(frozen=True)
class Finding:
    kind: str
    line: int  # from 1


def _matches(text: str) -> Iterator[tuple[str, re.Match, str]]:
    """(kind, match, the text searched: ``text`` or its lower-cased copy), pattern by pattern."""
    if len(text) < _SHORTEST:
        return
    lowered = None
    for pattern in PATTERNS:
        if pattern.lowered and lowered is None:
            lowered = text.lower()
        searched = lowered if pattern.lowered else text
        for match in pattern.regex.finditer(searched):
            kind = pattern.accept(match)
            if kind is not None:
                yield kind, match, searched


def findings(text: str) -> list[Finding]:
    """Every contact-looking stretch of ``text`` by line (never the stretch itself)."""
    breaks: dict[int, list[int]] = {}
    found = set()
    for kind, match, searched in _matches(text):
        # Lower-casing may lengthen a few letters but keeps every line break: count the
        # breaks in the text that was searched.
        lines = breaks.setdefault(id(searched), [m.start() for m in re.finditer("\n", searched)])
        found.add((bisect.bisect_left(lines, match.start()) + 1, kind))
    return [Finding(kind, line) for line, kind in sorted(found)]


#: Cheap tests that rule a text out before the patterns run; a contact any pattern finds
#: has one of: an "@"; ten digits with at most four other characters between neighbours
#: (every phone shape has ten digits or more); "собака"; "at" in brackets, or a spelt-out
#: "at" with a spelt-out or bracketed dot; a profile site followed by "/".
_TEN_DIGITS = re.compile(r"[0-9](?:[^0-9]{0,4}[0-9]){9}")
_BRACKETED_AT = re.compile(r"[\[(<{]\s?at\s?[\])>}]")
_PLAIN_AT = re.compile(r"[\w.+\-] at\s")
_BRACKETED_DOT = re.compile(r"[\[(<{]\s?\.\s?[\])>}]")


def _may_hold_contact(text: str) -> bool:
    if "@" in text or _TEN_DIGITS.search(text):
        return True
    low = text.lower()
    if "собака" in low:
        return True
    if "at" in low and (_BRACKETED_AT.search(low) or (
            _PLAIN_AT.search(low) and ("dot" in low or "точка" in low or "тчк" in low
                                       or _BRACKETED_DOT.search(low)))):
        return True
    slash = low.find("/")
    while slash > 0:  # a profile site ends right before a "/"
        if low.endswith(_PROFILE_SITES, 0, slash):
            return True
        slash = low.find("/", slash + 1)
    return False


def contact_kinds(texts) -> list[str | None]:
    """``contact_kind`` of many texts: the same answers, found in a few passes over all of
    them joined (a column of a million free-text answers): the cheap tests of
    ``_may_hold_contact`` run as searches over the joined text, in C, and only the texts
    they point at are looked at one by one."""
    texts = [t if type(t) is str else str(t) for t in texts]
    if not texts:
        return []
    kinds: list[str | None] = [None] * len(texts)
    for i in _pointed_at(texts):
        text = texts[i]
        if len(text) >= _SHORTEST and _may_hold_contact(text):
            kinds[i] = contact_kind(text)
    return kinds


#: The joined texts' cheap tests beyond "@" and the digits, each run only when a literal
#: search (in C, fast) finds what it needs: on the lower-cased text, "собака" and the dot
#: words a spelt-out "at" needs ("dot", "точка", "тчк"); a bracketed "at" or dot; and, on
#: the bytes, an ASCII letter before "/" (every profile site ends in a letter).
_LOWER_WORDS = ("собака", "dot", "точка", "тчк")
_BRACKETED = re.compile(r"[\[(<{]\s?(?:\.|[aA][tT])\s?[\])>}]")


def _pointed_at(texts: list[str]) -> list[int]:
    """The texts some cheap test points at: counted over their UTF-8 bytes by numpy (an
    "@", ten digits or more), searched in the joined text by C (the rest)."""
    import numpy as np

    blob = "\x00".join(texts)
    data = np.frombuffer(blob.encode("utf-8", errors="surrogatepass"), dtype=np.uint8)
    separators = np.flatnonzero(data == 0)  # UTF-8 has no 0 byte but the separators
    count = len(texts)

    def per_text(mask) -> np.ndarray:
        return np.bincount(np.searchsorted(separators, np.flatnonzero(mask)),
                           minlength=count)

    digits = per_text((data >= 0x30) & (data <= 0x39))
    hits = set(np.flatnonzero((digits >= 10) | (per_text(data == 0x40) > 0)).tolist())
    ends = np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=count) + 1) - 1

    def mark(positions: list[int], bounds) -> None:
        if positions:
            hits.update(np.searchsorted(bounds, positions).tolist())

    low = blob.lower()
    low_ends = ends if len(low) == len(blob) else np.array(
        [m.start() for m in re.finditer("\x00", low)] + [len(low)])
    for word in _LOWER_WORDS:
        if word in low:
            mark([m.start() for m in re.finditer(word, low)], low_ends)
    if any(c in blob for c in "[(<{"):
        mark([m.start() for m in _BRACKETED.finditer(blob)], ends)
    if "/" in blob:  # on the bytes: in UTF-8 an ASCII letter or "/" is only ever itself
        letter = data[:-1] | 0x20
        after_letter = np.zeros(len(data), dtype=bool)
        after_letter[1:] = (data[1:] == 0x2F) & (letter >= 0x61) & (letter <= 0x7A)
        hits.update(np.flatnonzero(per_text(after_letter)).tolist())
    return sorted(hits)


def contact_kind(text: str | None) -> str | None:
    """The kind of the first contact found in ``text`` ('email', 'phone', ...), or None."""
    if not text:
        return None
    return next((kind for kind, _, _ in _matches(str(text))), None)


def looks_like_contact(text: str | None) -> bool:
    return contact_kind(text) is not None


def shown(value: object, limit: int = 40) -> str:
    """A cell value for a message: quoted and shortened, or masked if it looks like a contact."""
    text = str(value)
    if looks_like_contact(text):
        return MASK
    return repr(text if len(text) <= limit else text[:limit] + "…")


def safe(value: object) -> object:
    """``value``, or None if it is a text that looks like a contact (for ``SyrmakError.value``)."""
    return None if isinstance(value, str) and looks_like_contact(value) else value


__all__ = ["KINDS", "MASK", "PATTERNS", "Finding", "Pattern", "contact_kind", "contact_kinds",
           "findings",
           "looks_like_contact", "safe", "shown"]


def spans(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of every contact-looking stretch, for redaction (privacy/redaction.py).

    Offsets are code points of ``text``. Patterns that search a lower-cased copy give its
    offsets, which are the text's unless lower-casing changed its length (a dotted capital
    I, say); then those matches are left to the other detectors.
    """
    found = []
    for kind, match, searched in _matches(text):
        if searched is not text and len(searched) != len(text):
            continue
        start, end = match.start(), match.end()
        if kind == "email":  # the match starts at '@': take the local part too
            while start > 0 and re.match(_AT_BEFORE, text[start - 1]):
                start -= 1
        while end > start and text[end - 1] == ".":  # a full stop ends the sentence
            end -= 1
        found.append((kind, start, end))
    return sorted(set(found), key=lambda s: (s[1], -s[2]))
