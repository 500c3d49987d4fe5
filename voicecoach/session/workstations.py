"""Workstations allowed to upload sessions to a school's server, each with its own token.

An administrator adds a workstation on the server (`voicecoach workstations add
NAME`), which shows its token once; the database keeps only the token's
SHA-256 (the token is 256 random bits, so a fast hash is enough: there is no
password to guess). A revoked workstation's token stops working at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from voicecoach.errors import SessionError
from voicecoach.session.accounts import check_user_name
from voicecoach.session.sql_store import SQLSessionStore
from voicecoach.session.store import now_iso
from voicecoach.session.tables import workstations

TOKEN_PREFIX = "vcw_"  # recognisable in a config file or a leaked log
TOKEN_BYTES = 32


@dataclass(frozen=True)
class Workstation:
    """A workstation that may upload sessions (never its token)."""

    name: str
    created_at: str
    revoked_at: str | None = None
    last_seen_at: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "active": self.active}


def new_token() -> str:
    """A fresh random workstation token (`vcw_` + 43 URL-safe characters)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What the database keeps of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _from_row(row: Any) -> Workstation:
    return Workstation(
        name=row["name"],
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
        last_seen_at=row["last_seen_at"],
    )


class Workstations:
    """The workstation register kept in the session store's database."""

    def __init__(self, store: SQLSessionStore):
        self.store = store

    def add(self, name: str) -> tuple[Workstation, str]:
        """Register `name`; returns it and its token (shown once, kept only hashed)."""
        name = check_user_name(name)
        token = new_token()
        workstation = Workstation(name=name, created_at=now_iso())
        values = {**asdict(workstation), "token_hash": token_hash(token)}
        try:
            self.store.write(lambda conn: conn.execute(insert(workstations).values(values)))
        except IntegrityError:
            raise SessionError(
                f"there is already a workstation named {name!r}; see "
                "`voicecoach workstations list` (revoke it to issue a new token under "
                "another name)"
            ) from None
        return workstation, token

    def list(self) -> list[Workstation]:
        """Every workstation by name, revoked ones included."""
        rows = self.store.rows(select(workstations).order_by(workstations.c.name))
        return [_from_row(row) for row in rows]

    def revoke(self, name: str) -> Workstation:
        """Stop `name`'s token from working (SessionError when unknown)."""

        def job(conn: Connection) -> None:
            done = conn.execute(
                update(workstations)
                .where(workstations.c.name == name, workstations.c.revoked_at.is_(None))
                .values(revoked_at=now_iso())
            )
            if (
                done.rowcount == 0
                and not conn.execute(
                    select(workstations.c.name).where(workstations.c.name == name)
                ).first()
            ):
                raise SessionError(
                    f"no workstation named {str(name)[:70]!r}; see `voicecoach workstations list`"
                )

        self.store.write(job)
        rows = self.store.rows(select(workstations).where(workstations.c.name == name))
        return _from_row(rows[0])

    def authenticate(self, token: str | None) -> Workstation | None:
        """The active workstation whose token this is (its last-seen time updated), else None."""
        if not token or not token.startswith(TOKEN_PREFIX):
            return None
        digest = token_hash(token)
        rows = self.store.rows(select(workstations).where(workstations.c.token_hash == digest))
        if not rows or rows[0]["revoked_at"] is not None:
            return None
        name, seen = rows[0]["name"], now_iso()
        if rows[0]["last_seen_at"] != seen:
            self.store.write(
                lambda conn: conn.execute(
                    update(workstations)
                    .where(workstations.c.name == name)
                    .values(last_seen_at=seen)
                )
            )
        return _from_row({**rows[0], "last_seen_at": seen})
