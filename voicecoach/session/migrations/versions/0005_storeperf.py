"""Per-session results in the index: typed, calm, each step/check/fault, delivery measures.

Lists and progress pages then need no file reads. Rows indexed before this
revision have `results_indexed` false; the store fills them from their folders
the first time it opens (it knows the data directory, a migration does not).

Revision ID: 0003_storeperf
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_storeperf"
down_revision = "0003_sync"
branch_labels = None
depends_on = None


def _session_key() -> sa.Column:
    return sa.Column(
        "session_id", sa.Text, sa.ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )


def upgrade() -> None:
    # plain ALTER TABLE ADD COLUMN: a batch copy of `sessions` would cascade-delete comments
    op.add_column("sessions", sa.Column("typed", sa.Boolean, nullable=False, server_default="0"))
    op.add_column("sessions", sa.Column("calm", sa.Boolean))
    op.add_column(
        "sessions",
        sa.Column("results_indexed", sa.Boolean, nullable=False, server_default="0"),
    )
    op.create_table(
        "session_items",
        _session_key(),
        sa.Column("item_id", sa.Text, primary_key=True),
        sa.Column("section", sa.Text, nullable=False),
        sa.Column("value", sa.Boolean, nullable=False),
    )
    op.create_table(
        "session_measures",
        _session_key(),
        sa.Column("measure_id", sa.Text, primary_key=True),
        sa.Column("value", sa.Float, nullable=False),
    )
