"""Storage: SQLAlchemy Core tables, Alembic migrations, one async engine for SQLite or PostgreSQL."""
