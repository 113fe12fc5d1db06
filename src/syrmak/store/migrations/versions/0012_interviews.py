"""derived_variables, interview_selections, recordings, jobs: choosing, recording and
transcribing interviewees

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29

"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "derived_variables",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("definition", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_derived_variables")),
    )
    op.create_table(
        "interview_selections",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("respondent_id", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("criteria", sa.Text, nullable=False),
        sa.Column("selected_by", sa.String(255), nullable=False),
        sa.Column("selected_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["respondent_id"], ["respondents.id"],
                                name=op.f("fk_interview_selections_respondent_id_respondents"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview_selections")),
        sa.UniqueConstraint("respondent_id", name=op.f("uq_interview_selections_respondent_id")),
    )
    op.create_table(
        "recordings",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("respondent_id", sa.Integer, nullable=True),
        sa.Column("document_id", sa.Integer, nullable=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("duration_ms", sa.Integer, nullable=False),
        sa.Column("sealed", sa.LargeBinary, nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["respondent_id"], ["respondents.id"],
                                name=op.f("fk_recordings_respondent_id_respondents"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"],
                                name=op.f("fk_recordings_document_id_documents"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recordings")),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("options", sa.Text, nullable=False),
        sa.Column("done_seconds", sa.Float, nullable=False, server_default="0"),
        sa.Column("total_seconds", sa.Float, nullable=False, server_default="0"),
        sa.Column("document_id", sa.Integer, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("worker", sa.String(255), nullable=True),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"],
                                name=op.f("fk_jobs_document_id_documents"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("recordings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recordings_respondent_id"), ["respondent_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_recordings_document_id"), ["document_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("recordings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recordings_document_id"))
        batch_op.drop_index(batch_op.f("ix_recordings_respondent_id"))
    op.drop_table("jobs")
    op.drop_table("recordings")
    op.drop_table("interview_selections")
    op.drop_table("derived_variables")
