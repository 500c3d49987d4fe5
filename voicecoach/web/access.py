"""Who is looking, and what they may see: the roles of the replay server.

Without accounts (a workstation on loopback, or a server with an access token)
the viewer sees everything and may annotate. With accounts a trainee sees their
own sessions (`session.trainee == account name`), an instructor the sessions of
the trainee accounts in their cohort(s) (an instructor's `--cohort` may list
several, separated by commas), an administrator everything. Only instructors
and administrators comment or override verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass

from voicecoach.session.accounts import User
from voicecoach.session.store import SessionStore

ANNOTATING_ROLES = ("instructor", "admin")


@dataclass(frozen=True)
class Viewer:
    """The person behind a request: name (None without accounts), role, what they may see."""

    actor: str  # as the audit log names them
    role: str
    csrf_token: str
    name: str | None = None
    trainees: frozenset[str] | None = None  # whose sessions they may see; None: everyone's

    @property
    def can_annotate(self) -> bool:
        return self.role in ANNOTATING_ROLES

    def may_see(self, trainee: str) -> bool:
        """Whether this viewer may see `trainee`'s sessions and progress."""
        return self.trainees is None or trainee in self.trainees

    def to_json(self) -> dict:
        """What the pages' scripts need: who is signed in and whether they may annotate."""
        return {"name": self.name, "role": self.role, "can_annotate": self.can_annotate}


def cohorts(user: User) -> frozenset[str]:
    """The cohort names an account belongs to or looks after (comma-separated)."""
    return frozenset(c.strip() for c in (user.cohort or "").split(",") if c.strip())


def viewer_for(store: SessionStore, user: User, csrf_token: str) -> Viewer:
    """The signed-in account as a viewer, with the trainees its role lets it see."""
    if user.role == "admin":
        trainees = None
    elif user.role == "instructor":
        mine = cohorts(user)
        trainees = frozenset(t.name for t in store.list_users(role="trainee") if cohorts(t) & mine)
    else:
        trainees = frozenset((user.name,))
    return Viewer(
        actor=user.name, role=user.role, csrf_token=csrf_token, name=user.name, trainees=trainees
    )
