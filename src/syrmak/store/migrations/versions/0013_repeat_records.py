"""repeat_records and repeat_columns: the child records of repeat groups

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29

"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "repeat_records",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("import_id", sa.Integer, nullable=False),
        sa.Column("repeat", sa.String(255), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("respondent_id", sa.Integer, nullable=False),
        sa.Column("parent_id", sa.Integer, nullable=True),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["imports.id"],
                                name=op.f("fk_repeat_records_import_id_imports")),
        sa.ForeignKeyConstraint(["respondent_id"], ["respondents.id"], ondelete="CASCADE",
                                name=op.f("fk_repeat_records_respondent_id_respondents")),
        sa.ForeignKeyConstraint(["parent_id"], ["repeat_records.id"], ondelete="CASCADE",
                                name=op.f("fk_repeat_records_parent_id_repeat_records")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repeat_records")),
        sa.UniqueConstraint("import_id", "repeat", "position",
                            name="uq_repeat_records_batch_position"),
    )
    op.create_index(op.f("ix_repeat_records_respondent_id"), "repeat_records",
                    ["respondent_id"], unique=False)
    op.create_table(
        "repeat_columns",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("import_id", sa.Integer, nullable=False),
        sa.Column("repeat", sa.String(255), nullable=False),
        sa.Column("question", sa.String(255), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.ForeignKeyConstraint(["import_id"], ["imports.id"],
                                name=op.f("fk_repeat_columns_import_id_imports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repeat_columns")),
        sa.UniqueConstraint("import_id", "question", name="uq_repeat_columns_import_question"),
    )


def downgrade() -> None:
    op.drop_table("repeat_columns")
    op.drop_index(op.f("ix_repeat_records_respondent_id"), table_name="repeat_records")
    op.drop_table("repeat_records")
