"""Language names and codes as people write them in XLSForm headers and after ``--lang``.

``label::Español``, ``label::Russian (ru)``, ``label::ru`` and ``label::Tetun`` all name a
language; syrmak keeps one BCP 47 code for it (``es``, ``ru``, ``tet``), the code a user
types after ``--lang``. The names come from ``langcodes`` (with its ``language_data``), which
knows English names and each language's own name; a few Russian-language names it does not
know are listed here.
"""

from __future__ import annotations

import re
from functools import lru_cache

#: Names langcodes does not know (it knows English names and autonyms).
EXTRA_NAMES = {
    "русский": "ru",
    "казахский": "kk",
    "қазақша": "kk",
    "қазақ тілі": "kk",
    "кыргызча": "ky",
    "киргизский": "ky",
    "узбекский": "uz",
    "таджикский": "tg",
    "украинский": "uk",
    "английский": "en",
    "немецкий": "de",
    "французский": "fr",
}
_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")
_WITH_CODE = re.compile(r"^(?P<name>.*?)\s*\(\s*(?P<code>[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)\s*\)$")
#: What pyxform and XLSForm write for "no language given".
UNDETERMINED = "und"


@lru_cache(maxsize=512)
def tag(text: str) -> str | None:
    """``text`` as a standard BCP 47 tag (``pt_br`` -> ``pt-BR``) if it is a valid one."""
    import langcodes

    text = text.strip()
    if not _TAG.fullmatch(text):
        return None
    try:
        standard = langcodes.standardize_tag(text.replace("_", "-"))
    except (ValueError, LookupError):
        return None
    return standard if langcodes.tag_is_valid(standard) else None


@lru_cache(maxsize=512)
def from_name(text: str) -> str | None:
    """The code of a language name in English or in the language itself, if known."""
    import langcodes

    key = " ".join(text.split()).casefold()
    if not key:
        return None
    if key in EXTRA_NAMES:
        return EXTRA_NAMES[key]
    try:
        return langcodes.find(key).to_tag()
    except LookupError:
        return None


@lru_cache(maxsize=512)
def name(code: str) -> str:
    """The English name of a language code (``kk`` -> ``Kazakh``), or the code itself."""
    import langcodes

    try:
        found = langcodes.Language.get(code).display_name()
    except (ValueError, LookupError):
        return code
    return code if found.lower().startswith("unknown language") else found


def slug(text: str) -> str:
    """A code one can type for a name nobody knows: ``My dialect`` -> ``my-dialect``."""
    return re.sub(r"[^\w]+", "-", text.strip().casefold()).strip("-") or UNDETERMINED


def parse(text: str) -> tuple[str, str]:
    """``'Russian (ru)'``, ``'ru'``, ``'Russian'``, ``'Русский'`` -> ``('ru', 'Russian (ru)')``.

    The second item is the canonical header spelling (``Name (code)``). A name no library
    knows keeps its spelling, with a code made of it that has no spaces or parentheses.
    """
    text = text.strip()
    match = _WITH_CODE.match(text)
    if match:
        code = tag(match["code"]) or match["code"].lower().replace("_", "-")
        shown = match["name"].strip() or name(code)
    elif (code := tag(text)) is not None:
        shown = name(code)
    elif (code := from_name(text)) is not None:
        shown = text if text != text.lower() else text.title()
    else:
        code, shown = slug(text), text
    return code, f"{shown} ({code})"


def resolve(wanted: str, available) -> str | None:
    """The code among ``available`` that ``wanted`` (a code or a name) means, if any."""
    available = list(available)
    if wanted in available:
        return wanted
    folded = {a.casefold(): a for a in available}
    if wanted.strip().casefold() in folded:
        return folded[wanted.strip().casefold()]
    code = parse(wanted)[0]
    if code in available:
        return code
    base = code.split("-", 1)[0]
    close = [a for a in available if a.split("-", 1)[0] == base]
    return close[0] if len(close) == 1 else None
