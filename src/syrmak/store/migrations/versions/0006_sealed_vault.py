"""contacts: age-sealed entries (no nonce), a kind (personal or quarantine) and a note

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29

Entries written before this revision are AES-GCM (nonce + ciphertext) under a symmetric
key; they are re-sealed to the study's public key on first unlock (``Study.unlock``).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.alter_column("nonce", existing_type=sa.LargeBinary, nullable=True)
        batch_op.add_column(sa.Column("kind", sa.String(16), nullable=False,
                                      server_default="personal"))
        batch_op.add_column(sa.Column("note", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_column("note")
        batch_op.drop_column("kind")
        batch_op.alter_column("nonce", existing_type=sa.LargeBinary, nullable=False)
