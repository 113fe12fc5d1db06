"""imports.row_key_sets and respondents.row_key: row identity apart from personal data

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

Rows stored before this revision were keyed by a hash in ``submission_key``; it becomes
their ``row_key`` too. Their batch's key set is the questions it has answer arrays for:
exactly the answers that were hashed, since nothing could be sealed before this revision.
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("row_key_sets", sa.Text, nullable=True))
    with op.batch_alter_table("respondents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("row_key", sa.String(128), nullable=True))
    bind = op.get_bind()
    bind.execute(sa.text("UPDATE respondents SET row_key = submission_key "
                         "WHERE submission_key LIKE 'row:%'"))
    sets: dict[int, list[str]] = {}
    for import_id, question in bind.execute(
            sa.text("SELECT import_id, question FROM answer_columns")):
        sets.setdefault(import_id, []).append(question)
    for import_id, questions in sets.items():
        bind.execute(sa.text("UPDATE imports SET row_key_sets = :sets WHERE id = :id"),
                     {"sets": json.dumps([sorted(questions)], ensure_ascii=False),
                      "id": import_id})


def downgrade() -> None:
    with op.batch_alter_table("respondents", schema=None) as batch_op:
        batch_op.drop_column("row_key")
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.drop_column("row_key_sets")
