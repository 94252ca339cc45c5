"""Backups of the whole database: SQLite's online backup API, or pg_dump/pg_restore on PostgreSQL."""
