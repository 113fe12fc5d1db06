"""Substitute names for redacted persons, inflected to the original's case, gender and number.

A label ("[Person 3]") is honest but reads badly inside a Russian sentence; a study may
choose (``[privacy] pseudonyms = "names"`` in ``syrmak.toml``) to print a made-up name
instead, in the grammatical form the sentence needs: "с Ерланом" -> "с Маратом", "к
Айгерим" -> "к Марине". Everything here is pymorphy3 (already a dependency) and two short
lists of common given names and surnames, all of which pymorphy3's dictionary declines.

A person's substitute depends only on their pseudonym number and gender, so the same
person gets the same substitute in every document; a substitute equal to the original
name is skipped. Kazakh names pymorphy3 does not decline (Айгерим, Асель) carry no case of
their own: the preposition before them decides it ("с Айгерим" -> instrumental).
"""

from __future__ import annotations

import re
from functools import cache

from syrmak.text import morph as _morph

#: Made-up substitutes: common given names of Kazakhstan's Russian- and Kazakh-speaking
#: people that pymorphy3 knows and declines regularly (checked in tests/privacy).
GIVEN = {
    # Consonant-initial and not starting with с+consonant, so that the preposition before
    # the original stays right ("о Ерлане", not "о Олеге"; "с Ерланом", not "с Светланой").
    "masc": ("Марат", "Тимур", "Руслан", "Дамир", "Серик", "Данияр", "Виктор", "Болат",
             "Денис", "Бекзат", "Максим", "Павел"),
    "femn": ("Марина", "Жанна", "Мадина", "Гульнара", "Динара", "Камила", "Наталья",
             "Сабина", "Галина", "Лейла", "Зарина", "Вера"),
}
SURNAMES = ("Смирнов", "Ахметов", "Кузнецов", "Жумабаев", "Попов", "Исаев", "Петров",
            "Соколов", "Васильев")

#: The case a preposition governs when the name itself does not say (indeclinable names).
#: The commonest reading; "в/на/за/под" are left out (two cases each).
PREPOSITION_CASE = {
    "с": "ablt", "со": "ablt", "между": "ablt", "над": "ablt", "перед": "ablt",
    "к": "datv", "ко": "datv", "по": "datv", "благодаря": "datv",
    "о": "loct", "об": "loct", "обо": "loct", "при": "loct",
    "у": "gent", "от": "gent", "до": "gent", "без": "gent", "для": "gent", "из": "gent",
    "около": "gent", "возле": "gent", "кроме": "gent", "против": "gent",
    "про": "accs", "через": "accs",
}
CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")
_WORD = re.compile(r"[\w-]+")




@cache
def _known() -> frozenset[str]:
    """The given names of the gazetteer (privacy/data/kk_gazetteer.tsv), lower case."""
    from importlib import resources

    text = resources.files("syrmak.privacy").joinpath("data/kk_gazetteer.tsv").read_text(
        encoding="utf-8")
    return frozenset(line.split("\t")[1].strip().lower() for line in text.splitlines()
                     if line.startswith("person\t"))


def gender(name: str) -> str:
    """'masc' or 'femn' of a given name as pymorphy3 reads it in this form (the likeliest
    singular name reading); a name it does not know is guessed from its ending (-а/-я:
    feminine). Callers decide once per person (``redaction``), so that "Нурлану" and
    "Нурлана" cannot give one person two genders."""
    words = _WORD.findall(name)
    word = (words[0] if words else name).lower()
    found = [p for p in _morph().parse(word) if "Name" in p.tag and p.tag.number == "sing"]
    # A reading whose dictionary form is a name of the Kazakh gazetteer wins: "Ерлану" is
    # Ерлан's dative, not the accusative of a feminine "Ерлана".
    found = [p for p in found if p.normal_form in _known()] or found
    if found:
        return str(max(found, key=lambda p: p.score).tag.gender)
    return "femn" if word.endswith(("а", "я")) else "masc"


def _governing(before: str) -> tuple[str | None, str | None]:
    """(the word just before a name, and the case of the name before "и"/"или" when the
    name is the second of a pair: "Ерлану и Айгерим" -> the dative of "Ерлану")."""
    previous = _WORD.findall(before[-40:])
    if not previous:
        return None, None
    if previous[-1].lower() in ("и", "или") and len(previous) >= 2 and previous[-2][:1].isupper():
        first = previous[-2]
        return previous[-1], _case(first, gender(first), previous[-3] if len(previous) > 2
                                   else None)
    return previous[-1], None


def _case(word: str, sex: str, preposition: str | None, paired: str | None = None) -> str:
    """The grammatical case of ``word`` (a name of gender ``sex``) in its sentence;
    ``paired`` is the case of the name it is joined to by "и"."""
    morph = _morph()
    parses = [p for p in morph.parse(word.lower())
              if ("Name" in p.tag or "Surn" in p.tag) and p.tag.number == "sing"]
    same = [p for p in parses if p.tag.gender == sex] or parses
    cases = {str(p.tag.case) for p in same}
    governed = PREPOSITION_CASE.get((preposition or "").lower()) or paired
    if governed and (governed in cases or not cases or "Fixd" in str(same[0].tag)):
        return governed
    if not same:
        return governed or "nomn"
    if "Fixd" in str(same[0].tag):  # indeclinable: every case fits; nominative unless told
        return "nomn"
    return str(max(same, key=lambda p: p.score).tag.case)


def _inflect(base: str, tag: str, sex: str, case: str) -> str:
    morph = _morph()
    parse = next(p for p in morph.parse(base)
                 if tag in p.tag and p.tag.case == "nomn" and p.tag.number == "sing"
                 and (tag == "Surn" or p.tag.gender == sex))
    form = parse.inflect({sex, case, "sing"} if tag == "Surn" else {case, "sing"})
    word = form.word if form is not None else base.lower()
    return word[:1].upper() + word[1:]


def substitute(original: str, number: int, before: str = "", sex: str | None = None) -> str:
    """The substitute for person ``number`` whose mention here is ``original``, declined
    like it; ``before`` is the text before the mention (for the governing preposition);
    ``sex`` the person's gender when known (else read from this mention).

    A first word becomes a substitute given name, a last word (when there are two or more)
    a substitute surname; words between (a patronymic) are dropped.
    """
    words = _WORD.findall(original)
    if not words:
        return original
    sex = sex or gender(words[0])
    case = _case(words[0], sex, *_governing(before))
    own = _morph().parse(words[0].lower())[0].normal_form
    names = GIVEN[sex]
    start = (number - 1) % len(names)
    given = next(n for n in names[start:] + names[:start] if n.lower() != own)
    out = [_inflect(given, "Name", sex, case)]
    if len(words) > 1:
        own = _morph().parse(words[-1].lower())[0].normal_form
        start = (number - 1) % len(SURNAMES)
        surname = next(n for n in SURNAMES[start:] + SURNAMES[:start] if n.lower() != own)
        out.append(_inflect(surname, "Surn", sex, case))
    return " ".join(out)
