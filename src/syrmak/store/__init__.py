"""The study store: one schema (schema.py), Alembic migrations, the contact vault."""
