"""Accounts and the audit log: the data types, roles, and argon2 password hashing.

The store keeps them (`SessionStore.add_user`, `record_audit`, ...); passwords
are only ever stored as argon2id hashes (argon2-cffi's recommended parameters).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from voicecoach.errors import SessionError

ROLES = ("trainee", "instructor", "admin")
USER_NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
MIN_PASSWORD_LENGTH = 8

_hasher = PasswordHasher()


@dataclass(frozen=True)
class User:
    """An account: who they are, what they may see (role, cohort). No password in here."""

    name: str
    role: str
    cohort: str | None
    created_at: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log: who did what (to which session) when."""

    id: int
    at: str
    actor: str
    action: str
    session_id: str | None
    detail: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def check_user_name(name: str) -> str:
    """`name` if it is a usable account name, else SessionError saying what is allowed."""
    if not isinstance(name, str) or not USER_NAME_PATTERN.fullmatch(name):
        raise SessionError(
            f"{str(name)[:70]!r} is not an account name "
            "(letters, digits, '.', '_', '@' and '-', at most 64, starting with a letter or digit)"
        )
    return name


def check_role(role: str) -> str:
    """`role` if it is one of ROLES, else SessionError listing them."""
    if role not in ROLES:
        raise SessionError(f"{str(role)[:30]!r} is not a role; use one of {', '.join(ROLES)}")
    return role


def hash_password(password: str) -> str:
    """The argon2id hash of `password`; SessionError when it is too short."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise SessionError(
            f"the password is too short; use at least {MIN_PASSWORD_LENGTH} characters"
        )
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    """Whether `password` is the one `password_hash` was made from."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)
