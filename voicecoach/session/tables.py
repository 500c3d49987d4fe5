"""The store's tables as SQLAlchemy Core sees them (the same on SQLite and PostgreSQL).

Times are ISO 8601 text (UTC), as `session.json` and `annotations.jsonl` hold
them. The schema is created and upgraded by the Alembic migrations in
`migrations/versions/`; a change here needs a new migration there.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, ForeignKey, Index, Integer, MetaData, Table, Text

metadata = MetaData()

sessions = Table(
    "sessions",
    metadata,
    Column("id", Text, primary_key=True),
    Column("trainee", Text, nullable=False),
    Column("scenario_id", Text, nullable=False),
    Column("protocol", Text, nullable=False),
    Column("started_at", Text, nullable=False),
    Column("duration_s", Float),
    Column("outcome", Text),
    Column("score", Float),
    Column("verdict", Text),
    Column("complete", Boolean, nullable=False, default=False),
    Column("reason", Text),
    Column("adjusted_score", Float),
    Column("adjusted_verdict", Text),
    Column("typed", Boolean, nullable=False, default=False),
    Column("calm", Boolean),
    Column("results_indexed", Boolean, nullable=False, default=False),
    Index("sessions_trainee", "trainee", "started_at"),
    Index("sessions_started", "started_at"),
)

# What each session's score.json and delivery.json say, kept so that lists and progress
# pages need no file reads (filled by finish/index, `repair`, and once for older rows).
session_items = Table(
    "session_items",
    metadata,
    Column("session_id", Text, ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("item_id", Text, primary_key=True),
    Column("section", Text, nullable=False),  # steps, checks or faults
    Column("value", Boolean, nullable=False),  # the coach's met (steps, checks) / present
)

session_measures = Table(
    "session_measures",
    metadata,
    Column("session_id", Text, ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("measure_id", Text, primary_key=True),
    Column("value", Float, nullable=False),
)

comments = Table(
    "comments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", Text, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("t_s", Float, nullable=False),
    Column("end_s", Float),
    Column("text", Text, nullable=False),
    Column("author", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("updated_at", Text, nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Index("comments_session", "session_id", "t_s"),
    sqlite_autoincrement=True,  # a deleted comment's id is never reused
)

overrides = Table(
    "overrides",
    metadata,
    Column(
        "session_id",
        Text,
        ForeignKey("sessions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("item_id", Text, primary_key=True),
    Column("value", Boolean, nullable=False),
    Column("reason", Text, nullable=False),
    Column("author", Text, nullable=False),
    Column("created_at", Text, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("name", Text, primary_key=True),
    Column("role", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("cohort", Text),
    Column("created_at", Text, nullable=False),
    Index("users_cohort", "cohort"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("session_id", Text),  # no foreign key: the log outlives deleted sessions
    Column("detail", Text),
    Index("audit_log_at", "at"),
    Index("audit_log_session", "session_id"),
    sqlite_autoincrement=True,
)

logins = Table(
    "logins",
    metadata,
    Column("token_hash", Text, primary_key=True),  # sha256 of the cookie's token
    Column("user_name", Text, nullable=False),
    Column("csrf_token", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("expires_at", Text, nullable=False),
    Index("logins_expires", "expires_at"),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("key", Text, primary_key=True),  # "account:NAME" or "address:IP"
    Column("failures", Integer, nullable=False),
    Column("last_at", Text, nullable=False),
)

workstations = Table(
    "workstations",
    metadata,
    Column("name", Text, primary_key=True),
    Column("token_hash", Text, nullable=False, unique=True),  # SHA-256 of the random token
    Column("created_at", Text, nullable=False),
    Column("revoked_at", Text),
    Column("last_seen_at", Text),
)

uploads = Table(
    "uploads",
    metadata,
    Column("id", Text, primary_key=True),
    Column("session_id", Text, nullable=False),
    Column("sha256", Text, nullable=False),  # the whole session's checksum (see sync.manifest)
    Column("workstation", Text, nullable=False),
    Column("manifest", Text, nullable=False),  # JSON: every file's name, size and SHA-256
    Column("created_at", Text, nullable=False),
    Column("stored_at", Text),  # set once verified, moved into sessions/ and indexed
    Index("uploads_session", "session_id", "sha256", unique=True),
)

ANNOTATION_TABLES = (sessions, comments, overrides)  # rebuilt from the folders by `repair`
ACCOUNT_TABLES = (
    users,
    audit_log,
    logins,
    login_failures,
    workstations,
    uploads,
)  # kept across a repair
