"""The session index: sessions, comments, overrides.

An index made before migrations existed already holds these tables (the same
columns): they are kept as they are, so upgrading loses nothing.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("sessions"):
        return  # an index from before migrations: the same tables
    op.create_table(
        "sessions",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("trainee", sa.Text, nullable=False),
        sa.Column("scenario_id", sa.Text, nullable=False),
        sa.Column("protocol", sa.Text, nullable=False),
        sa.Column("started_at", sa.Text, nullable=False),
        sa.Column("duration_s", sa.Float),
        sa.Column("outcome", sa.Text),
        sa.Column("score", sa.Float),
        sa.Column("verdict", sa.Text),
        sa.Column("complete", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("reason", sa.Text),
        sa.Column("adjusted_score", sa.Float),
        sa.Column("adjusted_verdict", sa.Text),
    )
    op.create_index("sessions_trainee", "sessions", ["trainee", "started_at"])
    op.create_index("sessions_started", "sessions", ["started_at"])
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "session_id",
            sa.Text,
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("t_s", sa.Float, nullable=False),
        sa.Column("end_s", sa.Float),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sqlite_autoincrement=True,
    )
    op.create_index("comments_session", "comments", ["session_id", "t_s"])
    op.create_table(
        "overrides",
        sa.Column(
            "session_id",
            sa.Text,
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("item_id", sa.Text, primary_key=True),
        sa.Column("value", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
    )
