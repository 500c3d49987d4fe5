"""Where the store's database is: URLs (shown without passwords), engines, migrations.

The default is SQLite in `<data_dir>/sessions.db`; `VOICECOACH_DATABASE_URL`
(or `--database URL`) points every command at PostgreSQL instead, e.g.
`postgresql://voicecoach:secret@db.school.lan/voicecoach`. The schema is
migrated to the newest Alembic revision every time the store opens.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from voicecoach.errors import SessionError

DATABASE_URL_ENV = "VOICECOACH_DATABASE_URL"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
MIGRATION_LOCK_ID = 7_716_110  # pg advisory lock: one server migrates at a time
# PostgreSQL connections per app server process (uvicorn worker). More than a few per
# core only queue inside the database; workers x (size + overflow) must stay below the
# server's max_connections (100 by default), e.g. 4 workers x 15.
POOL_SIZE = 5
POOL_MAX_OVERFLOW = 10
POOL_TIMEOUT_S = 30.0
_PASSWORD_IN_URL = re.compile(r"(://[^/:@]*:)[^@/]*@")


def hide_password(url: str | URL) -> str:
    """The URL as it may be shown to a user or written to a log: password as ***."""
    if isinstance(url, URL):
        if url.drivername == "postgresql+psycopg":  # shown as the user wrote it
            url = url.set(drivername="postgresql")
        return url.render_as_string(hide_password=True)
    return _PASSWORD_IN_URL.sub(r"\1***@", str(url))


def database_url(url: str | None) -> URL | None:
    """The PostgreSQL/SQLite URL given (or in VOICECOACH_DATABASE_URL), None for the default.

    `postgresql://` URLs use the psycopg 3 driver. Raises SessionError on a URL
    that is not one of those two databases.
    """
    url = url or os.environ.get(DATABASE_URL_ENV) or None
    if url is None:
        return None
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise SessionError(
            f"{hide_password(url)!r} is not a database URL; use "
            "postgresql://USER:PASSWORD@HOST/NAME or sqlite:///PATH"
        ) from None
    if parsed.drivername in POSTGRES_SCHEMES:
        return parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername == "sqlite" and parsed.database:
        return parsed
    raise SessionError(
        f"{hide_password(parsed)!r} is not a PostgreSQL or SQLite database URL; use "
        "postgresql://USER:PASSWORD@HOST/NAME or sqlite:///PATH"
    )


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.close()


def make_engine(url: URL) -> Engine:
    """An engine for `url`: SQLite with foreign keys and a busy timeout, or a pooled
    PostgreSQL engine that checks connections before use."""
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 10.0, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(
            url,
            pool_size=POOL_SIZE,
            max_overflow=POOL_MAX_OVERFLOW,
            pool_timeout=POOL_TIMEOUT_S,
            pool_pre_ping=True,
            connect_args={"connect_timeout": 10},
        )
    except NoSuchModuleError as exc:
        raise SessionError(f"cannot use {hide_password(url)}: {exc}") from None


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (creating it in an empty database)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def schema_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at (None before the first migration)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
