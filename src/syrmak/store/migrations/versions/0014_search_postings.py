"""search_tokens: covering indexes (word, document, position, offsets) replace the plain
indexes on form and lemma, so a search reads each hit from the index alone

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29

"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_POSTING = ["document_id", "ordinal", "start_offset", "end_offset"]


def upgrade() -> None:
    op.drop_index("ix_search_tokens_form", table_name="search_tokens")
    op.drop_index("ix_search_tokens_lemma", table_name="search_tokens")
    op.create_index("ix_search_tokens_lemma_postings", "search_tokens", ["lemma", *_POSTING])
    op.create_index("ix_search_tokens_form_postings", "search_tokens", ["form", *_POSTING])


def downgrade() -> None:
    op.drop_index("ix_search_tokens_form_postings", table_name="search_tokens")
    op.drop_index("ix_search_tokens_lemma_postings", table_name="search_tokens")
    op.create_index("ix_search_tokens_lemma", "search_tokens", ["lemma"])
    op.create_index("ix_search_tokens_form", "search_tokens", ["form"])
