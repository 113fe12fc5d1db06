"""The redaction page's acts: list proposals, decide, reveal an original, read a document
redacted. Each checks the researcher's role, then calls ``privacy.redaction``.

Deciding what is hidden changes every published quote, so it takes the right to code
(owners and coders); viewers read the list. While a proposal is open the page shows the
stretch to decide on (as ``syrmak redact --list`` does); once accepted it shows the
pseudonym, and the original comes back only through ``reveal``, which is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from syrmak.errors import SyrmakError
from syrmak.privacy import redaction
from syrmak.workspace.people import Researcher, require

if TYPE_CHECKING:
    from syrmak.study import Study

KINDS = ("person", "place", "organisation", "contact")
STATUSES = ("proposed", "accepted", "rejected")


@dataclass(frozen=True)
class Item:
    """One proposal as the page shows it: the words around it and the stretch (the
    original while undecided or rejected; the pseudonym once accepted)."""
    id: int
    document: str
    kind: str
    source: str
    status: str
    before: str
    shown: str
    after: str


@dataclass(frozen=True)
class Listing:
    items: tuple[Item, ...]
    documents: tuple[str, ...]
    may_decide: bool
    counts: dict[str, int]


def _item(p: redaction.Proposal) -> Item:
    before, rest = p.context.split("[[", 1)
    stretch, after = rest.rsplit("]]", 1)
    shown = p.pseudonym if p.status == "accepted" and p.pseudonym else stretch
    return Item(p.id, p.document, p.kind, p.source, p.status, before, shown, after)


def _check(value: str | None, allowed: tuple[str, ...], name: str) -> str | None:
    if value in (None, ""):
        return None
    if value not in allowed:
        raise SyrmakError(f"'{value}' is not a {name}.", f"use one of {', '.join(allowed)}.",
                          code="bad-argument", value=value)
    return value


def listing(study: Study, who: Researcher | None, document: str | None = None,
            kind: str | None = None, status: str | None = None) -> Listing:
    """The proposals of one document (or all), filtered by kind and state."""
    from syrmak.qual.documents import list_documents

    who = require(who, "read")
    kind, status = _check(kind, KINDS, "kind"), _check(status, STATUSES, "state")
    every = redaction.proposals(study, document or None)
    tally = {s: sum(p.status == s for p in every) for s in STATUSES}
    chosen = [p for p in every if (kind is None or p.kind == kind)
              and (status is None or p.status == status)]
    names = tuple(d["name"] for d in list_documents(study).rows
                  if d["kind"] in redaction.KINDS)
    return Listing(tuple(_item(p) for p in chosen), names, who.may("code"), tally)


def decide(study: Study, who: Researcher | None, proposal: int, accept: bool) -> Item:
    """Accept or reject one proposal; the item as the page now shows it."""
    who = require(who, "code")
    redaction.decide(study, [proposal], accept, actor=who.name)
    return one(study, who, proposal)


def counts(study: Study, who: Researcher | None, document: str | None = None
           ) -> dict[str, int]:
    """How many proposals of one document (or all) are in each state."""
    require(who, "read")
    every = redaction.proposals(study, document or None)
    return {s: sum(p.status == s for p in every) for s in STATUSES}


def one(study: Study, who: Researcher | None, proposal: int) -> Item:
    require(who, "read")
    found = [p for p in redaction.proposals(study) if p.id == proposal]
    if not found:
        raise SyrmakError(f"there is no redaction proposal {proposal}.", "reload the page.",
                          code="unknown-redaction", value=proposal)
    return _item(found[0])


def reveal(study: Study, who: Researcher | None, proposal: int) -> str:
    """The original behind a proposal; audited with the researcher's name."""
    who = require(who, "code")
    return redaction.reveal(study, proposal, actor=who.name)


def propose(study: Study, who: Researcher | None, document: str | None = None) -> int:
    """Look for new proposals (natasha, the gazetteer, the contact patterns)."""
    who = require(who, "code")
    return redaction.propose(study, document or None, actor=who.name)


def redacted_text(study: Study, who: Researcher | None, document: str) -> tuple[str, str]:
    """(name, text with the accepted redactions replaced) of one document."""
    require(who, "read")
    return redaction.redacted_document(study, document)
