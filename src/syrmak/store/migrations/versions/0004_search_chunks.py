"""faster search and bulk coding: search_chunks (KWIC pieces), an index on coded spans

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 12:00:00.000000

The search index is derived data: documents indexed before this revision carry an older
analyser version in ``search_indexed`` and are indexed again (with their chunks) by the next
search or ``build_index``.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_chunks",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_search_chunks_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("document_id", "position", name=op.f("pk_search_chunks")),
    )
    with op.batch_alter_table("codings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_codings_span",
            ["document_id", "code_id", "start_offset", "end_offset"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("codings", schema=None) as batch_op:
        batch_op.drop_index("ix_codings_span")
    op.drop_table("search_chunks")
