"""Referral coupons, the respondent's survey session and its consent stage.

A coupon is ``secrets.token_urlsafe(12)`` (96 random bits). It works once, may expire, and
is bound to the first browser session that opens it, so it never has to be typed into the
form. A submission from a session that came with a coupon gets its recruiter, seed and
wave from that coupon (``recruitment``), and K fresh coupons to pass on.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa

from syrmak.errors import SyrmakError
from syrmak.store import db, schema

if TYPE_CHECKING:
    from syrmak.study import Study

#: Coupons a respondent gets to pass on, unless the study's syrmak.toml says otherwise
#: ([survey] coupons = K).
DEFAULT_COUPONS = 3
CODE_BYTES = 12  # 96 bits


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes for what was stored as UTC.
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def coupons_per_respondent(study: Study) -> int:
    return int(study.config.get("survey", {}).get("coupons", DEFAULT_COUPONS))


def new_codes(connection: sa.Connection, count: int, recruiter_id: int | None,
              expires_at: datetime | None) -> list[str]:
    codes = [secrets.token_urlsafe(CODE_BYTES) for _ in range(count)]
    if codes:
        connection.execute(sa.insert(schema.coupons), [
            {"code": code, "recruiter_id": recruiter_id, "issued_at": _now(),
             "expires_at": expires_at} for code in codes])
    return codes


def issue_seeds(study: Study, count: int, *, expires_days: int | None = None,
                actor: str | None = None) -> list[str]:
    """``count`` seed coupons for the researchers to hand out; their codes."""
    if not 1 <= count <= 1000:
        raise SyrmakError(f"cannot issue {count} seed coupons.", "give --count from 1 to 1000.",
                          code="bad-argument", value=str(count))
    expires = _now() + timedelta(days=expires_days) if expires_days else None
    with db.writer(study.engine, study.id) as connection:
        codes = new_codes(connection, count, None, expires)
        study.log("coupons-seed", {"count": count, "expires_days": expires_days}, actor,
                  connection)
    return codes


def _coupon_refusal(code: str) -> SyrmakError:
    messages = {
        "coupon-unknown": ("this invitation link is not valid.",
                           "check that the whole link was copied, or ask the person who sent "
                           "it for a new one."),
        "coupon-used": ("this invitation link has already been used.",
                        "each link works once: ask the person who sent it for another."),
        "coupon-expired": ("this invitation link has expired.",
                           "ask the person who sent it for a new one."),
        "coupon-bound": ("this invitation link is already open in another browser.",
                         "finish the survey there, or ask for another link."),
    }
    message, hint = messages[code]
    return SyrmakError(message, hint, code=code)


@dataclass(frozen=True)
class SurveySession:
    form_number: int
    language: str | None
    consented: bool
    respondent: int | None
    coupons: tuple[str, ...]  # the respondent's coupons to pass on (after submitting)


def start(study: Study, code: str | None, language: str | None,
          current: str | None = None) -> str:
    """The survey session for this browser (its random id, for the cookie): ``current``
    when it is still open (not submitted) and fits ``code``, else a new one, bound to
    ``code`` if given.

    A coupon that is unknown, used, expired or bound to another session is refused and
    nothing is written.
    """
    from syrmak.collect.forms import open_version

    version = open_version(study)
    if version is None:
        raise SyrmakError("the survey is not open.", "it may have closed; thank you for your "
                          "interest.", code="form-closed")
    c, s = schema.coupons, schema.survey_sessions
    session_id = secrets.token_urlsafe(32)
    digest = _digest(session_id)
    with db.writer(study.engine, study.id) as connection:
        if current:
            mine = connection.execute(sa.select(s.c.coupon_id, s.c.respondent_id).where(
                s.c.id_hash == _digest(current))).first()
            bound = mine.coupon_id if mine else None
            if mine is not None and mine.respondent_id is None and (
                    not code or (bound is not None and connection.execute(
                        sa.select(c.c.code).where(c.c.id == bound)).scalar() == code)):
                return current
        coupon_id = None
        if code:
            row = connection.execute(sa.select(c.c.id, c.c.expires_at, c.c.used_by,
                                               c.c.session_hash)
                                     .where(c.c.code == code[:64])).first()
            if row is None:
                raise _coupon_refusal("coupon-unknown")
            if row.used_by is not None:
                raise _coupon_refusal("coupon-used")
            if row.expires_at is not None and _aware(row.expires_at) < _now():
                raise _coupon_refusal("coupon-expired")
            if row.session_hash is not None:
                raise _coupon_refusal("coupon-bound")
            connection.execute(sa.update(c).where(c.c.id == row.id).values(
                session_hash=digest, opened_at=_now()))
            coupon_id = row.id
        connection.execute(sa.insert(schema.survey_sessions), {
            "id_hash": digest, "form_number": version.number, "language": language,
            "coupon_id": coupon_id, "created_at": _now()})
    return session_id


def consent(study: Study, session_id: str | None) -> None:
    """Record the consent stage of a session (logged without anything about the person)."""
    s = schema.survey_sessions
    with db.writer(study.engine, study.id) as connection:
        done = connection.execute(sa.update(s).where(
            s.c.id_hash == _digest(session_id or ""), s.c.consented_at.is_(None))
            .values(consented_at=_now())).rowcount
        if not done and find(study, session_id, connection) is None:
            raise SyrmakError("this survey session has expired or was never opened.",
                              "open the survey link again.", code="no-survey-session")


def find(study: Study, session_id: str | None,
         connection: sa.Connection | None = None) -> SurveySession | None:
    if not session_id:
        return None
    s, r, c = schema.survey_sessions, schema.respondents, schema.coupons

    def read(conn):
        row = conn.execute(sa.select(s.c.form_number, s.c.language, s.c.consented_at,
                                     s.c.respondent_id, r.c.number)
                           .outerjoin(r, r.c.id == s.c.respondent_id)
                           .where(s.c.id_hash == _digest(session_id))).first()
        if row is None:
            return None
        codes = ()
        if row.respondent_id is not None:
            codes = tuple(conn.execute(sa.select(c.c.code).where(
                c.c.recruiter_id == row.respondent_id).order_by(c.c.id)).scalars())
        return SurveySession(row.form_number, row.language, row.consented_at is not None,
                             row.number, codes)

    if connection is not None:
        return read(connection)
    with study.engine.connect() as conn:
        return read(conn)


def attach(study: Study, connection: sa.Connection, session_id: str, respondent_id: int) -> int:
    """Inside the submission's transaction: bind the session's respondent, derive recruiter,
    seed and wave from its coupon, mark the coupon used, issue the respondent's coupons.
    Returns the wave (None: the session came without a coupon)."""
    s, c, t = schema.survey_sessions, schema.coupons, schema.recruitment
    row = connection.execute(sa.select(s.c.coupon_id, s.c.respondent_id, s.c.consented_at)
                             .where(s.c.id_hash == _digest(session_id))).first()
    if row is None or row.consented_at is None:
        raise SyrmakError("the survey session has no recorded consent.",
                          "open the survey link again and give consent first.",
                          code="no-consent")
    if row.respondent_id is not None:
        raise SyrmakError("this browser has already sent its answers.",
                          "thank you: nothing more is needed.", code="duplicate-submission")
    connection.execute(sa.update(s).where(s.c.id_hash == _digest(session_id))
                       .values(respondent_id=respondent_id))
    wave = None
    if row.coupon_id is not None:
        coupon = connection.execute(sa.select(c.c.recruiter_id, c.c.used_by, c.c.expires_at)
                                    .where(c.c.id == row.coupon_id)).one()
        if coupon.used_by is not None:
            raise _coupon_refusal("coupon-used")
        if coupon.expires_at is not None and _aware(coupon.expires_at) < _now():
            raise _coupon_refusal("coupon-expired")
        connection.execute(sa.update(c).where(c.c.id == row.coupon_id).values(
            used_by=respondent_id, used_at=_now()))
        if coupon.recruiter_id is None:
            seed, wave = respondent_id, 0
        else:
            parent = connection.execute(sa.select(t.c.seed_id, t.c.wave).where(
                t.c.respondent_id == coupon.recruiter_id)).first()
            seed, wave = (parent.seed_id, parent.wave + 1) if parent else (None, 1)
        connection.execute(sa.insert(t), {"respondent_id": respondent_id,
                                          "coupon_id": row.coupon_id,
                                          "recruiter_id": coupon.recruiter_id,
                                          "seed_id": seed, "wave": wave})
    # Everyone who answers in the browser may pass the survey on; their coupons expire
    # like the seeds' did (the study's [survey] coupon_days, none by default).
    days = study.config.get("survey", {}).get("coupon_days")
    new_codes(connection, coupons_per_respondent(study), respondent_id,
              _now() + timedelta(days=int(days)) if days else None)
    return wave


def link(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/survey?c={code}"


def write_qr_codes(links: list[str], folder) -> list:
    """One SVG QR code per link in ``folder`` (seed-1.svg, ...); the paths."""
    from pathlib import Path

    import segno

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, url in enumerate(links, start=1):
        path = folder / f"seed-{index}.svg"
        segno.make(url, error="m").save(str(path), scale=4, border=2)
        paths.append(path)
    return paths
