"""Storage: the SQLite schema, its migrations and the repositories; the only place with SQL."""
