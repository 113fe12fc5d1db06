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
)

#: A respondent and their answers. ``answers`` is a JSON object of choice names,
#: numbers and texts keyed by question name; it never holds personal data.
respondents = sa.Table(
    "respondents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("number", sa.Integer, nullable=False, unique=True),
    sa.Column("submission_key", sa.String(128), nullable=False, unique=True),
    sa.Column("submitted_at", sa.DateTime(timezone=True)),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id"), nullable=False),
    sa.Column("answers", sa.Text, nullable=False),
)

#: The contact vault: AES-GCM ciphertexts of personal-data answers. The key lives
#: outside the study folder, so this table is unreadable in a copied study.
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
    sa.Column("nonce", sa.LargeBinary, nullable=False),
    sa.Column("ciphertext", sa.LargeBinary, nullable=False),
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
