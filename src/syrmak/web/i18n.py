"""The interface's language: English or Russian, from gettext catalogs read with Babel.

The ``.po`` files in ``locale/`` are the source and are compiled in memory when first used,
so there is no build step and no ``.mo`` binary in the repository. A researcher's own
choice wins; otherwise the browser's Accept-Language. The study's content (documents,
codes, answers) is shown in the language it was written in, untranslated.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

LOCALES = ("en", "ru")
DEFAULT = "en"
DOMAIN = "syrmak"
LOCALE_DIR = Path(__file__).with_name("locale")


@lru_cache(maxsize=len(LOCALES))
def translations(locale: str):
    """gettext translations for ``locale`` (English: the identity)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import NullTranslations, Translations

    path = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if locale == DEFAULT or not path.is_file():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)


def negotiate(accept_language: str | None) -> str:
    """The best of our locales for an Accept-Language header."""
    from babel import Locale

    wanted = []
    for part in (accept_language or "").split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        if tag:
            wanted.append((weight, tag.replace("-", "_")))
    preferred = [tag for _, tag in sorted(wanted, key=lambda w: -w[0])]
    found = Locale.negotiate(preferred, list(LOCALES), sep="_") if preferred else None
    return str(found.language) if found else DEFAULT


def choose(preference: str | None, accept_language: str | None) -> str:
    return preference if preference in LOCALES else negotiate(accept_language)
