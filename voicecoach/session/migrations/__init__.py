"""Alembic migrations of the session store's schema (run on every start by `migrate`)."""
