"""The one schema source: SQLAlchemy Core tables for every store (SQLite, PostgreSQL).

Alembic migrations in ``migrations/versions`` must reproduce exactly this metadata;
``tests/store/test_migrations.py`` fails when the two drift apart.
"""

from __future__ import annotations

import sqlalchemy as sa

# Constraint names are fixed so Alembic batch migrations on SQLite can find them.
metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: Small facts about the study: its id, vault parameters, the key check.
study_meta = sa.Table(
    "study_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

#: Every questionnaire version loaded; the newest is the current one.
questionnaires = sa.Table(
    "questionnaires",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("form_id", sa.String(255), nullable=False),
    sa.Column("version", sa.String(255)),
    sa.Column("title", sa.Text, nullable=False),
    # Questionnaire.to_dict() as JSON text: the frozen dataclasses, not the workbook.
    sa.Column("definition", sa.Text, nullable=False),
    sa.Column("source_name", sa.Text),
    sa.Column("source_sha256", sa.String(64)),
    sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
)

#: One row per import run, for provenance ("where did respondent 26 come from").
imports = sa.Table(
    "imports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("file_sha256", sa.String(64), nullable=False),
    sa.Column("format", sa.String(32), nullable=False),
    sa.Column("questionnaire_id", sa.Integer, sa.ForeignKey("questionnaires.id"), nullable=False),
    sa.Column("rows_read", sa.Integer, nullable=False),
    sa.Column("rows_added", sa.Integer, nullable=False),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    # JSON list of question-name lists, oldest first: the questions whose answers went into
    # the row keys of this batch's respondents (migration 0007). A later import recognises
    # its rows by recomputing their keys over each list; sealing a question appends the
    # list without it. Never holds a personal-data question at the time it was recorded.
    sa.Column("row_key_sets", sa.Text),
)

#: A respondent: number, submission identity and provenance. The answers themselves are
#: in ``answer_columns``, at ``position`` in the arrays of the respondent's import batch.
respondents = sa.Table(
    "respondents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("number", sa.Integer, nullable=False, unique=True),
    sa.Column("submission_key", sa.String(128), nullable=False, unique=True),
    sa.Column("submitted_at", sa.DateTime(timezone=True)),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id"), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    # Set when the respondent withdrew: the row stays (without its time) only so that a
    # re-import of the same export does not bring them back.
    sa.Column("withdrawn_at", sa.DateTime(timezone=True)),
    # For rows without an id in the file: "row:" + a hash of the non-personal answers and
    # the submission time (survey/identity.py), by which re-imports recognise the row.
    # Kept apart from ``submission_key``, which binds vault entries, so that sealing a
    # question can recompute it without that answer and without re-sealing the vault.
    # Not indexed: imports read every key at once, and an index would slow large imports.
    sa.Column("row_key", sa.String(128)),
)

#: Answers stored by column: for each import batch and question, one JSON array of the
#: stored values (choice names, "a b" for multiple answers, numbers, texts, ISO dates),
#: in the order of the batch's respondents. Analyses read a handful of questions for
#: every respondent; a column store makes that one small read per question instead of
#: parsing every respondent's whole record. Never holds personal data.
answer_columns = sa.Table(
    "answer_columns",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id"), nullable=False),
    sa.Column("question", sa.String(255), nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.UniqueConstraint("import_id", "question"),
)

#: The contact vault: personal-data answers (and quarantined contact-looking values),
#: each sealed with age to the study's public key. Only the private key, which never sits
#: in the store, opens them; ``nonce`` is set only on entries of the old AES vault that
#: are waiting to be re-sealed.
contacts = sa.Table(
    "contacts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "respondent_id",
        sa.Integer,
        sa.ForeignKey("respondents.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("question", sa.String(255), nullable=False),
    sa.Column("nonce", sa.LargeBinary),
    sa.Column("ciphertext", sa.LargeBinary, nullable=False),
    # "personal" (a personal_data question) or "quarantine" (a contact-looking answer to
    # another question, held back from the answers until a researcher releases it).
    sa.Column("kind", sa.String(16), nullable=False, server_default="personal"),
    # Where a quarantined value came from (file, row, column): never the value itself.
    sa.Column("note", sa.Text),
)

#: Append-only log of who did what and when (taguette's Command log is the model).
events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(255), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
)


# -- qualitative core (migration 0002) --------------------------------------------
# Every offset below counts Unicode code points of ``documents.text`` (docs/ARCHITECTURE.md).

#: A text to code: an interview transcript, a file, or one open answer of one respondent.
documents = sa.Table(
    "documents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("guid", sa.String(36), nullable=False, unique=True),
    sa.Column("name", sa.String(255), nullable=False, unique=True),
    # text, docx, vtt, srt, transcript, open-answer, qdpx
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("length", sa.Integer, nullable=False),
    sa.Column(
        "respondent_id",
        sa.Integer,
        sa.ForeignKey("respondents.id", ondelete="SET NULL"),
        index=True,
    ),
    # For an open answer: the question it answers.
    sa.Column("question", sa.String(255)),
    sa.Column("source_name", sa.Text),
    sa.Column("source_sha256", sa.String(64)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(255), nullable=False),
)

#: Timed, attributed stretches of a transcript (a cue of a .vtt, a speaker turn).
document_segments = sa.Table(
    "document_segments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "document_id",
        sa.Integer,
        sa.ForeignKey("documents.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("speaker", sa.String(255)),
    sa.Column("start_ms", sa.Integer),
    sa.Column("end_ms", sa.Integer),
    sa.Column("start_offset", sa.Integer, nullable=False),
    sa.Column("end_offset", sa.Integer, nullable=False),
)

#: Free document variables (the linked respondent's answers are read live, not copied).
document_variables = sa.Table(
    "document_variables",
    metadata,
    sa.Column(
        "document_id",
        sa.Integer,
        sa.ForeignKey("documents.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("name", sa.String(255), primary_key=True),
    # text, integer, float, boolean, date (REFI-QDA's variable types)
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("value", sa.Text),
)

#: The codebook: a tree of codes.
codes = sa.Table(
    "codes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("guid", sa.String(36), nullable=False, unique=True),
    sa.Column("parent_id", sa.Integer, sa.ForeignKey("codes.id"), index=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("colour", sa.String(7)),
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

#: A code applied to a span [start_offset, end_offset) of a document by one coder.
codings = sa.Table(
    "codings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("guid", sa.String(36), nullable=False, unique=True),
    sa.Column(
        "document_id",
        sa.Integer,
        sa.ForeignKey("documents.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("code_id", sa.Integer, sa.ForeignKey("codes.id"), nullable=False, index=True),
    sa.Column("start_offset", sa.Integer, nullable=False),
    sa.Column("end_offset", sa.Integer, nullable=False),
    sa.Column("coder", sa.String(255), nullable=False),
    sa.Column("weight", sa.Integer),
    sa.Column("comment", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

#: Memos on the study, a document, a code or a coding (at most one target).
memos = sa.Table(
    "memos",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("guid", sa.String(36), nullable=False, unique=True),
    sa.Column(
        "document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), index=True
    ),
    sa.Column("code_id", sa.Integer, sa.ForeignKey("codes.id", ondelete="CASCADE"), index=True),
    sa.Column(
        "coding_id", sa.Integer, sa.ForeignKey("codings.id", ondelete="CASCADE"), index=True
    ),
    sa.Column("title", sa.String(255)),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("author", sa.String(255), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

#: The lexical search index: one row per word token, with its lemma.
search_tokens = sa.Table(
    "search_tokens",
    metadata,
    sa.Column(
        "document_id",
        sa.Integer,
        sa.ForeignKey("documents.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("ordinal", sa.Integer, primary_key=True),
    sa.Column("start_offset", sa.Integer, nullable=False),
    sa.Column("end_offset", sa.Integer, nullable=False),
    sa.Column("form", sa.String(255), nullable=False),
    sa.Column("lemma", sa.String(255), nullable=False),
    # Postings: a word's tokens are read from the index alone (migration 0014), so a search
    # does not visit a table row per hit, which at 8,000 transcripts was most of its time.
    sa.Index("ix_search_tokens_lemma_postings", "lemma", "document_id", "ordinal",
             "start_offset", "end_offset"),
    sa.Index("ix_search_tokens_form_postings", "form", "document_id", "ordinal",
             "start_offset", "end_offset"),
)

#: Which documents the search index covers, and with which analyser version.
search_indexed = sa.Table(
    "search_indexed",
    metadata,
    sa.Column(
        "document_id",
        sa.Integer,
        sa.ForeignKey("documents.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("analyser", sa.String(64), nullable=False),
    sa.Column("tokens", sa.Integer, nullable=False),
)


# -- reports (migration 0003) -------------------------------------------------------

#: A researcher's translation of a quoted span [start_offset, end_offset) of a document
#: (a coded segment or any span), in one language; the report prints it above the original.
translations = sa.Table(
    "translations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "document_id",
        sa.Integer,
        sa.ForeignKey("documents.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("start_offset", sa.Integer, nullable=False),
    sa.Column("end_offset", sa.Integer, nullable=False),
    sa.Column("language", sa.String(16), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("translator", sa.String(255), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint(
        "document_id", "start_offset", "end_offset", "language",
        name="uq_translations_span_language",
    ),
)


# -- faster search and bulk coding (migration 0004) -------------------------------------

#: The search index's copy of each document's text in pieces of ``search.CHUNK`` code points
#: (piece ``position`` starts at ``position * CHUNK``), so keyword-in-context reads a few
#: small rows instead of whole documents.
search_chunks = sa.Table(
    "search_chunks",
    metadata,
    sa.Column(
        "document_id",
        sa.Integer,
        sa.ForeignKey("documents.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
)

#: Finds a coding by its span: the duplicate check of ``coding.insert_codings``, one query
#: per batch of 1,000 codings even with millions stored.
sa.Index(
    "ix_codings_span",
    codings.c.document_id,
    codings.c.code_id,
    codings.c.start_offset,
    codings.c.end_offset,
)


# -- the researcher workspace (migration 0008) ------------------------------------------

#: A researcher who may come into the workspace. ``name`` is the coder name their codings
#: carry, so what someone codes in the browser and with ``syrmak code --coder`` is one.
researchers = sa.Table(
    "researchers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(255), nullable=False, unique=True),
    # owner (everything, users too) | coder (codes as themselves) | viewer (reads)
    sa.Column("role", sa.String(16), nullable=False),
    # argon2id (argon2-cffi's encoded string); NULL: only a one-time link lets them in.
    sa.Column("password_hash", sa.Text),
    # Interface language (en, ru); NULL: the browser's Accept-Language decides.
    sa.Column("language", sa.String(16)),
    # Blind coding: the document view hides other coders' codings.
    sa.Column("blind", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

#: Server-side sessions of the workspace. The cookie holds a random id; the store keeps
#: only its SHA-256, so a copied store opens no one's session.
web_sessions = sa.Table(
    "web_sessions",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column(
        "researcher_id",
        sa.Integer,
        sa.ForeignKey("researchers.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    # The synchronizer token every state-changing request must echo.
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)


# -- audit trail (migration 0010) ----------------------------------------------------------
# Append-only and hash-chained (privacy/audit.py): each row's ``hash`` covers its fields and
# the previous row's hash, kept in ``prev_hash``. The unique ``prev_hash`` makes two appends
# on the same head fail instead of forking the chain. The migration adds triggers that
# refuse UPDATE and DELETE, on SQLite and PostgreSQL. ``at`` is ISO-8601 text in UTC so the
# hashed value is exactly what is stored, whatever the database does with time zones.
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(255), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("target", sa.String(255), nullable=False, server_default=""),
    sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.UniqueConstraint("prev_hash"),
    sa.Index(None, "action"),
)


# -- redaction (migration 0010) -------------------------------------------------------------
# Proposed stretches of a document to hide when publishing (privacy/redaction.py). The
# document's text is never changed; offsets count its code points. ``key_hash`` is a hash
# of the normalised name, so that the same person gets the same pseudonym everywhere
# without a second copy of the name in the store.
redactions = sa.Table(
    "redactions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"),
              nullable=False, index=True),
    sa.Column("start_offset", sa.Integer, nullable=False),
    sa.Column("end_offset", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("status", sa.String(12), nullable=False, server_default="proposed"),
    sa.Column("key_hash", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("decided_by", sa.String(255)),
    sa.Column("decided_at", sa.DateTime(timezone=True)),
    sa.UniqueConstraint("document_id", "start_offset", "end_offset",
                        name="uq_redactions_span"),
)


# -- interviews (migration 0012) -----------------------------------------------------------

#: A variable computed from a question's answers (e.g. "big city or region" from the regions
#: a respondent works in), defined once so that filters, crosstabs and interview strata all
#: read the same recode. ``definition`` is JSON (``survey/derived.py``).
derived_variables = sa.Table(
    "derived_variables",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("definition", sa.Text, nullable=False),
    sa.Column("created_by", sa.String(255), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

#: Respondents chosen for an in-depth interview: who, by whom, when, why and under which
#: criteria (the filter, strata and seed of the draw, as JSON). Numbers only, no contact.
interview_selections = sa.Table(
    "interview_selections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "respondent_id",
        sa.Integer,
        sa.ForeignKey("respondents.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("criteria", sa.Text, nullable=False),
    sa.Column("selected_by", sa.String(255), nullable=False),
    sa.Column("selected_at", sa.DateTime(timezone=True), nullable=False),
)

#: Interview recordings, sealed with age to the study's public key: a voice identifies a
#: person as surely as a phone number, so the audio is never stored in clear. Kept in the
#: store (not beside it) so that a team store holds them too and withdrawal deletes them in
#: the same transaction as the answers.
recordings = sa.Table(
    "recordings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("respondent_id", sa.Integer,
              sa.ForeignKey("respondents.id", ondelete="CASCADE"), index=True),
    sa.Column("document_id", sa.Integer,
              sa.ForeignKey("documents.id", ondelete="SET NULL"), index=True),
    sa.Column("name", sa.String(255), nullable=False),
    # Size of the clear audio in bytes and its length in milliseconds: shown in listings
    # without decrypting. No hash of the clear file: it would confirm a guessed recording.
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("duration_ms", sa.Integer, nullable=False),
    sa.Column("sealed", sa.LargeBinary, nullable=False),
    sa.Column("created_by", sa.String(255), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

#: Long work (transcription) queued on a team store for ``syrmak worker``: what, options
#: (JSON, never personal data), state and progress for the CLI and the workspace to show.
jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(32), nullable=False),
    # queued | running | done | failed
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("options", sa.Text, nullable=False),
    sa.Column("done_seconds", sa.Float, nullable=False, server_default="0"),
    sa.Column("total_seconds", sa.Float, nullable=False, server_default="0"),
    sa.Column("document_id", sa.Integer,
              sa.ForeignKey("documents.id", ondelete="SET NULL")),
    sa.Column("error", sa.Text),
    sa.Column("worker", sa.String(255)),
    sa.Column("created_by", sa.String(255), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
)


# -- collecting the survey (migration 0011) -----------------------------------------------

#: A published version of the questionnaire: the XForm pyxform made from the study's
#: XLSForm, numbered 1, 2, ... Submissions name the form id and ``version``; only an open
#: version (``closed_at`` NULL) takes answers. The XForm holds no answer and no contact.
form_versions = sa.Table(
    "form_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("number", sa.Integer, nullable=False, unique=True),
    sa.Column("questionnaire_id", sa.Integer, sa.ForeignKey("questionnaires.id"),
              nullable=False),
    sa.Column("form_id", sa.String(255), nullable=False),
    # The XForm's version attribute, which every submission carries back.
    sa.Column("version", sa.String(255), nullable=False),
    sa.Column("xform", sa.Text, nullable=False),
    # MD5 of the XForm, which the OpenRosa form list announces as "md5:..." hash.
    sa.Column("md5", sa.String(32), nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
)

#: A referral coupon: a random code handed to a seed by the researchers or to a recruit's
#: thank-you page. It works once (``used_by``), may expire, and is bound to the first
#: browser session that opens it. ``recruiter_id`` is NULL for a seed coupon. The code is
#: not a secret that protects anyone (it names no one); it keeps the recruitment tree honest.
coupons = sa.Table(
    "coupons",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("code", sa.String(64), nullable=False, unique=True),
    sa.Column("recruiter_id", sa.Integer,
              sa.ForeignKey("respondents.id", ondelete="CASCADE"), index=True),
    sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True)),
    # The SHA-256 of the survey session that opened it first (never the session id).
    sa.Column("session_hash", sa.String(64)),
    sa.Column("opened_at", sa.DateTime(timezone=True)),
    sa.Column("used_by", sa.Integer, sa.ForeignKey("respondents.id", ondelete="SET NULL"),
              unique=True),
    sa.Column("used_at", sa.DateTime(timezone=True)),
)

#: Who recruited whom, derived from coupons at submission (never typed): the recruiter
#: (NULL for a seed), the seed at the root of the respondent's tree, the wave (seed: 0).
recruitment = sa.Table(
    "recruitment",
    metadata,
    sa.Column("respondent_id", sa.Integer,
              sa.ForeignKey("respondents.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("coupon_id", sa.Integer, sa.ForeignKey("coupons.id"), nullable=False,
              unique=True),
    sa.Column("recruiter_id", sa.Integer, sa.ForeignKey("respondents.id", ondelete="SET NULL"),
              index=True),
    sa.Column("seed_id", sa.Integer, sa.ForeignKey("respondents.id", ondelete="SET NULL")),
    sa.Column("wave", sa.Integer, nullable=False),
)

#: A respondent's browser session on the public survey: the consent stage, the coupon that
#: brought them, the respondent it became. The cookie holds a random id; only its SHA-256
#: is stored. No address, user agent or device id.
survey_sessions = sa.Table(
    "survey_sessions",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("form_number", sa.Integer, nullable=False),
    sa.Column("language", sa.String(16)),
    sa.Column("coupon_id", sa.Integer, sa.ForeignKey("coupons.id")),
    sa.Column("consented_at", sa.DateTime(timezone=True)),
    sa.Column("respondent_id", sa.Integer,
              sa.ForeignKey("respondents.id", ondelete="SET NULL")),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


# -- repeat groups (migration 0013) -----------------------------------------------------

#: One answered instance of a repeat group (a child record): the respondent it belongs to,
#: its place among that respondent's instances (``ordinal``, from 1), and its ``position``
#: in the arrays of ``repeat_columns`` of its import batch and repeat group. Deleted with
#: the respondent's answers when they withdraw.
repeat_records = sa.Table(
    "repeat_records",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id"), nullable=False),
    sa.Column("repeat", sa.String(255), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column(
        "respondent_id",
        sa.Integer,
        sa.ForeignKey("respondents.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    # The enclosing instance of a repeat inside a repeat; NULL directly under the form.
    sa.Column("parent_id", sa.Integer,
              sa.ForeignKey("repeat_records.id", ondelete="CASCADE")),
    sa.Column("ordinal", sa.Integer, nullable=False),
    sa.UniqueConstraint("import_id", "repeat", "position",
                        name="uq_repeat_records_batch_position"),
)

#: The answers of a repeat group's questions, by column like ``answer_columns``: for each
#: import batch and question, one JSON array in the order of the batch's repeat records
#: (their ``position``). Never holds personal data.
repeat_columns = sa.Table(
    "repeat_columns",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id"), nullable=False),
    sa.Column("repeat", sa.String(255), nullable=False),
    sa.Column("question", sa.String(255), nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.UniqueConstraint("import_id", "question", name="uq_repeat_columns_import_question"),
)
