"""Accounts (name, role, argon2 password hash, cohort) and the audit log.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("cohort", sa.Text),
        sa.Column("created_at", sa.Text, nullable=False),
    )
    op.create_index("users_cohort", "users", ["cohort"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("session_id", sa.Text),
        sa.Column("detail", sa.Text),
        sqlite_autoincrement=True,
    )
    op.create_index("audit_log_at", "audit_log", ["at"])
    op.create_index("audit_log_session", "audit_log", ["session_id"])
