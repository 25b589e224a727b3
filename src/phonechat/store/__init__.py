"""Persistence: the schema (SQLAlchemy Core), migrations (Alembic) and the queries.

Queries are written once as SQLAlchemy Core statements and compiled once per dialect
to native SQL, then run straight on the driver (asyncpg for PostgreSQL with prepared
statements, sqlite3 for the embedded database): no ORM, no per-request SQL compilation.
"""
