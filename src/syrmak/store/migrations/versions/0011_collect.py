"""form_versions: the published XForms that the survey server takes answers for

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29

"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
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


    op.create_table(
        "coupons",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("recruiter_id", sa.Integer, nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("session_hash", sa.String(64), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by", sa.Integer, nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["recruiter_id"], ["respondents.id"],
                                name=op.f("fk_coupons_recruiter_id_respondents"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["used_by"], ["respondents.id"],
                                name=op.f("fk_coupons_used_by_respondents"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coupons")),
        sa.UniqueConstraint("code", name=op.f("uq_coupons_code")),
        sa.UniqueConstraint("used_by", name=op.f("uq_coupons_used_by")),
    )
    op.create_index(op.f("ix_coupons_recruiter_id"), "coupons", ["recruiter_id"])
    op.create_table(
        "recruitment",
        sa.Column("respondent_id", sa.Integer, nullable=False),
        sa.Column("coupon_id", sa.Integer, nullable=False),
        sa.Column("recruiter_id", sa.Integer, nullable=True),
        sa.Column("seed_id", sa.Integer, nullable=True),
        sa.Column("wave", sa.Integer, nullable=False),
        sa.ForeignKeyConstraint(["respondent_id"], ["respondents.id"],
                                name=op.f("fk_recruitment_respondent_id_respondents"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["coupon_id"], ["coupons.id"],
                                name=op.f("fk_recruitment_coupon_id_coupons")),
        sa.ForeignKeyConstraint(["recruiter_id"], ["respondents.id"],
                                name=op.f("fk_recruitment_recruiter_id_respondents"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["seed_id"], ["respondents.id"],
                                name=op.f("fk_recruitment_seed_id_respondents"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("respondent_id", name=op.f("pk_recruitment")),
        sa.UniqueConstraint("coupon_id", name=op.f("uq_recruitment_coupon_id")),
    )
    op.create_index(op.f("ix_recruitment_recruiter_id"), "recruitment", ["recruiter_id"])
    op.create_table(
        "survey_sessions",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("form_number", sa.Integer, nullable=False),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("coupon_id", sa.Integer, nullable=True),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("respondent_id", sa.Integer, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["coupon_id"], ["coupons.id"],
                                name=op.f("fk_survey_sessions_coupon_id_coupons")),
        sa.ForeignKeyConstraint(["respondent_id"], ["respondents.id"],
                                name=op.f("fk_survey_sessions_respondent_id_respondents"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_survey_sessions")),
    )


def downgrade() -> None:
    op.drop_table("survey_sessions")
    op.drop_index(op.f("ix_recruitment_recruiter_id"), table_name="recruitment")
    op.drop_table("recruitment")
    op.drop_index(op.f("ix_coupons_recruiter_id"), table_name="coupons")
    op.drop_table("coupons")
    op.drop_table("form_versions")
