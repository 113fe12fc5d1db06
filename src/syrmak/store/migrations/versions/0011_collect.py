"""form_versions: the published XForms that the survey server takes answers for

Revision ID: 0011
Revises: 0008
Create Date: 2026-11-29

"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "form_versions",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("questionnaire_id", sa.Integer, nullable=False),
        sa.Column("form_id", sa.String(255), nullable=False),
        sa.Column("version", sa.String(255), nullable=False),
        sa.Column("xform", sa.Text, nullable=False),
        sa.Column("md5", sa.String(32), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["questionnaire_id"], ["questionnaires.id"],
                                name=op.f("fk_form_versions_questionnaire_id_questionnaires")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_versions")),
        sa.UniqueConstraint("number", name=op.f("uq_form_versions_number")),
    )


def downgrade() -> None:
    op.drop_table("form_versions")
