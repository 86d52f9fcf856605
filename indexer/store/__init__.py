"""The store, the source of truth: SQLite through SQLAlchemy Core, its schema and migrations, jobs and API keys."""
